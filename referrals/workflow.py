"""The referral status pipeline, as data (DESIGN.md: sent → accepted | declined | expired |
cancelled; accepted → completed | cancelled)."""

from dataclasses import dataclass

from referrals.enums import ReferralStatus as S
from referrals.enums import Side


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    side: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.SENT, S.ACCEPTED, Side.DESTINATION),
    Transition(S.SENT, S.DECLINED, Side.DESTINATION),
    Transition(S.SENT, S.EXPIRED, Side.SYSTEM),
    Transition(S.SENT, S.CANCELLED, Side.SENDER),
    Transition(S.ACCEPTED, S.COMPLETED, Side.DESTINATION),
    Transition(S.ACCEPTED, S.CANCELLED, Side.SENDER),
)


def find(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.source == source and t.target == target), None)


def targets_from(source: str, side: str) -> list[str]:
    return [t.target for t in TRANSITIONS if t.source == source and t.side == side]
