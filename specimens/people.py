"""Made-up people and the values their documents print. Values follow the real rules (region
codes, sex parity, checksums, validity periods by age, bank BINs and Luhn digits) so that a
specimen is wrong only where a test asks for it through an override."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from stdnum.cn import ric

from schemas.documents import DOC_FIELDS, PERMANENT, DocType
from specimens import banks, vocab
from specimens.regions import Region, issuing_authority, pick_region

TODAY = dt.date(2026, 1, 1)
"""Fixed 'now' for issue dates: specimens never depend on the clock."""
ADDRESS_LINE_WIDTH = 11.0
"""Characters per printed address line on the ID card (ASCII counts half)."""


class Person(BaseModel):
    """Everything one person's documents print, normalized as DESIGN.md says."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    sex: str
    ethnicity: str
    birth_date: str
    region_code: str
    id_number: str
    address: str
    issuing_authority: str
    valid_from: str
    valid_until: str
    bank_name: str
    bank_card_number: str
    bank_valid_thru: str
    """MM/YY, or empty when the card prints none."""
    ssc_card_number: str
    ssc_bank_name: str
    ssc_issue_date: str
    face: str | None = None
    portrait: Any = Field(default=None, exclude=True, repr=False)
    """PIL image of the ID photo (None: cards draw a silhouette)."""


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    return day - dt.timedelta(days=1) if (day.month, day.day) == (2, 29) else day


def _add_years(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def validity_years(age_at_issue: int) -> int | None:
    """Years an ID card is valid for when issued at that age (None: 长期)."""
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


def valid_until_for(birth_date: str, valid_from: str) -> str:
    start = _date(valid_from)
    years = validity_years(age_on(_date(birth_date), start))
    return PERMANENT if years is None else _add_years(start, years).isoformat()


def text_width(text: str) -> float:
    """Printed width in full-width character cells (ASCII is half a cell)."""
    return sum(0.5 if ord(c) < 128 else 1.0 for c in text)


def address_lines(address: str, width: float = ADDRESS_LINE_WIDTH) -> list[str]:
    """How the ID card wraps the address (greedy, at `width` cells per line)."""
    lines, line, used = [], "", 0.0
    for char in address:
        cell = 0.5 if ord(char) < 128 else 1.0
        if line and used + cell > width:
            lines.append(line)
            line, used = "", 0.0
        line += char
        used += cell
    return lines + [line] if line else lines


def make_id_number(region_code: str, birth_date: str, sex: str, rng: random.Random) -> str:
    seq = rng.randrange(1, 500) * 2 + (1 if sex == "男" else 0)
    body = f"{region_code}{birth_date.replace('-', '')}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def corrupt_id_number(id_number: str, rng: random.Random) -> str:
    """The same number with a check character that does not match (same length)."""
    right = ric.calc_check_digit(id_number[:17] + "0")
    return id_number[:17] + rng.choice([c for c in "0123456789X" if c != right])


def _syllables(rng: random.Random, n: int = 2) -> str:
    return "".join(rng.choice(vocab.PLACE_CHARS) for _ in range(n))


def _number(rng: random.Random, low: int, high: int) -> str:
    return str(rng.randint(low, high))


def _urban_tail(rng: random.Random) -> list[str]:
    parts = []
    if rng.random() < 0.25:
        parts.append(_syllables(rng) + "街道")
    parts += [_syllables(rng) + rng.choice(vocab.ROAD_SUFFIXES),
              _number(rng, 1, 399) + "号"]
    if rng.random() < 0.3:
        parts.append("院")
    parts += [_syllables(rng) + rng.choice(vocab.COMPOUND_SUFFIXES),
              _number(rng, 1, 32) + rng.choice(("号楼", "栋", "幢")),
              _number(rng, 1, 6) + "单元",
              f"{rng.randint(1, 28)}{rng.randint(1, 4):02d}" + rng.choice(("室", "号"))]
    return parts


def _rural_tail(rng: random.Random) -> list[str]:
    group = rng.choice(vocab.CHINESE_ORDINALS) if rng.random() < 0.5 else _number(rng, 1, 15)
    return [_syllables(rng) + rng.choice(vocab.TOWN_SUFFIXES),
            _syllables(rng) + rng.choice(vocab.VILLAGE_SUFFIXES),
            group + "组", _number(rng, 1, 260) + "号"]


def make_address(region: Region, rng: random.Random, lines: int) -> str:
    """An address in `region` that the ID card prints on `lines` lines (1–3) where the
    region's name leaves room; the street part is cut at a natural boundary."""
    best, best_gap = "", 99
    for _ in range(40):
        urban = region.county.endswith("区") or rng.random() < 0.35
        tail = _urban_tail(rng) if urban else _rural_tail(rng)
        for k in range(1, len(tail) + 1):
            address = region.prefix + "".join(tail[:k])
            if not any(c.isdigit() for c in address) and k < len(tail):
                continue
            gap = abs(len(address_lines(address)) - lines)
            if gap < best_gap or (gap == best_gap and rng.random() < 0.3):
                best, best_gap = address, gap
        if best_gap == 0:
            return best
    return best


def _name(rng: random.Random, ethnicity: str) -> str:
    own = vocab.MINORITY_NAMES.get(ethnicity)
    if own and rng.random() < 0.6:
        return rng.choice(own)
    compound = rng.random() < 0.07
    surname = rng.choice(vocab.COMPOUND_SURNAMES) if compound else rng.choice(vocab.SURNAMES)
    roll = rng.random()
    given_len = 1 if roll < 0.35 else 2 if (roll < 0.96 or compound) else 3

    def given_char() -> str:
        return rng.choice(vocab.GIVEN_RARE if rng.random() < 0.25 else vocab.GIVEN_COMMON)

    return surname + "".join(given_char() for _ in range(given_len))


def _ethnicity(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "汉"
    others = vocab.ETHNICITIES[1:]
    # Multi-character names weigh double: they are the ones a reader gets wrong.
    return rng.choices(others, weights=[2 if len(e) > 1 else 1 for e in others])[0]


def make_person(rng: random.Random, faces: Any = None, **overrides: Any) -> Person:
    """A random person. Any field of `Person` can be overridden (`valid_until="2024-03-01"`,
    an invalid `id_number`…); values derived from an overridden one follow it (a new
    `birth_date` changes the ID number's date), and the same draws are made either way, so
    `make_person(Random(s), x=…)` differs from `make_person(Random(s))` only where it must.
    `faces` is a `specimens.faces.FacePool` that supplies the portrait."""
    unknown = set(overrides) - set(Person.model_fields)
    if unknown:
        raise TypeError(f"make_person: unknown fields {sorted(unknown)}")
    v: dict[str, Any] = {}

    def pick(key: str, value: Any) -> Any:
        v[key] = overrides.get(key, value)
        return v[key]

    pick("sex", rng.choice(("男", "女")))
    pick("ethnicity", _ethnicity(rng))
    birth = _date(pick("birth_date", _random_date(rng, dt.date(1940, 1, 1),
                                                  dt.date(2008, 12, 31)).isoformat()))
    lines = rng.choice((1, 2, 3))
    region = pick_region(rng, birth.year, max_prefix=7 if lines == 1 else None)
    pick("region_code", region.code)
    pick("name", _name(rng, v["ethnicity"]))
    pick("id_number", make_id_number(region.code, birth.isoformat(), v["sex"], rng))
    pick("address", make_address(region, rng, lines))
    pick("issuing_authority", issuing_authority(region))
    earliest = max(dt.date(2006, 1, 1), _add_years(birth.replace(day=min(birth.day, 28)), 3))
    issued = pick("valid_from", _random_date(rng, earliest, dt.date(2025, 12, 31)).isoformat())
    pick("valid_until", valid_until_for(birth.isoformat(), issued))
    bank = rng.choice(banks.BANKS)
    pick("bank_name", bank.name)
    pick("bank_card_number", banks.card_number(banks.BANKS_BY_NAME.get(v["bank_name"], bank), rng))
    thru = f"{rng.randint(1, 12):02d}/{rng.randint(26, 35)}" if rng.random() < 0.5 else ""
    pick("bank_valid_thru", thru)
    letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")  # no I or O: they read as 1 and 0
    pick("ssc_card_number", letter + "".join(str(rng.randrange(10)) for _ in range(8)))
    ssc_bank = bank if rng.random() < 0.5 else rng.choice(banks.BANKS)
    pick("ssc_bank_name", ssc_bank.name)
    ssc_from = max(dt.date(2012, 1, 1), birth + dt.timedelta(days=30))
    pick("ssc_issue_date", _random_date(rng, ssc_from, dt.date(2025, 12, 31)).isoformat())
    face, portrait = (None, None)
    if faces is not None:
        face, portrait = faces.pick(rng)
    pick("face", face)
    pick("portrait", portrait)
    return Person(**v)


def fields_for(doc_type: DocType, person: Person) -> dict[str, str]:
    """The canonical, normalized field values a document of `doc_type` prints."""
    source = {
        DocType.BANK_CARD: {"card_number": person.bank_card_number, "bank_name": person.bank_name},
        DocType.SOCIAL_SECURITY_CARD: {"card_number": person.ssc_card_number,
                                       "bank_name": person.ssc_bank_name},
    }.get(doc_type, {})
    values = person.model_dump()
    return {key: source.get(key, values.get(key, "")) for key in DOC_FIELDS[doc_type]}
