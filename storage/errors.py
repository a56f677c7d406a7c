"""The storage layer's errors: one base, a few kinds that carry what a caller acts on."""

from schemas.errors import OneWindowError


class StorageError(OneWindowError):
    """The archive could not be read or written."""


class NotFoundError(StorageError):
    """No object under that key."""


class UnavailableError(StorageError):
    """The backend did not answer (down, slow, or failing) after bounded retries. Nothing
    half-written is visible; running the same operation again completes it."""

    exit_code = 3

    def __init__(self, message: str, *, endpoint: str, attempts: int, operation: str):
        super().__init__(message)
        self.endpoint = endpoint
        self.attempts = attempts
        self.operation = operation


class CorruptedError(StorageError):
    """An object is there but its bytes are not what was written (hash or tag mismatch)."""

    def __init__(self, message: str, *, key: str):
        super().__init__(message)
        self.key = key


class KeyUnavailableError(StorageError):
    """The data key of a scope is gone (the citizen was erased) or no master key opens it."""

    def __init__(self, message: str, *, scope: str):
        super().__init__(message)
        self.scope = scope
