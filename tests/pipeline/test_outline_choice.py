"""Which outline of a photo the reader keeps when it tries several: a reading whose type
fits the outline's shape, with more of its fields valid, over a merely confident one."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.deblur import Smear
from pipeline.ingest import Page
from pipeline.locate import DocumentKind, Located
from pipeline.read import DocumentReader, LocatedPage
from schemas.documents import DOC_FIELDS, DocType, DocumentReading, FieldIssue, Quality


def _outline(kind: DocumentKind) -> Located:
    height = 75 if kind is DocumentKind.PAGE else 60  # a page's aspect is nearer square than a card's
    return Located(kind, np.array([[0, 0], [100, 0], [100, height], [0, height]], np.float32), 0.9, False)


def _reading(doc_type: DocType, confidence: float, issues: dict[str, FieldIssue]) -> DocumentReading:
    """A reading whose fields are the type's fields but those with an issue (read: a stand-in value)."""
    fields = {name: "x" for name in DOC_FIELDS.get(doc_type, ()) if issues.get(name) is not FieldIssue.NOT_READ}
    return DocumentReading(file="photo.jpg", doc_type=doc_type, confidence=confidence, fields=fields,
                           quality=Quality(ok=True), field_issues=issues)


def _read_with(readings: dict, kinds: list[DocumentKind], from_pdf: bool = False):
    """Read outlines of `kinds` with a reader whose every outline reads as `readings[kind]`
    (or `readings[(kind, "turned")]` when read the other way up, or `readings[(kind,
    "unsmeared")]` from the photo with a motion smear taken out, if given)."""
    tried = []

    def read_outline(page, located, file, sha256, turn_over=False, image=None):
        tried.append((located.kind, "turned") if turn_over else
                     (located.kind, "unsmeared") if image is not None else located.kind)
        return readings.get(tried[-1], readings[located.kind]).model_copy(deep=True)

    reader = DocumentReader(engine=None)
    reader._read_outline = read_outline
    page = Page(np.zeros((60, 100, 3), np.uint8), None, from_pdf)
    best = reader._read_located(LocatedPage(page, "photo.jpg", None, [_outline(k) for k in kinds], 0.0))
    return best, tried


def test_a_card_read_inside_a_page_outline_does_not_end_the_search():
    # the desk region around a bank card reads as a bank card, confidently, fields at the wrong places
    around = _reading(DocType.BANK_CARD, 0.9, {"card_number": FieldIssue.CHECKSUM})
    card = _reading(DocType.BANK_CARD, 0.6, {})
    best, tried = _read_with({DocumentKind.PAGE: around, DocumentKind.CARD: card},
                             [DocumentKind.PAGE, DocumentKind.CARD])
    assert tried == [DocumentKind.PAGE, DocumentKind.CARD]
    assert best.confidence == 0.6 and best.field_issues == {}


def test_a_card_read_in_a_card_outline_ends_the_search():
    card = _reading(DocType.ID_CARD_BACK, 0.7, {})
    best, tried = _read_with({DocumentKind.CARD: card, DocumentKind.FRAME: card}, [DocumentKind.CARD, DocumentKind.FRAME])
    assert tried == [DocumentKind.CARD]
    assert best.doc_type is DocType.ID_CARD_BACK and best.timings["outlines_tried"] == 1


def test_a_known_type_beats_unknown_and_valid_fields_beat_confidence():
    unknown = _reading(DocType.UNKNOWN, 0.95, {})
    weak = _reading(DocType.ID_CARD_FRONT, 0.3, {"name": FieldIssue.NOT_READ})
    best, tried = _read_with({DocumentKind.CARD: unknown, DocumentKind.PAGE: weak, DocumentKind.FRAME: unknown},
                             [DocumentKind.CARD, DocumentKind.PAGE, DocumentKind.FRAME])
    # (the card outline read as nothing is read the other way up at once; then the page
    # outline's two card-shaped cuts, which read nothing here)
    assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "turned"), DocumentKind.PAGE, DocumentKind.FRAME,
                     DocumentKind.CARD, DocumentKind.CARD]
    assert best.doc_type is DocType.ID_CARD_FRONT


def test_the_first_card_outline_read_as_nothing_is_read_the_other_way_up_at_once():
    # the 0°/180° vote went wrong on a blurred card: turned over it reads, before a later
    # outline (one cut short across the card's number, say) reads as a worse card
    nothing = _reading(DocType.UNKNOWN, 0.9, {})
    turned = _reading(DocType.BANK_CARD, 0.54, {})
    cut_short = _reading(DocType.BANK_CARD, 0.54, {})
    best, tried = _read_with({DocumentKind.CARD: nothing, (DocumentKind.CARD, "turned"): turned,
                              DocumentKind.PAGE: cut_short}, [DocumentKind.CARD, DocumentKind.PAGE])
    assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "turned")]
    assert best is not cut_short and best.timings["outlines_tried"] == 2


def test_when_nothing_reads_the_other_cards_are_read_the_other_way_up_last():
    nothing = _reading(DocType.UNKNOWN, 0.9, {})
    turned = _reading(DocType.SOCIAL_SECURITY_CARD, 0.8, {})
    readings = {DocumentKind.CARD: nothing, DocumentKind.FRAME: nothing}
    best, tried = _read_with({**readings, (DocumentKind.CARD, "turned"): turned},
                             [DocumentKind.CARD, DocumentKind.CARD, DocumentKind.FRAME])
    # the first card turned at once reads: no other outline is needed
    assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "turned")]
    assert best.doc_type is DocType.SOCIAL_SECURITY_CARD and best.timings["outlines_tried"] == 2
    best, tried = _read_with({**readings, (DocumentKind.CARD, "turned"): nothing},
                             [DocumentKind.CARD, DocumentKind.CARD, DocumentKind.FRAME])
    # nothing reads either way: every outline once, then the second card turned
    assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "turned"), DocumentKind.CARD, DocumentKind.FRAME,
                     (DocumentKind.CARD, "turned")]
    assert best.doc_type is DocType.UNKNOWN


def test_a_known_but_unsure_reading_is_not_followed_by_turned_attempts():
    unsure = _reading(DocType.BANK_CARD, 0.3, {})
    nothing = _reading(DocType.UNKNOWN, 0.9, {})
    best, tried = _read_with({DocumentKind.CARD: unsure, DocumentKind.FRAME: nothing},
                             [DocumentKind.CARD, DocumentKind.FRAME])
    assert tried == [DocumentKind.CARD, DocumentKind.FRAME]
    assert best.doc_type is DocType.BANK_CARD and best.timings["outlines_tried"] == 2


def test_a_card_outline_that_read_only_labels_does_not_outrank_a_wider_one_that_read_values():
    # glare on the card outline's reading took every value; the page-shaped outline around it
    # (the card and a strip of the sheet under it) read them all
    not_read = {name: FieldIssue.NOT_READ for name in DOC_FIELDS[DocType.SOCIAL_SECURITY_CARD]}
    labels_only = _reading(DocType.SOCIAL_SECURITY_CARD, 0.92, not_read)
    wider = _reading(DocType.SOCIAL_SECURITY_CARD, 0.9, {})
    best, tried = _read_with({DocumentKind.PAGE: wider, DocumentKind.CARD: labels_only, DocumentKind.FRAME: labels_only},
                             [DocumentKind.PAGE, DocumentKind.CARD, DocumentKind.FRAME])
    assert DocumentKind.CARD in tried
    assert best.confidence == 0.9 and best.fields


def test_a_complete_reading_of_a_wider_outline_beats_a_card_outline_cut_short():
    # the card outline ended at the portrait: the ID number printed right of it was cut off;
    # the outline of the card with some desk around it read every field
    cut_short = _reading(DocType.ID_CARD_FRONT, 1.0, {"id_number": FieldIssue.NOT_READ})
    wider = _reading(DocType.ID_CARD_FRONT, 0.885, {})
    best, tried = _read_with({DocumentKind.PAGE: wider, DocumentKind.CARD: cut_short, DocumentKind.FRAME: cut_short},
                             [DocumentKind.PAGE, DocumentKind.CARD, DocumentKind.FRAME])
    assert tried == [DocumentKind.PAGE, DocumentKind.CARD]  # the card outline ends the search
    assert best.field_issues == {} and best.confidence == 0.885


def test_a_card_read_short_of_its_fields_in_a_page_outline_is_read_again_in_card_shaped_cuts():
    # a card lying on a sheet of print: the edge between them was too faint, so the outline
    # took in a strip of the sheet, and its lines read into the card's fields
    strip_included = _reading(DocType.ID_CARD_FRONT, 0.6, {"name": FieldIssue.NOT_READ})
    nothing = _reading(DocType.UNKNOWN, 0.9, {})
    card = _reading(DocType.ID_CARD_FRONT, 0.8, {})
    best, tried = _read_with({DocumentKind.PAGE: strip_included, DocumentKind.FRAME: nothing, DocumentKind.CARD: card},
                             [DocumentKind.PAGE, DocumentKind.FRAME])
    assert tried == [DocumentKind.PAGE, DocumentKind.FRAME, DocumentKind.CARD]  # the first cut read it all
    assert best.field_issues == {} and best.confidence == 0.8


def test_a_complete_card_reading_in_a_page_outline_is_not_cut():
    whole = _reading(DocType.BANK_CARD, 0.45, {})
    nothing = _reading(DocType.UNKNOWN, 0.9, {})
    best, tried = _read_with({DocumentKind.PAGE: whole, DocumentKind.FRAME: nothing, DocumentKind.CARD: nothing},
                             [DocumentKind.PAGE, DocumentKind.FRAME])
    assert DocumentKind.CARD not in tried and best.confidence == 0.45


@pytest.mark.parametrize("from_pdf", [False, True])
def test_a_photo_that_reads_short_of_its_fields_is_read_again_unsmeared_but_not_a_pdf(monkeypatch, from_pdf):
    monkeypatch.setattr("pipeline.read.find_smear_around", lambda image, quad: Smear(6.0, 4.0))
    short = _reading(DocType.BANK_CARD, 0.9, {"bank_name": FieldIssue.NOT_READ})
    whole = _reading(DocType.BANK_CARD, 0.8, {})
    best, tried = _read_with({DocumentKind.CARD: short, (DocumentKind.CARD, "unsmeared"): whole},
                             [DocumentKind.CARD], from_pdf=from_pdf)
    if from_pdf:  # a PDF's page is a scan or a rendering: no smear to take out
        assert tried == [DocumentKind.CARD] and best.field_issues
    else:
        assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "unsmeared")] and best.field_issues == {}


def test_an_unsmeared_reading_with_no_more_fields_valid_is_not_kept(monkeypatch):
    monkeypatch.setattr("pipeline.read.find_smear_around", lambda image, quad: Smear(6.0, 4.0))
    short = _reading(DocType.BANK_CARD, 0.6, {"bank_name": FieldIssue.NOT_READ})
    surer_but_as_short = _reading(DocType.BANK_CARD, 0.95, {"card_number": FieldIssue.CHECKSUM})
    best, tried = _read_with({DocumentKind.CARD: short, (DocumentKind.CARD, "unsmeared"): surer_but_as_short},
                             [DocumentKind.CARD])
    assert (DocumentKind.CARD, "unsmeared") in tried and best.confidence == 0.6


def test_a_whole_reading_with_a_doubtful_field_is_read_again_unsmeared_and_the_surer_one_kept(monkeypatch):
    # a second look filled the sex from a blurred line with 3% confidence; with the smear taken
    # out, every field reads plainly
    monkeypatch.setattr("pipeline.read.find_smear_around", lambda image, quad: Smear(9.0, 35.0))
    doubtful = _reading(DocType.ID_CARD_FRONT, 0.9, {})
    doubtful.field_confidence = {name: 0.9 for name in doubtful.fields} | {"sex": 0.03}
    plain = _reading(DocType.ID_CARD_FRONT, 0.8, {})
    plain.field_confidence = {name: 0.9 for name in plain.fields}
    best, tried = _read_with({DocumentKind.CARD: doubtful, (DocumentKind.CARD, "unsmeared"): plain},
                             [DocumentKind.CARD])
    assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "unsmeared")]
    assert best.confidence == 0.8
    # a reading with nothing doubtful is not read again
    best, tried = _read_with({DocumentKind.CARD: plain, (DocumentKind.CARD, "unsmeared"): doubtful},
                             [DocumentKind.CARD])
    assert tried == [DocumentKind.CARD] and best.confidence == 0.8


def test_an_office_put_right_is_not_traded_for_a_surer_reading_off_the_list(monkeypatch):
    monkeypatch.setattr("pipeline.read.find_smear_around", lambda image, quad: Smear(6.0, 4.0))
    put_right = _reading(DocType.ID_CARD_BACK, 0.7, {})
    put_right.fields["issuing_authority"] = "舟曲县公安局"  # by the closed-list look, from 典曲路公安局
    put_right.field_confidence = {"issuing_authority": 0.035, "valid_from": 0.9, "valid_until": 0.9}
    off_list = _reading(DocType.ID_CARD_BACK, 0.8, {})
    off_list.fields["issuing_authority"] = "有曲县总安局"
    off_list.field_confidence = {name: 0.9 for name in off_list.fields}
    best, tried = _read_with({DocumentKind.CARD: put_right, (DocumentKind.CARD, "unsmeared"): off_list},
                             [DocumentKind.CARD])
    assert tried == [DocumentKind.CARD, (DocumentKind.CARD, "unsmeared")]
    assert best.fields["issuing_authority"] == "舟曲县公安局"
