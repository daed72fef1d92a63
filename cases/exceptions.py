"""Domain errors: each carries a message fit to show a user (web) or return as 400/409 (API)."""


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConcurrentModification(DomainError):
    """Somebody else saved the record after it was loaded."""


class DuplicateSuspected(DomainError):
    def __init__(self, message: str, matches: list) -> None:
        super().__init__(message)
        self.matches = matches


class InvalidDocument(DomainError):
    pass


class NotAllowed(DomainError):
    pass
