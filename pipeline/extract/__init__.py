"""Extract: fields by layout, one extractor per document type."""

from collections.abc import Callable

from pipeline.extract.base import Extracted
from pipeline.extract.cards import extract_bank_card, extract_social_security_card
from pipeline.extract.certificates import (
    extract_death_certificate, extract_marriage_certificate, extract_termination,
)
from pipeline.extract.household_register import extract_household_register
from pipeline.extract.id_card import extract_id_card_back, extract_id_card_front
from pipeline.layout import Layout
from schemas.documents import DocType

EXTRACTORS: dict[DocType, Callable[[Layout], Extracted]] = {
    DocType.ID_CARD_FRONT: extract_id_card_front,
    DocType.ID_CARD_BACK: extract_id_card_back,
    DocType.BANK_CARD: extract_bank_card,
    DocType.SOCIAL_SECURITY_CARD: extract_social_security_card,
    DocType.HOUSEHOLD_REGISTER: extract_household_register,
    DocType.DEATH_CERTIFICATE: extract_death_certificate,
    DocType.MARRIAGE_CERTIFICATE: extract_marriage_certificate,
    DocType.LABOR_CONTRACT_TERMINATION: extract_termination,
}


def extract(doc_type: DocType, layout: Layout) -> Extracted:
    extractor = EXTRACTORS.get(doc_type)
    return extractor(layout) if extractor else Extracted()
