"""The root of OneWindow's exceptions. Each layer derives its own base from it, and the
edges (CLI, API) translate any of them into one line and an exit code or HTTP status."""


class OneWindowError(Exception):
    """Base of every error OneWindow raises on purpose; its message is for people."""

    exit_code = 1


class InputError(OneWindowError):
    """The caller gave something OneWindow cannot use (a bad file, an unknown service)."""

    exit_code = 2
