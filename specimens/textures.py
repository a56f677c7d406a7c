"""What lies behind and around a photographed card: procedural surfaces (wood, desk laminate,
fabric, paper, a scanner bed) rendered once per process from fixed seeds and then cropped,
flipped and tinted per photo, and clutter (printed sheets, pens, sticky notes, a keyboard)."""

from __future__ import annotations

import math
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from specimens import fonts
from specimens.vocab import FILLER_TEXT

BASE = 1800
"""Side of the cached texture squares: larger than any photo frame."""
SURFACES = ("wood", "desk", "fabric", "paper")


def _value_noise(g: np.random.Generator, size: int, cell: int) -> np.ndarray:
    """Smooth noise in [0, 1]: random values on a coarse grid, bicubically enlarged."""
    coarse = g.random((size // cell + 3, size // cell + 3)).astype(np.float32)
    big = cv2.resize(coarse, (size + 3 * cell, size + 3 * cell), interpolation=cv2.INTER_CUBIC)
    return np.clip(big[cell:cell + size, cell:cell + size], 0, 1)


@cache
def surface(kind: str) -> np.ndarray:
    """A BASE×BASE BGR uint8 texture of `kind` (rendered once, from a fixed seed)."""
    g = np.random.default_rng(sum(map(ord, kind)))
    n = BASE
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    if kind == "wood":  # long grain: noise stretched along x, gently warped, plus planks
        def streaks(cell_y: int, cell_x: int) -> np.ndarray:
            coarse = g.random((n // cell_y + 2, n // cell_x + 2)).astype(np.float32)
            return cv2.resize(coarse, (n, n), interpolation=cv2.INTER_CUBIC)
        warp = (_value_noise(g, n, 300) - 0.5) * 60
        rows = np.clip(y + warp, 0, n - 1).astype(np.int32)
        cols = x.astype(np.int32)
        grain = streaks(3, 200)[rows, cols] * 0.5 + streaks(14, 400)[rows, cols] * 0.3
        plank = (np.floor((y + warp * 0.2) / 360) % 2) * 0.12
        t = np.clip(grain + plank + _value_noise(g, n, 250) * 0.25, 0, 1)[..., None]
        light, dark = np.array([118, 166, 204], np.float32), np.array([58, 98, 146], np.float32)
        img = light * (1 - t) + dark * t
    elif kind == "fabric":
        weave = (np.sin(x * 1.3) * np.sign(np.sin(y * 0.65)) + np.sin(y * 1.3) *
                 np.sign(np.sin(x * 0.65))) * 0.12
        t = (0.75 + weave + (_value_noise(g, n, 2) - 0.5) * 0.2 + _value_noise(g, n, 200) * 0.15)
        img = np.array([200, 200, 200], np.float32) * t[..., None]
    elif kind == "paper":
        fibres = (_value_noise(g, n, 2) - 0.5) * 10 + (_value_noise(g, n, 60) - 0.5) * 8
        img = (np.array([236, 243, 246], np.float32) + fibres[..., None])
    elif kind == "scanner":
        img = np.full((n, n, 3), 250, np.float32) + (_value_noise(g, n, 2)[..., None] - 0.5) * 3
    else:  # desk laminate: near-flat colour with fine speckles
        speckle = (_value_noise(g, n, 2) - 0.5) * 14 + (_value_noise(g, n, 120) - 0.5) * 10
        img = np.array([200, 200, 200], np.float32) + speckle[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


@cache
def _noise_field() -> np.ndarray:
    """Unit Gaussian noise (BASE, BASE, 3), drawn once; photos take random crops of it."""
    return np.random.default_rng(7).standard_normal((BASE, BASE, 3), np.float32)


def sensor_noise(size: tuple[int, int], g: np.random.Generator) -> np.ndarray:
    """(h, w, 3) unit Gaussian noise: a random crop (a view) of the cached field."""
    w, h = size
    y0, x0 = int(g.integers(0, BASE - h + 1)), int(g.integers(0, BASE - w + 1))
    return _noise_field()[y0:y0 + h, x0:x0 + w]


# Per-photo tints (BGR multipliers) for surfaces that come in many colours.
_TINTS = {
    "wood": [(1.0, 1.0, 1.0), (0.8, 0.85, 0.95), (1.1, 1.1, 1.05), (0.6, 0.65, 0.75)],
    "desk": [(1.2, 1.2, 1.2), (0.45, 0.45, 0.48), (0.95, 0.98, 1.0), (0.9, 1.05, 1.15),
             (1.1, 1.05, 0.95)],
    "fabric": [(0.75, 0.45, 0.3), (0.55, 0.55, 0.58), (0.6, 0.85, 1.05), (0.45, 0.35, 0.8),
               (0.35, 0.55, 0.35), (1.05, 1.05, 1.05)],
    "paper": [(1.0, 1.0, 1.0), (0.92, 0.97, 1.0)],
    "scanner": [(1.0, 1.0, 1.0), (0.93, 0.93, 0.93), (0.97, 0.97, 0.96)],
}


def background(kind: str, size: tuple[int, int], g: np.random.Generator) -> np.ndarray:
    """A (h, w, 3) float32 BGR crop of surface `kind`, flipped and tinted at random."""
    w, h = size
    tex = surface(kind)
    y0, x0 = int(g.integers(0, BASE - h + 1)), int(g.integers(0, BASE - w + 1))
    crop = tex[y0:y0 + h, x0:x0 + w]
    if g.random() < 0.5:
        crop = crop[:, ::-1]
    if g.random() < 0.5 and kind != "wood":
        crop = crop[::-1]
    tints = _TINTS[kind]
    tint = np.array(tints[int(g.integers(len(tints)))], np.float32) * g.uniform(0.93, 1.05)
    out = crop.astype(np.float32)
    out *= tint  # may pass 255 here and there: the photo is clipped once, at the end
    return out


def region(points: np.ndarray, size: tuple[int, int], pad: float) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of `points` grown by `pad`, clipped to the frame: the
    only pixels an operation on that shape needs to touch."""
    w, h = size
    lo, hi = points.min(axis=0) - pad, points.max(axis=0) + pad
    return (int(max(lo[0], 0)), int(max(lo[1], 0)), int(min(math.ceil(hi[0]) + 1, w)),
            int(min(math.ceil(hi[1]) + 1, h)))


def _paste(frame: np.ndarray, patch: np.ndarray, alpha: np.ndarray, matrix: np.ndarray,
           shadow: float = 0.0) -> None:
    """Warp a patch (with alpha in [0, 1]) into the frame by a 2×3 affine matrix, in place,
    with an optional soft drop shadow; only the patch's bounding box is touched."""
    h, w = frame.shape[:2]
    ph, pw = alpha.shape
    corners = np.array([[0, 0, 1], [pw, 0, 1], [pw, ph, 1], [0, ph, 1]], np.float32) @ matrix.T
    x0, y0, x1, y1 = region(corners, (w, h), 40)
    if x1 <= x0 or y1 <= y0:
        return
    m = matrix.copy()
    m[:, 2] -= (x0, y0)
    size = (x1 - x0, y1 - y0)
    sub = frame[y0:y1, x0:x1]
    a = cv2.warpAffine(alpha, m, size, flags=cv2.INTER_LINEAR)
    if shadow:
        soft = np.roll(cv2.GaussianBlur(a, (0, 0), 8), (6, 5), (0, 1))
        sub *= (1 - shadow * soft)[..., None]
    p = cv2.warpAffine(patch, m, size, flags=cv2.INTER_LINEAR)
    a = a[..., None]
    sub[:] = sub * (1 - a) + p * a


def _rotation(g: np.random.Generator, centre: tuple[float, float], patch_size: tuple[int, int],
              angle: float | None = None) -> np.ndarray:
    pw, ph = patch_size
    angle = g.uniform(-40, 40) if angle is None else angle
    m = cv2.getRotationMatrix2D((pw / 2, ph / 2), angle, 1.0)
    m[:, 2] += np.array(centre) - np.array([pw / 2, ph / 2])
    return m.astype(np.float32)


def _sheet(g: np.random.Generator, width: int) -> np.ndarray:
    """A sheet of paper with lines of printed Chinese text and a ruled table, BGR float32."""
    height = int(width * 1.41)
    paper = tuple(int(v) for v in g.integers(236, 252, 3))
    img = Image.new("RGB", (width, height), paper)
    d = ImageDraw.Draw(img)
    size = max(12, width // 28)
    font = fonts.font(fonts.CJK_FAMILIES[int(g.integers(len(fonts.CJK_FAMILIES)))], size)
    margin, y = width // 10, width // 8
    d.text((width / 2, y), FILLER_TEXT[int(g.integers(0, 60)):][:8], font=fonts.font(
        "noto_sans_bold", int(size * 1.5)), fill=(30, 30, 30), anchor="ms")
    y += size * 3
    per_line = (width - 2 * margin) // size
    while y < height * 0.62:
        start = int(g.integers(0, len(FILLER_TEXT) - per_line))
        d.text((margin, y), FILLER_TEXT[start:start + per_line - int(g.integers(0, 4))],
               font=font, fill=(40, 40, 45))
        y += int(size * 1.8)
    for k in range(5):  # a form table below the text
        yy = int(height * 0.66 + k * size * 2)
        d.line((margin, yy, width - margin, yy), fill=(80, 80, 80), width=2)
    return np.asarray(img, np.float32)[..., ::-1].copy()


def add_clutter(frame: np.ndarray, g: np.random.Generator, avoid: np.ndarray) -> list[str]:
    """Sheets, sticky notes, pens, a keyboard edge, coins on the surface, drawn before the
    card goes down (so they may touch it, never cover it). `avoid` is the card's quad: pens
    and notes are kept from its centre. Returns the names of what was placed."""
    h, w = frame.shape[:2]
    placed = []
    for _ in range(int(g.integers(1, 3))):
        sw = int(g.uniform(0.35, 0.6) * min(w, h))
        sheet = _sheet(g, sw)
        edge = g.choice(["left", "right", "top", "bottom"])
        cx = {"left": 0.1, "right": 0.9}.get(edge, g.uniform(0.2, 0.8)) * w
        cy = {"top": 0.1, "bottom": 0.9}.get(edge, g.uniform(0.2, 0.8)) * h
        m = _rotation(g, (cx, cy), (sheet.shape[1], sheet.shape[0]))
        _paste(frame, sheet, np.ones(sheet.shape[:2], np.float32), m, shadow=0.25)
        placed.append("sheet")
    centre = avoid.mean(axis=0)
    for _ in range(int(g.integers(2, 5))):
        kind = g.choice(["pen", "note", "keyboard", "coin"])
        for _try in range(10):
            px, py = g.uniform(0.05, 0.95) * w, g.uniform(0.05, 0.95) * h
            if cv2.pointPolygonTest(avoid.astype(np.float32), (px, py), False) < 0 and \
                    np.hypot(px - centre[0], py - centre[1]) > 0.3 * min(w, h):
                break
        else:
            continue
        colour = g.integers(20, 235, 3).astype(np.float32)
        if kind == "pen":
            length, thick = int(g.uniform(0.25, 0.4) * w), int(g.uniform(14, 22))
            patch = np.zeros((thick, length, 3), np.float32) + colour
            shade = np.linspace(0.6, 1.2, thick, dtype=np.float32)[:, None, None]
            patch = np.clip(patch * shade, 0, 255)
            patch[:, : length // 6] *= 0.5  # the cap
            alpha = np.ones((thick, length), np.float32)
        elif kind == "note":
            side = int(g.uniform(0.12, 0.2) * w)
            colour = np.array([g.choice([120, 170]), g.choice([220, 240]), 250], np.float32)
            patch = np.zeros((side, side, 3), np.float32) + colour
            alpha = np.ones((side, side), np.float32)
        elif kind == "keyboard":
            kw, kh = int(0.6 * w), int(0.22 * w)
            patch = np.full((kh, kw, 3), 45, np.float32)
            key = max(kw // 16, 8)
            for r in range(kh // key):
                for c in range(kw // key):
                    cv2.rectangle(patch, (c * key + 3, r * key + 3),
                                  (c * key + key - 3, r * key + key - 3), (70, 70, 72), -1)
            alpha = np.ones((kh, kw), np.float32)
            px, py = (px, -kh * 0.2) if py < h / 2 else (px, h + kh * 0.2)
        else:  # coin
            r = int(g.uniform(0.025, 0.04) * w)
            patch = np.zeros((2 * r, 2 * r, 3), np.float32) + np.array([120, 170, 200], np.float32)
            alpha = np.zeros((2 * r, 2 * r), np.float32)
            cv2.circle(alpha, (r, r), r - 1, 1.0, -1)
            cv2.circle(patch, (r, r), int(r * 0.75), (100, 150, 185), 2)
        m = _rotation(g, (px, py), (patch.shape[1], patch.shape[0]))
        _paste(frame, patch, alpha, m, shadow=0.35)
        placed.append(str(kind))
    return placed
