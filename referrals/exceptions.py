from core.exceptions import Conflict


class InvalidTransition(Conflict):
    """The referral is not in a state that allows this action (web: message; API: 409)."""

    code = "invalid_transition"
