"""Classify: which document type a page is, from the words printed on it.

Each type has words only it prints (公民身份号码, 签发机关, 社会保障号码 …); a page scores
the weights of the words found (one OCR slip allowed in longer words) and a few shapes
(an ID number, a 16–19 digit card number, a date of birth, a validity period, a social
security card's own number and issue month). On a blurred photo the small grey labels are the
first thing lost while the large black values still read, so the shapes of the values carry
weight of their own. The best type wins if it scores enough; its margin over the runner-up
gives the confidence."""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.cn import ric

from pipeline.fields import id_number_candidates, printed_birth_date, validate_id_number
from pipeline.layout import Layout, fuzzy_find
from schemas.documents import DocType

KEYWORDS: dict[DocType, dict[str, float]] = {
    DocType.ID_CARD_FRONT: {"公民身份号码": 3.0, "姓名": 1.0, "性别": 1.0, "民族": 1.5, "出生": 1.0, "住址": 1.5},
    # 居民身份证 alone is weak: notices and forms print it too ("请携带居民身份证")
    DocType.ID_CARD_BACK: {"居民身份证": 1.0, "签发机关": 2.5, "有效期限": 2.5, "中华人民共和国": 0.5},
    DocType.BANK_CARD: {"银联": 1.5, "UnionPay": 1.5, "银行": 1.0, "借记卡": 1.5, "储蓄卡": 1.5,
                        "信用卡": 1.5, "VALIDTHRU": 1.0, "BANK": 0.5},
    DocType.SOCIAL_SECURITY_CARD: {"社会保障卡": 4.0, "社会保障号码": 3.0, "社会保障卡号": 3.0, "发卡日期": 1.5},
    DocType.HOUSEHOLD_REGISTER: {"常住人口登记卡": 4.0, "户主或与户主关系": 3.0, "户别": 1.0,
                                 "曾用名": 1.0, "籍贯": 1.0, "登记日期": 0.5},
    DocType.DEATH_CERTIFICATE: {"死亡医学证明": 4.0, "死亡日期": 2.0, "死亡原因": 2.0, "死者姓名": 2.0},
    DocType.MARRIAGE_CERTIFICATE: {"结婚证": 4.0, "持证人": 2.0, "结婚证字号": 2.0, "登记日期": 1.0,
                                   "婚姻登记员": 2.0},
    DocType.LABOR_CONTRACT_TERMINATION: {"劳动合同": 2.5, "证明书": 0.5, "解除": 1.0, "终止": 1.0,
                                         "用人单位": 1.5, "失业保险": 1.0},
}
MIN_SCORE = 2.5
ID_NUMBER = re.compile(r"\d{17}[\dXx]")
BIRTH_DATE = re.compile(r"(?:19|20)\d{2}\D?年?\d{1,2}月\d{1,2}日?")
"""An ID card's date of birth (1952年12月25日; a blurred 年 may be lost or misread)."""
DOTTED_DATE = re.compile(r"(?:19|20)\d{2}\.\d{2}\.?\d{2}")
"""A date as the back of an ID card prints its validity (2019.01.02-2039.01.02)."""
SSC_CARD_NUMBER = re.compile(r"[A-Z]\d{8}")
"""A social security card's own number, printed on a line of its own (F74887082)."""
ISSUE_MONTH = re.compile(r"发卡.{0,3}(?:19|20)\d{2}年\d{1,2}月(?!\d)")
"""The social security card's 发卡日期 2023年08月: a month, no day (a birth date has one)."""


def classify(layout: Layout) -> tuple[DocType, float]:
    """(doc_type, confidence 0–1); UNKNOWN when nothing scores MIN_SCORE."""
    text = layout.text
    scores = {doc_type: _keyword_score(text, words) for doc_type, words in KEYWORDS.items()}
    id_numbers = _id_numbers(layout)
    if id_numbers:
        valid = [number for number in id_numbers if validate_id_number(number) is None]
        for doc_type in (DocType.ID_CARD_FRONT, DocType.SOCIAL_SECURITY_CARD, DocType.HOUSEHOLD_REGISTER):
            scores[doc_type] += 1.5 if valid else 1.0
        if BIRTH_DATE.search(text) or any(_prints_birth_date(layout, number) for number in valid):
            scores[DocType.ID_CARD_FRONT] += 1.0
        if any(_ends_a_row(layout, number) and _prints_home_province(layout, number) for number in valid):
            # the front prints the number large at the end of its row, and the address starts
            # with the province the number was issued in: both outlast the faint labels and the
            # small birth date (a social security card prints no address, a register a title
            # and labels that outlast blur too)
            scores[DocType.ID_CARD_FRONT] += 1.0
    if DOTTED_DATE.search(text):
        scores[DocType.ID_CARD_BACK] += 1.5
    if any(line.text == "居民身份证" for line in layout.lines):  # the back's title, on a line of its own
        scores[DocType.ID_CARD_BACK] += 1.0
        if any(len(line.text) <= 8 and fuzzy_find(line.text, "中华人民共和国", 2) for line in layout.lines):
            scores[DocType.ID_CARD_BACK] += 0.5  # the title above it, two slips allowed on its own line
    if any(SSC_CARD_NUMBER.fullmatch(line.text) for line in layout.lines):
        scores[DocType.SOCIAL_SECURITY_CARD] += 1.5
    if ISSUE_MONTH.search(text):
        scores[DocType.SOCIAL_SECURITY_CARD] += 1.0
    scores[DocType.BANK_CARD] += _card_number_weight(layout)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score < MIN_SCORE:
        return DocType.UNKNOWN, round(1.0 - best_score / MIN_SCORE, 3)
    strength = min(1.0, best_score / 5.0)
    margin = best_score / (best_score + second_score)
    return best, round(strength * margin, 3)


def _id_numbers(layout: Layout) -> list[str]:
    return [number for row in layout.rows for number in id_number_candidates(row.text.upper())]


def _ends_a_row(layout: Layout, id_number: str) -> bool:
    return any(row.text.upper().endswith(id_number) for row in layout.rows)


def _prints_home_province(layout: Layout, id_number: str) -> bool:
    """Whether a line starts with the province the number was issued in (after at most two
    characters of a garbled 住址)."""
    province = ric.get_birth_place(id_number)["province"]
    return any(province in line.text[:len(province) + 2] for line in layout.lines if id_number not in line.text)


def _prints_birth_date(layout: Layout, id_number: str) -> bool:
    """Whether a line other than the number's own prints the birth date it carries."""
    return any(printed_birth_date(line.text, id_number) for line in layout.lines if id_number not in line.text.upper())


def _keyword_score(text: str, words: dict[str, float]) -> float:
    total = 0.0
    for word, weight in words.items():
        if fuzzy_find(text, word, 0 if len(word) <= 3 else 1) is not None:
            total += weight
    return total


def _card_number_weight(layout: Layout) -> float:
    """How much a row of digit groups adding up to 16–19 digits says "bank card": 2.5 when
    the digits pass Luhn, less when they do not (a misread number, or another card's
    number: an ID card prints 18 digits on a row of its own, so 18 failing digits say little);
    0 for a valid ID number, or for digits mixed with other characters (a card read the wrong
    way up gives rows like S8884790296776792T, and one in ten of those passes Luhn)."""
    weight = 0.0
    for row in layout.rows:
        digits = re.sub(r"\D", "", row.text)
        if not 16 <= len(digits) <= 19 or len(digits) < 0.9 * len(re.sub(r"\s", "", row.text)):
            continue  # not a row of digits (letters or characters among them: text read upside down)
        if ID_NUMBER.fullmatch(row.text) and validate_id_number(row.text.upper()) is None:
            continue
        if luhn.is_valid(digits):
            return 2.5
        weight = max(weight, 1.0 if len(digits) == 18 else 1.5)
    return weight
