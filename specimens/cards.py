"""Flat renders of each document type at the canonical card size, the input `camera` then
"photographs". Outside the rounded corners the image is white, as on a flatbed scan; the
shape itself is `card_mask()`."""

from __future__ import annotations

import random
from collections.abc import Callable

from PIL import Image

from schemas.documents import DocType
from specimens.bank_cards import render_bank_card
from specimens.errors import SpecimenError
from specimens.id_cards import render_id_back, render_id_front
from specimens.marks import CARD_SIZE, CORNER_RADIUS, card_mask
from specimens.people import Person
from specimens.ssc_card import render_ssc

__all__ = ["CARD_SIZE", "CORNER_RADIUS", "RENDERERS", "card_mask", "render_document"]

RENDERERS: dict[DocType, Callable[[Person, random.Random], Image.Image]] = {
    DocType.ID_CARD_FRONT: render_id_front,
    DocType.ID_CARD_BACK: render_id_back,
    DocType.BANK_CARD: render_bank_card,
    DocType.SOCIAL_SECURITY_CARD: render_ssc,
}


def render_document(doc_type: DocType, person: Person, rng: random.Random) -> Image.Image:
    """The flat card (RGB, CARD_SIZE) of `doc_type` for `person`."""
    try:
        render = RENDERERS[DocType(doc_type)]
    except (KeyError, ValueError):
        raise SpecimenError(f"no renderer for document type {doc_type!r}; "
                            f"known: {', '.join(t.value for t in RENDERERS)}") from None
    card = render(person, rng)
    out = Image.new("RGB", CARD_SIZE, (255, 255, 255))
    out.paste(card, (0, 0), card_mask())
    return out
