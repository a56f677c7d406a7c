"""Second looks at an address, where its grammar leaves few choices for a character.

**The division names it starts with** (青海省海南藏族自治州同德县…) are a closed list
(pipeline.regions). Normalizing puts right one misread character per name, but only where a
single name is that near. It cannot choose between two names (网德县: 同德县 or 贵德县?), and
it does not try a name read with two characters wrong (阿项藏族美族 for 阿坝藏族羌族). Here each
listed start near what was read (one character changed, two in a long name) is scored on the
address's lines, as a closed list is (pipeline.closed_lists).

**The unit words around its numbers**: a number is followed by its unit (12号, 3组, 5栋, 2单元)
and preceded by the end of a name (东集巷79号). A character there that is neither (东集春79号,
1举元, 三绍187号) is scored against the words that go there.

Either way the choice the model clearly prefers is taken if it is not far behind what was read
greedily. Engines that cannot rank texts leave the address as read."""

from __future__ import annotations

import re

import numpy as np

from models.ocr import crop_quad
from pipeline.closed_lists import RanksTexts, choose, rescored
from pipeline.extract.base import Extracted
from pipeline.layout import Line
from pipeline.regions import names_near
from schemas.documents import DOC_FIELDS, DocType

MARGIN = 2.0
"""How far (log-likelihood) the likeliest choice must lead the next: e² ≈ 7×, as for the 56 groups."""
MOST_STARTS = 40
"""More listed starts near the one read than this: it is too garbled to settle."""
UNITS = "号组栋幢楼单室层弄户排队期座区条巷街"
"""What may follow a number in an address: a house, group, building, entrance or room number's
unit (单 of 单元), and the like."""
NAME_ENDS = "路街巷道里弄村庄屯院苑园寓区元第"
"""What may end the name, or unit, before a number that follows it (东集巷79号, 坪峪小区5号楼,
2单元301室)."""


def reread_address_prefix(engine: object, image: np.ndarray, doc_type: DocType, extracted: Extracted) -> bool:
    """Put right, in place, the division names the document's address starts with; True if
    the address changed."""
    read = _address_read(engine, doc_type, extracted)
    if read is None:
        return False
    address, lines, places = read
    starts = names_near(address)
    if not starts or len(starts) > MOST_STARTS:
        return False
    candidates = list(dict.fromkeys(name + address[len(name):] for name in starts))
    return _choose(engine, image, extracted, lines, places, address, candidates)


def reread_address_units(engine: object, image: np.ndarray, doc_type: DocType, extracted: Extracted) -> bool:
    """Put right, in place, characters beside the address's numbers that are no unit word and
    no end of a name; True if the address changed."""
    read = _address_read(engine, doc_type, extracted)
    if read is None:
        return False
    address, lines, places = read
    changed = False
    for at, words in _unit_slots(address):
        candidates = [address[:at] + word + address[at + 1:] for word in words]
        if _choose(engine, image, extracted, lines, places, address, candidates):
            address, lines = extracted.fields["address"], extracted.sources["address"]
            changed = True
    return changed


def _unit_slots(address: str) -> list[tuple[int, str]]:
    """(index, the characters that belong there) of each Chinese character beside a number
    that does not belong there."""
    slots: dict[int, str] = {}
    for match in re.finditer(r"(?<=[一二三四五六七八九十])[\u4e00-\u9fff](?=\d)", address):
        if match.group() not in NAME_ENDS + UNITS:  # a group counted in words: 三组187号
            slots[match.start()] = "组"
    for match in re.finditer(r"(?<=\d)[\u4e00-\u9fff]", address):
        if match.group() not in UNITS:
            slots.setdefault(match.start(), UNITS)
        elif match.group() != "单" and address[match.end():match.end() + 1] == "元":
            slots[match.start()] = "单"  # 6号元: 元 follows 单 only
    for match in re.finditer(r"[\u4e00-\u9fff](?=\d)", address):
        if match.group() not in NAME_ENDS + UNITS:
            slots.setdefault(match.start(), NAME_ENDS)
    return sorted(slots.items())


def _address_read(engine: object, doc_type: DocType, extracted: Extracted):
    """(address, its lines, where each of its characters sits in them) if the document has an
    address the engine can look at again; None otherwise."""
    if "address" not in DOC_FIELDS.get(doc_type, ()) or not isinstance(engine, RanksTexts):
        return None
    address, lines = extracted.fields.get("address"), extracted.sources.get("address")
    if not address or not lines:
        return None
    joined = "".join(line.text for line in lines)
    offset = len(joined) - len(address)  # the address is the lines' text less a label before it
    if offset < 0 or sum(a != b for a, b in zip(joined[offset:], address)) > 2:
        return None
    return address, lines, [_place(lines, offset + i) for i in range(len(address))]


def _choose(engine: RanksTexts, image: np.ndarray, extracted: Extracted, lines: list[Line],
            places: list[tuple[int, int]], address: str, candidates: list[str]) -> bool:
    """Score `candidates` (whole addresses, as long as the `address` read) on the lines they
    change, beside the lines as read; take the one the model clearly prefers to the others,
    if it is not far behind the reading."""
    texts_by_line = {k: [_line_text(lines, k, text, places) for text in candidates] for k in range(len(lines))}
    touched = [k for k, texts in texts_by_line.items() if any(text != lines[k].text for text in texts)]
    if not touched:
        return False
    per_line = [np.array(engine.rank_texts(crop_quad(image, lines[k].box), texts_by_line[k] + [lines[k].text]))
                for k in touched]
    totals = np.sum(per_line, axis=0)
    chosen = choose(list(totals[:-1]), greedy=float(totals[-1]), margin=MARGIN)
    if chosen is None or candidates[chosen] == address:
        return False
    sources = list(lines)
    for k, scores in zip(touched, per_line):
        text = texts_by_line[k][chosen]
        if text != lines[k].text:
            sources[k] = rescored(lines[k], float(scores[chosen]), text)
    extracted.fields["address"] = candidates[chosen]
    extracted.sources["address"] = sources
    return True


def _place(lines: list[Line], index: int) -> tuple[int, int]:
    """(line, character in it) of the `index`th character of the lines' joined text."""
    for k, line in enumerate(lines):
        if index < len(line.text):
            return k, index
        index -= len(line.text)
    raise IndexError(index)


def _line_text(lines: list[Line], k: int, address: str, places: list[tuple[int, int]]) -> str:
    """Line `k`'s text with the characters `address` puts on it."""
    chars = list(lines[k].text)
    for i, (line, at) in enumerate(places):
        if line == k:
            chars[at] = address[i]
    return "".join(chars)
