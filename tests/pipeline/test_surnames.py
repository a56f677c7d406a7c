"""The second look at a Han name's surname, on name lines rendered in a card font and scored by
the real RapidOCR recognition model."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.extract.base import Extracted
from pipeline.layout import Line
from pipeline.surnames import COMPOUND_SURNAMES, SINGLE_SURNAMES, reread_surname, starts_with_surname
from schemas.documents import DocType
from tests.pipeline.layout_kit import rendered_line


@pytest.fixture(scope="module")
def engine(reader):
    return reader.engine


def _front(image: np.ndarray, read_as: str, ethnicity: str = "汉") -> Extracted:
    """An ID card front whose name line (the whole image) was read as `read_as`."""
    height, width = image.shape[:2]
    box = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    line = Line(read_as, 0.97, box, 0.0, 0.0, 1.0, 1.0)
    extracted = Extracted()
    extracted.put("name", read_as, [line])
    extracted.put("ethnicity", ethnicity, [])
    return extracted


def test_the_lists():
    assert len(SINGLE_SURNAMES) > 450 and len(set(SINGLE_SURNAMES)) == len(SINGLE_SURNAMES)
    assert all(len(surname) == 2 for surname in COMPOUND_SURNAMES)
    assert starts_with_surname("殷瑜利") and starts_with_surname("肖婕") and starts_with_surname("澹台森")
    assert not starts_with_surname("股瑜利") and not starts_with_surname("扎西顿珠")


def test_a_look_alike_that_is_no_surname_is_put_right(engine):
    extracted = _front(rendered_line("殷瑜利"), "股瑜利")  # as greedy decoding read a blurred card
    assert reread_surname(engine, rendered_line("殷瑜利"), DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "殷瑜利"


@pytest.mark.parametrize("group", ["锡伯", "回", "满"])
def test_groups_that_name_with_surnames_have_theirs_looked_at_too(engine, group):
    extracted = _front(rendered_line("殷瑜利"), "股瑜利", ethnicity=group)
    assert reread_surname(engine, rendered_line("殷瑜利"), DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "殷瑜利"


def test_with_the_group_not_read_the_name_is_left_as_read(engine):
    extracted = _front(rendered_line("殷瑜利"), "股瑜利")
    del extracted.fields["ethnicity"]
    assert not reread_surname(engine, rendered_line("殷瑜利"), DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "股瑜利"


def test_the_name_keeps_the_label_read_with_it(engine):
    image = rendered_line("姓名 殷瑜利")
    extracted = _front(image, "股瑜利")
    extracted.sources["name"][0].text = "姓名股瑜利"
    assert reread_surname(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "殷瑜利"


def test_a_name_of_a_group_with_its_own_naming_is_left_as_read(engine):
    image = rendered_line("扎西顿珠")
    extracted = _front(image, "扎西顿珠", ethnicity="藏")
    assert not reread_surname(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "扎西顿珠"


def test_a_surname_off_the_list_read_right_is_kept(engine):
    # 靖 is a surname, if a rare one, and not on the list; the model reads it plainly
    image = rendered_line("靖思远")
    extracted = _front(image, "靖思远")
    assert not reread_surname(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "靖思远"


def test_a_listed_surname_is_not_looked_at(engine):
    image = rendered_line("殷瑜利")
    extracted = _front(image, "段瑜利")  # wrong, but a surname: nothing says so
    assert not reread_surname(engine, image, DocType.ID_CARD_FRONT, extracted)
    assert extracted.fields["name"] == "段瑜利"


def test_other_documents_and_engines_that_cannot_rank_are_left_alone(engine):
    image = rendered_line("殷瑜利")
    assert not reread_surname(engine, image, DocType.SOCIAL_SECURITY_CARD, _front(image, "股瑜利"))
    assert not reread_surname(object(), image, DocType.ID_CARD_FRONT, _front(image, "股瑜利"))
