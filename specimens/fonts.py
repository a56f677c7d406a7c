"""The system fonts cards are printed with. Each document picks its Chinese family at random
(real cards differ by issuing year and printer, and a reader must not learn one typeface);
digits use DejaVu as a stand-in for OCR-B and the embossed Farrington of bank cards."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from PIL import ImageFont

from specimens.errors import SpecimenError

NOTO = Path("/usr/share/fonts/opentype/noto")
WQY = Path("/usr/share/fonts/truetype/wqy")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

# name → (file, face index inside a .ttc)
FAMILIES: dict[str, tuple[Path, int]] = {
    "noto_sans": (NOTO / "NotoSansCJK-Regular.ttc", 2),
    "noto_sans_bold": (NOTO / "NotoSansCJK-Bold.ttc", 2),
    "noto_serif": (NOTO / "NotoSerifCJK-Regular.ttc", 2),
    "noto_serif_bold": (NOTO / "NotoSerifCJK-Bold.ttc", 2),
    "wqy_zenhei": (WQY / "wqy-zenhei.ttc", 0),
    "wqy_microhei": (WQY / "wqy-microhei.ttc", 0),
    "dejavu_mono": (DEJAVU / "DejaVuSansMono.ttf", 0),
    "dejavu_mono_bold": (DEJAVU / "DejaVuSansMono-Bold.ttf", 0),
    "dejavu_sans": (DEJAVU / "DejaVuSans.ttf", 0),
    "dejavu_sans_bold": (DEJAVU / "DejaVuSans-Bold.ttf", 0),
}
CJK_FAMILIES = ("noto_sans", "noto_sans_bold", "noto_serif", "wqy_zenhei", "wqy_microhei")
"""Families a document's Chinese values are printed in (one per document)."""
HEI_FAMILIES = ("noto_sans", "noto_sans_bold", "wqy_zenhei", "wqy_microhei")
"""Sans-serif families, for labels and titles (real cards print those in 黑体)."""
TITLE_FAMILIES = ("noto_sans_bold", "wqy_zenhei", "noto_serif_bold")
"""Heavy families for printed titles (中华人民共和国 / 居民身份证 / 社会保障卡)."""
DIGIT_FAMILIES = ("dejavu_mono", "dejavu_mono_bold")


@cache
def font(family: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        path, index = FAMILIES[family]
    except KeyError:
        raise SpecimenError(f"unknown font family {family!r}; known: {sorted(FAMILIES)}") from None
    if not path.is_file():
        raise SpecimenError(f"font file {path} is missing; run `bash scripts/setup.sh` "
                            "(it installs fonts-noto-cjk, fonts-wqy-*, fonts-dejavu-core)")
    return ImageFont.truetype(str(path), size, index=index)


@cache
def _notdef(family: str) -> tuple:
    mask = font(family, 32).getmask("\U000F0000")
    return mask.size, bytes(mask)


def missing_glyphs(family: str, text: str) -> set[str]:
    """Characters of `text` the family has no glyph for (they would print as boxes)."""
    probe = font(family, 32)
    notdef = _notdef(family)
    missing = set()
    for char in set(text) - {" "}:
        mask = probe.getmask(char)
        if (mask.size, bytes(mask)) == notdef:
            missing.add(char)
    return missing


def pick_cjk(rng: random.Random) -> str:
    return rng.choice(CJK_FAMILIES)


def pick_hei(rng: random.Random) -> str:
    return rng.choice(HEI_FAMILIES)
