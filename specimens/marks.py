"""Printed elements that cards share: guilloche security backgrounds (vectorised, rendered
once per design), the emblem stand-in, the EMV chip, the UnionPay mark, bank logo marks, and
text drawn with letter spacing. Shapes only: no real logo or emblem is copied."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from specimens import fonts

CARD_SIZE = (1012, 638)
"""Canonical card size in pixels: 85.6 × 54 mm at ~300 dpi."""
CORNER_RADIUS = 38
"""ISO/IEC 7810 ID-1 corner radius (3.18 mm) at the canonical size."""
SUPERSAMPLE = 3


@cache
def card_mask(size: tuple[int, int] = CARD_SIZE, radius: int = CORNER_RADIUS) -> Image.Image:
    """The card's shape: a rounded rectangle (L, 255 inside), antialiased."""
    big = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).rounded_rectangle((0, 0, big.width - 1, big.height - 1),
                                          radius * SUPERSAMPLE, fill=255)
    return big.resize(size, Image.LANCZOS)


@cache
def guilloche(design: str, size: tuple[int, int] = CARD_SIZE) -> Image.Image:
    """A security-print background: a two-colour gradient under fine wavy line families and
    a rosette, all from closed-form fields so one numpy pass renders it."""
    spec = _DESIGNS[design]
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.clip(x / w * spec["tilt"][0] + y / h * spec["tilt"][1], 0, 1)[..., None]
    img = np.array(spec["a"], np.float32) * (1 - t) + np.array(spec["b"], np.float32) * t
    ink = np.zeros((h, w), np.float32)
    for k, (freq, amp, wave, angle) in enumerate(spec["waves"]):
        c, s = math.cos(angle), math.sin(angle)
        u, v = x * c + y * s, -x * s + y * c
        phase = v * freq + amp * np.sin(u * wave + k)
        ink = np.maximum(ink, np.cos(phase) ** 24)
    cx, cy, radius = spec["rosette"]
    dx, dy = x - cx * w, y - cy * h
    r = np.sqrt(dx * dx + dy * dy)
    theta = np.arctan2(dy, dx)
    petals = np.cos((r + 10 * np.sin(12 * theta)) * 0.16) ** 30
    ink = np.maximum(ink, petals * np.clip(1.4 - r / (radius * w), 0, 1))
    colour = np.array(spec["ink"], np.float32)
    strength = spec["strength"]
    img = img * (1 - strength * ink[..., None]) + colour * strength * ink[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


_DESIGNS = {
    "id_front": dict(a=(222, 233, 241), b=(243, 237, 218), tilt=(0.8, 0.3), ink=(150, 180, 200),
                     strength=0.28, rosette=(0.3, 0.62, 0.3),
                     waves=[(0.33, 3.0, 0.013, 0.0), (0.29, 2.2, 0.011, 1.1)]),
    "id_back": dict(a=(226, 238, 236), b=(243, 234, 214), tilt=(0.6, 0.6), ink=(156, 190, 184),
                    strength=0.28, rosette=(0.62, 0.45, 0.35),
                    waves=[(0.31, 2.6, 0.012, 0.35), (0.27, 3.2, 0.014, -0.8)]),
    "ssc": dict(a=(238, 245, 251), b=(212, 230, 246), tilt=(0.4, 0.9), ink=(168, 196, 226),
                strength=0.25, rosette=(0.82, 0.7, 0.28),
                waves=[(0.3, 2.4, 0.012, 0.2), (0.26, 2.8, 0.013, 1.3)]),
}


def spaced_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str,
                font: ImageFont.FreeTypeFont, fill, spacing: float = 0.0,
                anchor: str = "ls") -> float:
    """Draw `text` char by char `spacing` px apart from a left baseline; returns the end x."""
    x, y = xy
    for char in text:
        draw.text((x, y), char, font=font, fill=fill, anchor=anchor)
        x += font.getlength(char) + spacing
    return x - spacing


def spaced_width(text: str, font: ImageFont.FreeTypeFont, spacing: float = 0.0) -> float:
    return sum(font.getlength(c) for c in text) + spacing * max(len(text) - 1, 0)


def _star(cx: float, cy: float, r: float, rotation: float = -math.pi / 2) -> list[tuple]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.38
        a = rotation + i * math.pi / 5
        points.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    return points


@cache
def emblem(diameter: int) -> Image.Image:
    """A round red-and-gold emblem stand-in (stars over a gate, a ring of grain), RGBA."""
    s = diameter * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    gold, red = (226, 180, 62, 255), (206, 32, 40, 255)
    d.ellipse((0, 0, s - 1, s - 1), fill=gold)
    d.ellipse((s * 0.09, s * 0.09, s * 0.91, s * 0.91), fill=red)
    for i in range(28):  # grain ears around the rim
        a = 2 * math.pi * i / 28
        cx, cy = s / 2 + s * 0.4 * math.cos(a), s / 2 + s * 0.4 * math.sin(a)
        d.ellipse((cx - s * 0.035, cy - s * 0.02, cx + s * 0.035, cy + s * 0.02), fill=gold)
    d.polygon(_star(s * 0.5, s * 0.3, s * 0.12), fill=gold)
    for k in range(4):
        a = math.radians(-150 + k * 40)
        d.polygon(_star(s * 0.5 + s * 0.24 * math.cos(a), s * 0.36 + s * 0.2 * math.sin(a),
                        s * 0.045, a), fill=gold)
    d.rectangle((s * 0.3, s * 0.5, s * 0.7, s * 0.54), fill=gold)  # the gate's roofs
    d.rectangle((s * 0.34, s * 0.56, s * 0.66, s * 0.66), fill=gold)
    d.rectangle((s * 0.24, s * 0.68, s * 0.76, s * 0.72), fill=gold)
    for k in range(5):
        x0 = s * (0.37 + k * 0.06)
        d.rectangle((x0, s * 0.58, x0 + s * 0.025, s * 0.66), fill=red)
    return img.resize((diameter, diameter), Image.LANCZOS)


@cache
def chip(size: tuple[int, int] = (118, 90)) -> Image.Image:
    """An EMV contact chip: gold gradient with contact pads, RGBA."""
    w, h = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    light, dark = np.array([246, 222, 150], np.float32), np.array([196, 156, 72], np.float32)
    t = np.clip(0.6 * x + 0.4 * y, 0, 1)
    rgb = (light * (1 - t) + dark * t).astype(np.uint8)
    img = Image.fromarray(rgb, "RGB").convert("RGBA")
    d = ImageDraw.Draw(img)
    line = (150, 112, 44, 255)
    lw = 2 * SUPERSAMPLE
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=14 * SUPERSAMPLE, outline=line, width=lw)
    d.line((w * 0.36, 0, w * 0.36, h), fill=line, width=lw)
    d.line((w * 0.64, 0, w * 0.64, h), fill=line, width=lw)
    for f in (0.33, 0.66):
        d.line((0, h * f, w * 0.36, h * f), fill=line, width=lw)
        d.line((w * 0.64, h * f, w, h * f), fill=line, width=lw)
    d.rounded_rectangle((w * 0.36, h * 0.28, w * 0.64, h * 0.72), radius=6 * SUPERSAMPLE,
                        outline=line, width=lw)
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=14 * SUPERSAMPLE, fill=255)
    img.putalpha(mask)
    return img.resize(size, Image.LANCZOS)


@cache
def unionpay(size: tuple[int, int] = (168, 106), family: str = "noto_sans_bold") -> Image.Image:
    """The UnionPay mark: three slanted colour blocks with 银联 / UnionPay, RGBA."""
    w, h = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    slant = w * 0.08
    colours = ((226, 24, 54), (0, 68, 124), (0, 123, 132))
    bw = (w - slant) / 3
    for i, colour in enumerate(colours):
        x0 = i * bw * 0.97
        d.rounded_rectangle((x0 + slant, 0, x0 + bw + slant * 0.3, h * 0.97), radius=w * 0.04,
                            fill=colour + (255,))
    img = img.transform(img.size, Image.AFFINE, (1, 0.18, -h * 0.09, 0, 1, 0), Image.BICUBIC)
    d = ImageDraw.Draw(img)
    big = fonts.font(family, int(h * 0.36))
    small = fonts.font("dejavu_sans_bold", int(h * 0.17))
    d.text((w * 0.52, h * 0.42), "银联", font=big, fill="white", anchor="ms")
    d.text((w * 0.52, h * 0.72), "UnionPay", font=small, fill="white", anchor="ms")
    return img.resize(size, Image.LANCZOS)


@cache
def bank_logo(kind: str, diameter: int, colour, background) -> Image.Image:
    """A simple geometric mark standing in for a bank's logo, RGBA."""
    s = diameter * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    fg, bg = tuple(colour) + (255,), tuple(background) + (255,)
    d.ellipse((0, 0, s - 1, s - 1), fill=fg)
    d.ellipse((s * 0.1, s * 0.1, s * 0.9, s * 0.9), fill=bg)
    if kind == "coin":  # round coin with a square hole
        d.ellipse((s * 0.18, s * 0.18, s * 0.82, s * 0.82), fill=fg)
        d.rectangle((s * 0.38, s * 0.38, s * 0.62, s * 0.62), fill=bg)
    elif kind == "seal":  # a square seal with a bar across
        d.rectangle((s * 0.27, s * 0.27, s * 0.73, s * 0.73), fill=fg)
        d.rectangle((s * 0.36, s * 0.36, s * 0.64, s * 0.64), fill=bg)
        d.rectangle((s * 0.46, s * 0.12, s * 0.54, s * 0.88), fill=fg)
    elif kind == "wheat":  # two leaves around a stalk
        d.rectangle((s * 0.47, s * 0.2, s * 0.53, s * 0.82), fill=fg)
        for k in range(4):
            yy = s * (0.28 + k * 0.13)
            d.ellipse((s * 0.26, yy, s * 0.48, yy + s * 0.1), fill=fg)
            d.ellipse((s * 0.52, yy, s * 0.74, yy + s * 0.1), fill=fg)
    elif kind == "m":
        d.polygon([(s * .22, s * .72), (s * .3, s * .28), (s * .5, s * .55), (s * .7, s * .28),
                   (s * .78, s * .72), (s * .66, s * .72), (s * .62, s * .5), (s * .5, s * .68),
                   (s * .38, s * .5), (s * .34, s * .72)], fill=fg)
    elif kind == "ring":
        d.rectangle((s * 0.25, s * 0.25, s * 0.75, s * 0.75), outline=fg, width=int(s * 0.1))
    elif kind == "wings":
        d.polygon([(s * .18, s * .38), (s * .5, s * .5), (s * .82, s * .38), (s * .7, s * .62),
                   (s * .5, s * .68), (s * .3, s * .62)], fill=fg)
    else:  # wave
        for k in range(3):
            yy = s * (0.34 + k * 0.14)
            d.arc((s * 0.2, yy - s * 0.1, s * 0.5, yy + s * 0.1), 180, 360, fill=fg,
                  width=int(s * 0.06))
            d.arc((s * 0.5, yy - s * 0.1, s * 0.8, yy + s * 0.1), 0, 180, fill=fg,
                  width=int(s * 0.06))
    return img.resize((diameter, diameter), Image.LANCZOS)


def soft_shadow(mask: Image.Image, radius: float, opacity: int) -> Image.Image:
    """A blurred copy of an alpha mask, for drop shadows under embossed digits and marks."""
    return mask.filter(ImageFilter.GaussianBlur(radius)).point(lambda v: v * opacity // 255)
