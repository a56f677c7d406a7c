"""Page-like documents read by their printed labels: the death certificate, the marriage
certificate's inner page and the labour-contract termination certificate. Each field is the
text right of its label on the same row, cut at the next label (pipeline.layout.right_of)."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.extract.base import Extracted
from pipeline.fields import normalize_date, normalize_id_number, normalize_name, normalize_sex
from pipeline.layout import Layout, Line, clean

Normalizer = Callable[[str], str | None]


def _company(text: str) -> str | None:
    compact = clean(text)
    return compact or None


def read_label(layout: Layout, label: str, normalize: Normalizer, stops: tuple[str, ...] = (),
               lines: list[Line] | None = None) -> tuple[str, list[Line]] | None:
    """The value printed right of `label`, normalized, and the lines it came from."""
    found = layout.find_label(label)
    if found is None:
        return None
    line, end = found
    value = normalize(layout.right_of(line, end, stops))
    if not value:
        return None
    row = layout.row_of(line)
    return value, [line] + [other for other in row.lines if other.x0 > line.x0 and other is not line]


def extract_by_labels(layout: Layout, spec: list[tuple[str, str, Normalizer, tuple[str, ...]]]) -> Extracted:
    out = Extracted()
    for field_name, label, normalize, stops in spec:
        found = read_label(layout, label, normalize, stops)
        if found:
            out.put(field_name, found[0], found[1])
    return out


def extract_death_certificate(layout: Layout) -> Extracted:
    return extract_by_labels(layout, [
        ("name", "死者姓名", normalize_name, ("性别",)),
        ("sex", "性别", normalize_sex, ()),
        ("id_number", "身份证件号码", normalize_id_number, ()),
        ("death_date", "死亡日期", normalize_date, ()),
    ])


def extract_termination(layout: Layout) -> Extracted:
    return extract_by_labels(layout, [
        ("name", "姓名", normalize_name, ("身份证号码", "身份证")),
        ("id_number", "身份证号码", normalize_id_number, ()),
        ("employer", "用人单位", _company, ()),
        ("termination_date", "合同解除日期", normalize_date, ()),
    ])


def extract_marriage_certificate(layout: Layout) -> Extracted:
    """持证人 and 登记日期 by label; then the two people, each a 姓名 row followed by a
    身份证件号 row: the one named like the holder is the holder, the other the spouse."""
    out = extract_by_labels(layout, [
        ("holder_name", "持证人", normalize_name, ()),
        ("registration_date", "登记日期", normalize_date, ()),
    ])
    people: list[tuple[str | None, Line | None, str, Line]] = []
    names = [(row, line) for row in layout.rows for line in row.lines
             if line.text.startswith("姓名") or (line.text == "姓名")]
    numbers = [line for line in layout.lines if normalize_id_number(line.text) and "字号" not in line.text]
    for number_line in sorted(numbers, key=lambda l: l.cy):
        above = [(row, line) for row, line in names if line.cy < number_line.cy]
        name, name_line = None, None
        if above:
            row, line = above[-1]
            name = normalize_name(layout.right_of(line, 2, ("性别", "国籍")))
            name_line = line
        people.append((name, name_line, normalize_id_number(number_line.text), number_line))
    if not people:
        return out
    holder = out.fields.get("holder_name")
    people.sort(key=lambda p: p[0] != holder)  # the holder's first, if named; else page order
    first, rest = people[0], people[1:]
    out.put("holder_id_number", first[2], [first[3]])
    if not holder and first[0]:
        out.put("holder_name", first[0], [first[1]])
    if rest:
        spouse = rest[0]
        out.put("spouse_id_number", spouse[2], [spouse[3]])
        if spouse[0]:
            out.put("spouse_name", spouse[0], [spouse[1]])
    return out
