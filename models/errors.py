from schemas.errors import OneWindowError


class ModelError(OneWindowError):
    """A model is missing, misconfigured or failed to run."""
