"""Layer 1: pydantic types shared by every layer, and the declarative service catalog.

Nothing here does I/O beyond reading the catalog files."""
