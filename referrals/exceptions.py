from cases.exceptions import DomainError


class InvalidTransition(DomainError):
    """The referral is not in a state that allows this action (web: message; API: 409)."""
