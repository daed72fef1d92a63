"""Shared vocabulary of the permission matrix (tests/test_permission_matrix.py and the
rows in tests/matrix_rows/): who the actors are, what a row says."""

from dataclasses import dataclass

ACTORS = (
    "anonymous",
    "referent",  # advisor holding the file
    "colleague",  # advisor of the same organisation: directory card only
    "delegate",  # advisor of the same organisation with a running delegation
    "supervisor",  # supervisor of the same organisation
    "org_admin",  # administrator of the same organisation (no case content)
    "partner",  # partner agency member, nothing referred
    "other_advisor",  # advisor of another organisation
    "other_supervisor",  # supervisor of another organisation
    "other_admin",  # administrator of another organisation
    # The platform's superuser (Django admin), member of no organisation: no case content
    # anywhere, whatever guardian's backend says of superusers (test_permission_matrix
    # also checks the bodies it gets; tests/test_platform_superuser.py the admin).
    "superuser",
)
CASEWORKERS = {
    "referent",
    "colleague",
    "delegate",
    "supervisor",
    "other_advisor",
    "other_supervisor",
}
FULL = {"referent", "delegate", "supervisor"}
LOGGED_IN = set(ACTORS) - {"anonymous"}


@dataclass
class World:
    users: dict
    young_person: object
    step: object
    document: object
    application: object
    org_step_type: object
    admin_membership: object
    referral: object


def yp(w: World) -> dict:
    return {"pk": w.young_person.pk}


def only(allowed: set[str], ok: int | str = 200, *, anonymous: int = 302) -> dict[str, object]:
    expected = {actor: (ok if actor in allowed else 404) for actor in ACTORS}
    expected["anonymous"] = anonymous
    return expected


@dataclass(frozen=True)
class Row:
    kwargs: object  # callable World -> dict
    expected: dict
    method: str = "get"


detail = only(FULL) | {"colleague": "card"}
# The referral record: the sender's full-file holders and the destination's members.
REFERRAL_SIDES = FULL | {"partner"}


def ref(w: World) -> dict:
    return {"pk": w.referral.pk}
