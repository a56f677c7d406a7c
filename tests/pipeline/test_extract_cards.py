"""Extracting the social security card's fields from layouts as recognition gives them."""

from __future__ import annotations

import pytest

from pipeline.extract.cards import extract_social_security_card, snap_bank_name
from tests.pipeline.layout_kit import card_layout


def test_a_name_whose_label_left_one_character_in_the_value_column_loses_it():
    # 姓名 blurred to its first character, read into the value's box; nothing said 姓名
    for remnant in ("姓", "名"):
        layout = card_layout((remnant + "姜德", 0.30, 0.42), ("11010519491231002X", 0.31, 0.53),
                             ("A12345678", 0.31, 0.64))
        assert extract_social_security_card(layout).fields["name"] == "姜德"


@pytest.mark.parametrize("read, bank", [
    ("中国工商很行", "中国工商银行"),  # one slip
    ("中中国工商银行", "中国工商银行"),  # the logo's 中 read before the name
    ("工商银行", "中国工商银行"),  # the start lost at the card's edge
    ("光大银行", "中国光大银行"),
    ("中国银行", "中国银行"),
    ("国银行", "国银行"),  # too short to say
    ("长沙银行", "长沙银行"),  # an issuer off the list stays as read
])
def test_bank_names_snap_to_the_listed_issuer_they_plainly_are(read, bank):
    assert snap_bank_name(read) == bank
