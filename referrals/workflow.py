"""The referral status pipeline, as data (DESIGN.md: sent → accepted | declined | expired |
cancelled; accepted → completed | cancelled).

Like django-oscar's OSCAR_ORDER_STATUS_PIPELINE (where an order may go next) and
OSCAR_ORDER_STATUS_CASCADE (what follows when it gets there), each row of TRANSITIONS says
who may make a transition and everything it does besides changing the status.
`services.referral_transition` reads the row and branches on nothing else.

Every other question about statuses ("is it open?", "may the destination see the file?",
"which badge?") reads the constants derived at the bottom, never a list of status names:
adding a status is the enum, its badge here, its rows here, one template and the catalogue
(README, "Adding a referral status")."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from referrals.enums import ReferralStatus as S
from referrals.enums import Side


@dataclass(frozen=True)
class Required:
    """A choice field of Referral the caller must give, and the refusal when it is missing."""

    field: str
    message: str


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    # Who may make it (Side): only the destination answers, only the sender cancels.
    side: str
    # Its name everywhere: the URL …/<action>/ on the web and in the API, `referral_<action>`.
    action: str
    # Sets answered_at (today: every transition that leaves `sent`).
    answered: bool = False
    # Sets closed_at and deletes every grant on the shared file, in the same transaction.
    closes: bool = False
    # Gives the handler (the actor unless another one is named) and the destination's
    # supervisors the grant on the shared file. A transition that neither grants nor closes
    # keeps the grants as they are.
    grants: bool = False
    # The destination did what was asked: a closed referral that still counts as under way
    # (the young person's page does not suggest a new referral).
    succeeds: bool = False
    # Choice fields the caller must give (the check constraints of the target status).
    requires: tuple[Required, ...] = ()
    # Other Referral fields the caller may give.
    accepts: tuple[str, ...] = ()
    # Who receives an email (Side.SENDER or Side.DESTINATION); "" for nobody.
    notify: str = ""
    # The event's note when the caller gives none (automatic transitions say why).
    note: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(r.field for r in self.requires) + self.accepts


DECLINE_REASON = Required("decline_reason", _("Say why the referral is declined."))
OUTCOME = Required("outcome_code", _("Choose the outcome of the referral."))

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        S.SENT,
        S.ACCEPTED,
        Side.DESTINATION,
        "accept",
        answered=True,
        grants=True,
        accepts=("handler",),
        notify=Side.SENDER,
    ),
    Transition(
        S.SENT,
        S.DECLINED,
        Side.DESTINATION,
        "decline",
        answered=True,
        closes=True,
        requires=(DECLINE_REASON,),
        notify=Side.SENDER,
    ),
    Transition(
        S.SENT,
        S.EXPIRED,
        Side.SYSTEM,
        "expire",
        answered=True,
        closes=True,
        notify=Side.SENDER,
        note=_("No answer within the delay."),
    ),
    Transition(S.SENT, S.CANCELLED, Side.SENDER, "cancel", answered=True, closes=True),
    Transition(
        S.ACCEPTED,
        S.COMPLETED,
        Side.DESTINATION,
        "complete",
        closes=True,
        succeeds=True,
        requires=(OUTCOME,),
        accepts=("outcome_note",),
        notify=Side.SENDER,
    ),
    Transition(S.ACCEPTED, S.CANCELLED, Side.SENDER, "cancel", closes=True),
)

# `referral_send` creates referrals in this status (it is no transition: nothing before it).
INITIAL = S.SENT

# The CSS class of each status's badge in lists ("" for a plain badge).
BADGES: dict[str, str] = {
    S.SENT: "warn",
    S.ACCEPTED: "",
    S.DECLINED: "",
    S.EXPIRED: "",
    S.CANCELLED: "",
    S.COMPLETED: "done",
}


def find(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)


def actions_from(source: str, sides: set[str]) -> set[str]:
    return {t.action for t in TRANSITIONS if t.source == source and t.side in sides}


def entering(target: str) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if t.target == target)


def target_of(action: str) -> str:
    """An action always leads to the same status (cancel leaves two statuses for one)."""
    return next(t.target for t in TRANSITIONS if t.action == action)


def webhook_event(status: str) -> str:
    return f"referral.{status}"


def _in_enum_order(statuses: set[str]) -> tuple[str, ...]:
    return tuple(s for s in S if s in statuses)


def _sharing_statuses() -> tuple[str, ...]:
    """Statuses in which grants stand: entered by a transition that grants, or from such a
    status by one that neither grants nor closes (it keeps them)."""
    sharing = {t.target for t in TRANSITIONS if t.grants}
    while more := {t.target for t in TRANSITIONS if t.source in sharing and not t.closes} - sharing:
        sharing |= more
    return _in_enum_order(sharing)


# Open: something can still happen to it. At most one open referral per young person and
# destination (the partial unique constraint), and its handler can still change.
OPEN_STATUSES = _in_enum_order({t.source for t in TRANSITIONS})
# Waiting for the destination's answer: reminded, then expired, and listed first.
AWAITING_ANSWER = _in_enum_order({t.source for t in TRANSITIONS if t.answered})
# The destination's grant holders see the shared sections.
SHARING_STATUSES = _sharing_statuses()
# Open, or closed because the destination did what was asked.
UNDER_WAY_STATUSES = _in_enum_order(
    set(OPEN_STATUSES) | {t.target for t in TRANSITIONS if t.succeeds}
)
# What people do from the referral page and the API (Relais does the others itself), in
# table order; each has its URL, its form and its API endpoint.
ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS if t.side != Side.SYSTEM))
