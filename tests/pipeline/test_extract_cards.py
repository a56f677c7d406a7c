"""Extracting the social security card's fields from layouts as recognition gives them."""

from __future__ import annotations

from pipeline.extract.cards import extract_social_security_card
from tests.pipeline.layout_kit import card_layout


def test_a_name_whose_label_left_one_character_in_the_value_column_loses_it():
    # 姓名 blurred to its first character, read into the value's box; nothing said 姓名
    for remnant in ("姓", "名"):
        layout = card_layout((remnant + "姜德", 0.30, 0.42), ("11010519491231002X", 0.31, 0.53),
                             ("A12345678", 0.31, 0.64))
        assert extract_social_security_card(layout).fields["name"] == "姜德"
