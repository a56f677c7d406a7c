"""The household register page (常住人口登记卡): a grid of labelled cells, two per row on the
left and right halves; each value is read right of its label and cut at the next label."""

from __future__ import annotations

from pipeline.extract.base import Extracted
from pipeline.extract.certificates import extract_by_labels
from pipeline.fields import (
    normalize_address, normalize_date, normalize_ethnicity, normalize_id_number, normalize_name, normalize_sex,
)
from pipeline.layout import Layout, clean

RELATIONS = ("户主", "配偶", "子", "女", "父", "母", "孙子", "孙女", "儿媳", "女婿", "兄", "弟", "姐", "妹")


def _relation(text: str) -> str | None:
    compact = clean(text)
    for relation in sorted(RELATIONS, key=len, reverse=True):
        if compact.startswith(relation):
            return relation
    return None


def extract_household_register(layout: Layout) -> Extracted:
    return extract_by_labels(layout, [
        ("name", "姓名", normalize_name, ("户主或与户主关系", "户主或", "与户主关系")),
        ("relation_to_head", "户主或与户主关系", _relation, ()),
        ("sex", "性别", normalize_sex, ()),
        ("ethnicity", "民族", normalize_ethnicity, ()),
        ("birth_date", "出生日期", normalize_date, ()),
        ("id_number", "公民身份证件编号", normalize_id_number, ()),
        ("address", "住址", normalize_address, ()),
    ])
