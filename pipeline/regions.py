"""The names of China's administrative divisions and of the offices that issue ID cards: the
closed lists an address's start and an ID card's issuing authority come from.

An address on an ID card or a household register begins with its province, prefecture and
county (云南省怒江傈僳族自治州贡山独龙族怒族自治县…). Those names are a closed list, and they
hold the rarest characters an address prints (傈僳, 井陉), the ones recognition most often
turns into look-alikes (傈傈, 井隆). The list comes with python-stdnum (`cn/loc.dat`, the
division codes with their names, past names included)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np

SKIPPED_LEVELS = ("市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位")
"""Code-table rows that are groupings, not names printed in an address."""
_ROW = re.compile(r'^(\s*)(\d+) (?:province|county)="(.*)"$')


def _variants(value: str) -> list[str]:
    """'[-1984]维西县,[1985-]维西傈僳族自治县' → both names."""
    return [re.sub(r"^\[[^\]]*\]", "", part) for part in value.split(",") if part]


def _divisions():
    """(province names, prefecture names, county names) for every county-level row of the
    table (past names included; grouping rows such as 市辖区 dropped), and for every
    prefecture with no county of its own (its county names empty)."""
    text = (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    provinces: list[str] = []
    prefectures: list[str] = []
    for line in text.splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        indent, code, value = match.groups()
        if not indent:  # a province: two digits
            provinces = _variants(value)
            yield provinces, [], []
        elif code == "0000":
            continue
        elif code.endswith("00"):  # a prefecture
            prefectures = [p for p in _variants(value) if p not in SKIPPED_LEVELS]
            yield provinces, prefectures, []
        else:
            yield provinces, prefectures, [c for c in _variants(value) if c not in SKIPPED_LEVELS]


@cache
def region_names() -> frozenset[str]:
    """Every province; province + prefecture; province + prefecture + county (the prefecture
    left out where the table only groups, as for the municipalities' districts)."""
    names: set[str] = set()
    for provinces, prefectures, counties in _divisions():
        names.update(provinces)
        names.update(a + b for a in provinces for b in prefectures)
        for county in counties:
            names.update(province + county for province in provinces)
            names.update(province + prefecture + county for province in provinces for prefecture in prefectures)
    return frozenset(names)


@cache
def issuing_authorities() -> tuple[str, ...]:
    """The offices that issue ID cards, as the back prints them: a county, banner or
    county-level city's bureau (舟曲县公安局), a city district's branch of the city bureau
    (上海市公安局静安分局; 浦东新区 → 浦东分局). A 区 under no city (神农架林区) has a bureau."""
    found: set[str] = set()
    for provinces, prefectures, counties in _divisions():
        municipality = any(p.endswith("市") for p in provinces)
        cities = provinces if municipality else [p for p in prefectures if p.endswith("市")]
        for county in counties:
            if county.endswith("区") and len(county) > 1 and cities:
                stem = county[:-1] if len(county) > 2 else county
                stem = stem.removesuffix("新") if stem.endswith("新") else stem
                found.update(f"{city}公安局{stem}分局" for city in cities)
            else:
                found.add(f"{county}公安局")
    return tuple(sorted(found))


@cache
def _one_off() -> dict[str, tuple[str, ...]]:
    """Each name with one character blanked (`?`) → the names that give that key."""
    index: dict[str, set[str]] = {}
    for name in region_names():
        for i in range(len(name)):
            index.setdefault(name[:i] + "?" + name[i + 1:], set()).add(name)
    return {key: tuple(sorted(found)) for key, found in index.items()}


def correct_region_prefix(address: str) -> str:
    """`address` with misread characters of its leading division names put right, one per
    name at most (甘需省甘南藏族自治州舟鼎县 → 甘肃省甘南藏族自治州舟曲县): see
    `_correct_one`. Each pass starts after what the last made right."""
    for _ in range(3):  # province, prefecture, county
        corrected = _correct_one(address)
        if corrected == address:
            break
        address = corrected
    return address


def _correct_one(address: str) -> str:
    """`address` with one misread character of its leading division names put right: done
    only where no longer name matches the text exactly and exactly one name does with one
    character changed (the longest such), so a correct address is never touched."""
    exact = _exact_start(address)
    index = _one_off()
    for length in range(min(len(address), _longest_name()), exact, -1):
        prefix = address[:length]
        found = {name for i in range(exact, length)
                 for name in index.get(prefix[:i] + "?" + prefix[i + 1:], ())}
        if len(found) == 1:
            return found.pop() + address[length:]
        if found:
            return address  # two names one character away: no telling which
    return address


def names_near(address: str) -> list[str]:
    """The division names longer than any `address` starts with exactly that its start reads as
    with one character changed, or two in a name of LONG_NAME characters or more: what a
    second look (pipeline.address_reread) chooses among."""
    exact = _exact_start(address)
    near = []
    for length, table in _names_by_length().items():
        if exact < length <= len(address):
            head = np.array([ord(char) for char in address[:length]], np.uint32)
            changed = (table != head).sum(axis=1)
            allowed = 2 if length >= LONG_NAME else 1
            near.extend(_names_of_length(length)[i] for i in np.flatnonzero(changed <= allowed))
    return near


def _exact_start(address: str) -> int:
    """The length of the longest division name `address` starts with exactly (0: none)."""
    names = region_names()
    return max((n for n in range(2, min(len(address), _longest_name()) + 1) if address[:n] in names), default=0)


@cache
def _longest_name() -> int:
    return max(len(name) for name in region_names())


LONG_NAME = 9
"""Names this long (province + prefecture at least) may be tried with two characters changed."""


@cache
def _names_of_length(length: int) -> tuple[str, ...]:
    return tuple(sorted(name for name in region_names() if len(name) == length))


@cache
def _names_by_length() -> dict[int, np.ndarray]:
    """Per length, the names' characters as a names × length array of code points."""
    lengths = sorted({len(name) for name in region_names()})
    return {n: np.array([[ord(c) for c in name] for name in _names_of_length(n)], np.uint32).reshape(-1, n)
            for n in lengths}
