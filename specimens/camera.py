"""A flat card "photographed" at one of four graded difficulties, the way citizens upload
them: 0 a flatbed scan; 1 a phone photo on a plain surface; 2 turned sideways or upside
down among clutter under uneven light with a mild glare; 3 all that, smaller, blurrier,
noisier, harder compressed, with a strong glare. Returns the photo and what was done."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from specimens.marks import card_mask
from specimens.textures import SURFACES, add_clutter, background, region, sensor_noise


@dataclass(frozen=True)
class Level:
    name: str
    frames: tuple[tuple[int, int], ...]
    card_share: tuple[float, float]
    """Card width as a share of the frame width (difficulty 3: absolute px, see card_px)."""
    skew: float
    tilt: float
    quadrants: tuple[int, ...]
    blur: tuple[float, float]
    noise: tuple[float, float]
    jpeg: tuple[int, int] | None
    glare: tuple[float, float] | None
    clutter: bool
    light: float
    """Strength of the light gradient / vignette / shadow."""
    card_px: tuple[int, int] | None = None
    motion: float = 0.0
    """Chance of motion blur instead of defocus."""


LEVELS = {
    0: Level("scan", (), (1.0, 1.0), 1.0, 0.0, (0,), (0.0, 0.0), (0.5, 1.0), None, None,
             False, 0.0),
    1: Level("normal", ((1600, 1200), (1600, 1200), (1200, 1600)), (0.45, 0.75), 8.0, 10.0,
             (0,), (0.2, 0.7), (1.5, 3.0), (85, 95), None, False, 0.12),
    2: Level("hard", ((1600, 1200), (1600, 1200), (1200, 1600)), (0.35, 0.6), 15.0, 20.0,
             (90, 180, 270), (0.5, 1.2), (3.0, 5.0), (70, 85), (0.3, 0.45), True, 0.35),
    3: Level("hardest", ((1024, 768), (960, 720), (768, 1024)), (0.35, 0.6), 15.0, 20.0,
             (90, 180, 270), (1.0, 1.8), (6.0, 9.0), (45, 65), (0.58, 0.72), True, 0.45,
             card_px=(480, 560), motion=0.35),
}
TOO_SMALL_PX = (190, 215)


def _project(w: float, h: float, tilt_x: float, tilt_y: float, angle: float,
             focal: float) -> np.ndarray:
    """Corners (TL, TR, BR, BL) of a w×h card centred at the origin, tilted out of plane
    (degrees about its x and y axes) seen by a pinhole camera of focal length `focal` px at
    a distance where the card centre keeps its scale, then turned `angle` degrees clockwise."""
    p = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    ax, ay = math.radians(tilt_x), math.radians(tilt_y)
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    q = p @ (ry @ rx).T
    z = focal + q[:, 2]
    uv = np.stack([focal * q[:, 0] / z, focal * q[:, 1] / z], axis=1)
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return uv @ rot.T


def _outside(quad: np.ndarray, size: tuple[int, int]) -> float:
    """Share of the quad's area outside the frame."""
    frame = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    inside, _ = cv2.intersectConvexConvex(quad.astype(np.float32), frame)
    return 1.0 - inside / cv2.contourArea(quad.astype(np.float32))


def _place(rel: np.ndarray, size: tuple[int, int], margin: float, g: np.random.Generator,
           cut_off: bool) -> tuple[np.ndarray, float]:
    """Translate the centred quad into the frame: fully inside with `margin`, or (cut_off)
    pushed across an edge until 17–28 % of its area lies outside."""
    w, h = size
    lo, hi = rel.min(axis=0), rel.max(axis=0)
    cx = g.uniform(margin - lo[0], max(margin - lo[0], w - margin - hi[0]))
    cy = g.uniform(margin - lo[1], max(margin - lo[1], h - margin - hi[1]))
    if not cut_off:
        return rel + (cx, cy), 0.0
    target = g.uniform(0.17, 0.28)
    angle = g.choice([0, 90, 180, 270]) + g.uniform(-30, 30)
    d = np.array([math.cos(math.radians(angle)), math.sin(math.radians(angle))])
    start = np.array([w / 2, h / 2])
    a, b = 0.0, float(w + h)
    for _ in range(40):  # bisect the distance along d where the outside share hits target
        mid = (a + b) / 2
        if _outside(rel + start + d * mid, size) < target:
            a = mid
        else:
            b = mid
    quad = rel + start + d * b
    return quad, _outside(quad, size)


def _light_field(size: tuple[int, int], strength: float, g: np.random.Generator,
                 shadow: bool) -> np.ndarray:
    """Multiplicative illumination (h, w): gradient, vignette, maybe a soft cast shadow;
    computed at 1/8 resolution (it is smooth) and enlarged."""
    w, h = size
    sw, sh = max(w // 8, 2), max(h // 8, 2)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    x, y = x / sw - 0.5, y / sh - 0.5
    theta = g.uniform(0, 2 * math.pi)
    field = 1 + strength * (x * math.cos(theta) + y * math.sin(theta)) * g.uniform(0.6, 1.2)
    field *= 1 - strength * g.uniform(0.3, 0.8) * (x * x + y * y)
    if shadow:
        mask = np.zeros((sh, sw), np.float32)
        pts = (g.random((4, 2)) * [sw * 1.6, sh * 1.6] - [sw * 0.8, sh * 0.3]).astype(np.int32)
        pts[:2, 1] = -sh  # hangs in from an edge, like a hand or a phone
        cv2.fillPoly(mask, [pts], 1.0)
        mask = cv2.GaussianBlur(mask, (0, 0), max(sw, sh) * g.uniform(0.04, 0.08))
        field *= 1 - strength * g.uniform(0.8, 1.1) * mask
    return cv2.resize(field, (w, h), interpolation=cv2.INTER_LINEAR)


def _add_glare(frame: np.ndarray, quad: np.ndarray, card_w: float, peak: float,
               g: np.random.Generator) -> None:
    """An elliptical specular highlight, up to `peak` of the way to white, centred somewhere
    on the card; in place, within its own reach."""
    h, w = frame.shape[:2]
    u, v = g.uniform(0.2, 0.8), g.uniform(0.25, 0.75)
    top = quad[0] + (quad[1] - quad[0]) * u
    bottom = quad[3] + (quad[2] - quad[3]) * u
    cx, cy = top + (bottom - top) * v
    rx = card_w * g.uniform(0.1, 0.2)
    ry = rx * g.uniform(0.35, 0.8)
    a = g.uniform(0, math.pi)
    x0, y0, x1, y1 = region(np.array([[cx, cy]]), (w, h), 2.2 * rx)
    if x1 <= x0 or y1 <= y0:
        return
    y, x = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = x - cx, y - cy
    xr, yr = dx * math.cos(a) + dy * math.sin(a), -dx * math.sin(a) + dy * math.cos(a)
    spot = (peak * np.exp(-((xr / rx) ** 2 + (yr / ry) ** 2) * 1.5))[..., None]
    sub = frame[y0:y1, x0:x1]
    sub += (255 - np.clip(sub, 0, 255)) * spot


def motion_kernel(length: int, angle: float) -> np.ndarray:
    """A straight motion smear `length` px long at `angle` degrees: a one-pixel line."""
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = math.cos(math.radians(angle)) * c, math.sin(math.radians(angle)) * c
    cv2.line(k, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1)
    return k / k.sum()


def photograph(card: Image.Image, difficulty: int, rng: random.Random, *, cut_off: bool = False,
               too_small: bool = False) -> tuple[np.ndarray, dict]:
    """A BGR uint8 photo of `card` (a canonical render: RGB with the rounded-card shape, or
    RGBA whose alpha is the shape) and a JSON-ready record of what was applied (see
    `schemas.specimens.PhotoTransform`). Deterministic in `rng`."""
    if difficulty not in LEVELS:
        raise ValueError(f"difficulty must be one of {sorted(LEVELS)}, not {difficulty!r}")
    level = LEVELS[difficulty]
    g = np.random.default_rng(rng.getrandbits(64))
    cw, ch = card.size
    quadrant = int(g.choice(level.quadrants))
    skew = float(g.uniform(-level.skew, level.skew))
    tilt_mag, tilt_dir = g.uniform(0, level.tilt), g.uniform(0, 2 * math.pi)
    tilt = (float(tilt_mag * math.cos(tilt_dir)), float(tilt_mag * math.sin(tilt_dir)))

    if difficulty == 0:
        width = g.uniform(*TOO_SMALL_PX) if too_small else float(cw)
        rel = _project(width, width * ch / cw, 0, 0, quadrant + skew, 1000.0)
        margins = g.uniform(20, 70, 4)
        span = rel.max(axis=0) - rel.min(axis=0)
        size = (1240, 1754) if too_small or cut_off else \
            (int(span[0] + margins[0] + margins[1]), int(span[1] + margins[2] + margins[3]))
        frame = background("scanner", size, g)
        kind = "scanner"
    else:
        size = level.frames[int(g.integers(len(level.frames)))]
        kind = SURFACES[int(g.integers(len(SURFACES)))]
        frame = background(kind, size, g)
        if too_small:
            width = g.uniform(*TOO_SMALL_PX)
        elif level.card_px:
            width = g.uniform(*level.card_px)
        else:
            width = g.uniform(*level.card_share) * size[0]
        focal = 0.85 * max(size)
        margin = 0.03 * min(size)
        while True:  # shrink until the turned, tilted card fits the frame
            rel = _project(width, width * ch / cw, *tilt, quadrant + skew, focal)
            span = rel.max(axis=0) - rel.min(axis=0)
            if cut_off or (span[0] <= size[0] - 2 * margin and span[1] <= size[1] - 2 * margin):
                break
            width *= 0.97
        margins = None
    if difficulty == 0 and not (too_small or cut_off):
        quad = rel - rel.min(axis=0) + (margins[0], margins[2])
        outside = 0.0
    else:
        quad, outside = _place(rel, size, 0.03 * min(size), g, cut_off)

    clutter = level.clutter and not too_small
    if clutter:
        add_clutter(frame, g, quad)

    # Pre-shrink the card so the perspective warp never decimates (aliasing).
    scale = width / cw
    src_img = np.asarray(card.convert("RGB"))[..., ::-1]
    shape = card.getchannel("A") if card.mode == "RGBA" else card_mask(card.size)
    alpha = np.asarray(shape, np.float32) / 255
    if scale < 0.9:
        small = (max(int(round(cw * scale * 1.1)), 8), max(int(round(ch * scale * 1.1)), 8))
        src_img = cv2.resize(src_img, small, interpolation=cv2.INTER_AREA)
        alpha = cv2.resize(alpha, small, interpolation=cv2.INTER_AREA)
    sh_, sw_ = alpha.shape
    src = np.array([[-0.5, -0.5], [sw_ - 0.5, -0.5], [sw_ - 0.5, sh_ - 0.5], [-0.5, sh_ - 0.5]],
                   np.float32)
    # Warp and composite only within the card's bounding box (and its shadow's reach).
    x0, y0, x1, y1 = region(quad, size, 0.05 * width + 10)
    if x1 > x0 and y1 > y0:
        local = quad.astype(np.float32) - np.array([x0, y0], np.float32)
        homography = cv2.getPerspectiveTransform(src, local)
        box = (x1 - x0, y1 - y0)
        warped = cv2.warpPerspective(src_img, homography, box, flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT).astype(np.float32)
        mask = cv2.warpPerspective(alpha, homography, box, flags=cv2.INTER_LINEAR)
        sub = frame[y0:y1, x0:x1]
        if difficulty > 0:  # the card's own drop shadow on the surface
            offset = np.rint(g.uniform(0.004, 0.012, 2) * width * g.choice([-1, 1], 2))
            soft = np.roll(cv2.GaussianBlur(mask, (0, 0), 0.01 * width + 2),
                           tuple(int(v) for v in offset[::-1]), (0, 1))
            sub *= (1 - g.uniform(0.25, 0.45) * soft)[..., None]
        sub[:] = sub * (1 - mask[..., None]) + warped * mask[..., None]

    cast_shadow = difficulty >= 2 and g.random() < 0.5
    if level.light:
        frame *= _light_field(size, level.light, g, cast_shadow)[..., None]
        frame *= g.uniform(0.95, 1.05, 3).astype(np.float32)  # white balance
    glare = level.glare is not None
    if glare:
        _add_glare(frame, quad, width, g.uniform(*level.glare), g)
    sigma, motion = float(g.uniform(*level.blur)), 0
    if level.motion and g.random() < level.motion:
        motion = int(g.integers(5, 10))
        frame = cv2.filter2D(frame, -1, motion_kernel(motion, g.uniform(0, 180)))
        sigma = 0.0
    elif sigma >= 0.2:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    else:
        sigma = 0.0
    noise = float(g.uniform(*level.noise))
    frame = cv2.scaleAdd(sensor_noise(size, g), noise, frame)
    photo = np.clip(frame, 0, 255, out=frame).astype(np.uint8)
    quality = int(g.integers(level.jpeg[0], level.jpeg[1] + 1)) if level.jpeg else None
    if quality is not None:
        ok, buf = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
        photo = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return photo, {
        "difficulty": difficulty, "image_size": [size[0], size[1]], "rotation": quadrant,
        "skew": round(skew, 3) + 0.0,  # + 0.0 turns -0.0 into 0.0
        "tilt": [round(tilt[0], 3) + 0.0, round(tilt[1], 3) + 0.0],
        "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in quad],
        "card_width": round(float(np.linalg.norm(quad[1] - quad[0])), 2),
        "outside_fraction": round(float(outside), 4), "background": kind,
        "clutter": clutter, "glare": glare, "shadow": cast_shadow,
        "blur_sigma": round(sigma, 3), "motion_blur": motion, "noise": round(noise, 3),
        "jpeg_quality": quality, "cut_off": cut_off, "too_small": too_small,
    }
