"""The one error the specimens package raises on purpose."""

from schemas.errors import InputError


class SpecimenError(InputError):
    """Specimens cannot be made as asked (no face images, an unknown document type)."""
