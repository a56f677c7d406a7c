"""Layer 4: the stages as plain functions over `schemas` types.

ingest → locate (find and rectify the document) → orient → OCR → classify → extract →
normalize/validate → quality → check → decide → archive. The CLI runs them in-process; the
workers run the same functions as jobs."""
