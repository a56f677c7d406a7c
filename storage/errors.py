from schemas.errors import OneWindowError


class StorageError(OneWindowError):
    """The archive could not be read or written."""


class NotFoundError(StorageError):
    """No object under that key."""
