"""Real administrative divisions for ID numbers and addresses, read from python-stdnum's
`cn/loc.dat` (the same table `stdnum.cn.ric` validates against), so that every generated ID
number passes validation and its address names the county its region code stands for."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import stdnum

LOC_DAT = Path(stdnum.__file__).resolve().parent / "cn" / "loc.dat"

# Special administrative regions and Taiwan use other identity documents.
_EXCLUDED_PROVINCES = {"71", "81", "82"}
# Placeholder "prefectures" that never appear in an address.
_NOT_A_PLACE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划",
                "省直辖县级行政单位", "自治区直辖县级行政单位", "省直辖行政单位"}
_SEGMENT = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")


@dataclass(frozen=True)
class Period:
    start: int | None
    end: int | None
    name: str

    def covers(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


@dataclass(frozen=True)
class Region:
    """A county-level division that still exists under the name it has today."""

    code: str
    province: str
    prefecture: str
    """Empty where addresses skip it (municipality districts, province-administered cities)."""
    county: str
    since: int | None
    """First year the code stood for this county (None: before the table begins)."""

    @property
    def prefix(self) -> str:
        """How an address in this county starts."""
        return self.province + self.prefecture + self.county

    @property
    def municipality(self) -> bool:
        return self.code[:2] in {"11", "12", "31", "50"}

    def valid_in(self, year: int) -> bool:
        return self.since is None or year >= self.since


def _periods(value: str) -> list[Period]:
    periods = []
    for part in value.split(","):
        start, end, name = _SEGMENT.match(part.strip()).groups()
        periods.append(Period(int(start) if start else None, int(end) if end else None, name))
    return periods


def _current(periods: list[Period]) -> Period | None:
    return next((p for p in periods if p.end is None), None)


@cache
def regions() -> tuple[Region, ...]:
    """Every county-level region whose current name is valid to this day."""
    provinces: dict[str, str] = {}
    names: dict[str, list[Period]] = {}
    province = ""
    for line in LOC_DAT.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province, rest = line.split(" ", 1)
            provinces[province] = rest.split('"')[1]
            continue
        code, rest = line.strip().split(" ", 1)
        names[province + code] = _periods(rest.split('"')[1])
    found = []
    for code, periods in sorted(names.items()):
        if code[:2] in _EXCLUDED_PROVINCES or code[4:] == "00":
            continue
        current = _current(periods)
        if current is None or current.name in _NOT_A_PLACE or len(periods) > 1 and \
                any(p.end is not None and p.name != current.name for p in periods):
            # Renamed codes are skipped: an older holder's address and number would disagree.
            continue
        prefecture = _current(names.get(code[:4] + "00", [])) if code[:2] not in {
            "11", "12", "31", "50"} else None
        pref_name = prefecture.name if prefecture and prefecture.name not in _NOT_A_PLACE else ""
        if code[:2] not in {"11", "12", "31", "50"} and code[2:4] != "90" and not pref_name:
            continue  # the prefecture this county belongs to was dissolved or renamed
        found.append(Region(code, provinces[code[:2]], pref_name, current.name, current.start))
    return tuple(found)


@cache
def _by_code() -> dict[str, Region]:
    return {r.code: r for r in regions()}


def region(code: str) -> Region:
    return _by_code()[code]


@cache
def _candidates(birth_year: int, max_prefix: int | None) -> tuple[Region, ...]:
    pool = tuple(r for r in regions() if r.valid_in(birth_year)
                 and (max_prefix is None or len(r.prefix) <= max_prefix))
    return pool or tuple(r for r in regions() if r.valid_in(birth_year))


def pick_region(rng: random.Random, birth_year: int, max_prefix: int | None = None) -> Region:
    """A region whose code was already in use in `birth_year` (what `stdnum.cn.ric` checks),
    optionally with a short address prefix (for one-line addresses)."""
    return rng.choice(_candidates(birth_year, max_prefix))


def issuing_authority(r: Region) -> str:
    """The public-security office printed on the back of an ID card issued in region `r`:
    a county or county-level city issues as 某县公安局, a city district as 某市公安局某某分局."""
    if r.county.endswith("区") and len(r.county) > 1:
        city = r.province if r.municipality else r.prefecture
        stem = r.county[:-1] if len(r.county) > 2 else r.county
        if stem.endswith("新"):  # 浦东新区 → 浦东分局
            stem = stem[:-1]
        return f"{city}公安局{stem}分局"
    return f"{r.county}公安局"
