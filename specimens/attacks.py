"""Presentation attacks on remote verification, made from real material (face photos and
live videos), reproducible from a seed:

- `still_video`: one photo filmed by a fixed camera (nothing moves but sensor noise);
- `printed_photo`: the photo printed on paper, held in front of the camera and moved: drifted,
  turned in plane, tilted left and right (to fake a head turn), bent a little, re-lit as it
  catches the light, with paper grain and a white margin;
- `screen_replay`: a live video played on a phone held up to the camera: the screen's RGB
  sub-pixels resampled by the camera (aliasing moiré), backlight and glare, a black bezel,
  perspective and hand shake;
- `face_swap`: one person's live video, then another's, cut together mid-clip.

Videos are written with OpenCV's VideoWriter: MPEG-4 part 2 (`mp4v`) in .mp4, or Motion JPEG
in .avi; both are in the FFmpeg that opencv-python-headless ships (H.264 is not)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from specimens.textures import background

FOURCC = {".mp4": "mp4v", ".avi": "MJPG"}


def write_video(path: Path, frames: Iterator[np.ndarray] | list[np.ndarray], fps: float) -> Path:
    """Write BGR frames (all one size) to `path` (.mp4 or .avi)."""
    path = Path(path)
    writer = None
    try:
        for frame in frames:
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC[path.suffix]), fps, (w, h))
                if not writer.isOpened():
                    raise RuntimeError(f"OpenCV cannot write {path.suffix} video here")
            writer.write(np.ascontiguousarray(frame))
    finally:
        if writer is not None:
            writer.release()
    return path


def read_frames(path: Path, *, start: float = 0.0, seconds: float | None = None,
                size: tuple[int, int] | None = None) -> tuple[list[np.ndarray], float]:
    """The frames of a video between `start` and `start + seconds`, resized to `size` (w, h)."""
    video = cv2.VideoCapture(str(path))
    fps = video.get(cv2.CAP_PROP_FPS) or 30.0
    frames, index = [], 0
    while True:
        ok, frame = video.read()
        if not ok:
            break
        t = index / fps
        index += 1
        if t < start:
            continue
        if seconds is not None and t >= start + seconds:
            break
        frames.append(cv2.resize(frame, size, interpolation=cv2.INTER_AREA) if size else frame)
    video.release()
    return frames, fps


def _camera(frame: np.ndarray, g: np.random.Generator, noise: float = 3.0) -> np.ndarray:
    """What a phone camera adds: a little blur and sensor noise."""
    out = cv2.GaussianBlur(frame, (0, 0), 0.6).astype(np.float32)
    out += g.normal(0, noise, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _scene(size: tuple[int, int], g: np.random.Generator) -> np.ndarray:
    """A plain room behind the attack: a blurred surface with a light gradient."""
    w, h = size
    base = background(str(g.choice(["fabric", "desk", "paper"])), (w, h), g)
    base = cv2.GaussianBlur(base, (0, 0), 4)
    ramp = np.linspace(0.75, 1.05, w, dtype=np.float32)[None, :, None]
    return np.clip(base.astype(np.float32) * ramp, 0, 255).astype(np.uint8)


def still_video(photo: np.ndarray, *, seconds: float = 4.0, fps: float = 25.0, size: tuple[int, int] = (480, 480),
                seed: int = 0) -> list[np.ndarray]:
    """A photo filmed by a camera that does not move."""
    g = np.random.default_rng(seed)
    frame = fit(photo, size)
    return [_camera(frame, g) for _ in range(int(seconds * fps))]


def fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` cropped to the aspect of `size` (centred) and resized to it: a 16:9 clip as a
    phone held upright shows it."""
    w, h = size
    ih, iw = image.shape[:2]
    scale = max(w / iw, h / ih)
    resized = cv2.resize(image, (max(w, int(round(iw * scale))), max(h, int(round(ih * scale)))),
                         interpolation=cv2.INTER_AREA)
    y0, x0 = (resized.shape[0] - h) // 2, (resized.shape[1] - w) // 2
    return resized[y0:y0 + h, x0:x0 + w].copy()


def _plane_quad(w: float, h: float, yaw: float, pitch: float, roll: float, centre: tuple[float, float],
                scale: float, focal: float) -> np.ndarray:
    """Corners of a w×h plane turned by yaw/pitch (degrees, out of plane) and roll (in plane),
    seen through a pinhole camera, placed at `centre` with its width `scale` times w."""
    ry, rx, rz = (math.radians(a) for a in (yaw, pitch, roll))
    rot_y = np.array([[math.cos(ry), 0, math.sin(ry)], [0, 1, 0], [-math.sin(ry), 0, math.cos(ry)]])
    rot_x = np.array([[1, 0, 0], [0, math.cos(rx), -math.sin(rx)], [0, math.sin(rx), math.cos(rx)]])
    rot_z = np.array([[math.cos(rz), -math.sin(rz), 0], [math.sin(rz), math.cos(rz), 0], [0, 0, 1]])
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    turned = corners @ (rot_z @ rot_y @ rot_x).T
    distance = focal / scale
    projected = turned[:, :2] * (focal / (distance + turned[:, 2:3]))
    return (projected + np.array(centre)).astype(np.float32)


def _bend(image: np.ndarray, amount: float) -> np.ndarray:
    """A sheet bent round a vertical axis: columns squeezed towards the edges, edges darker."""
    h, w = image.shape[:2]
    x = np.linspace(-1, 1, w, dtype=np.float32)
    arc = amount * math.pi / 2  # half the angle the sheet wraps round
    source = np.arcsin(x * math.sin(arc)) / arc if amount > 0 else x  # a cylinder seen from the front
    map_x = np.tile(((source + 1) / 2 * (w - 1)).astype(np.float32), (h, 1))
    map_y = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, w))
    bent = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    shade = (1 - 0.25 * amount * np.abs(x) ** 2)[None, :, None]
    return np.clip(bent.astype(np.float32) * shade, 0, 255).astype(np.uint8)


def print_photo(photo: np.ndarray, g: np.random.Generator) -> np.ndarray:
    """The photo as a print: narrower gamut, paper grain, a white margin."""
    img = photo.astype(np.float32)
    grey = img.mean(axis=2, keepdims=True)
    img = 0.82 * img + 0.18 * grey  # inks are less saturated than a screen
    img = 18 + img * (225 / 255)   # paper white is not 255, ink black is not 0
    grain = cv2.GaussianBlur(g.normal(0, 1, photo.shape[:2]).astype(np.float32), (0, 0), 0.8)[..., None]
    img += 5 * grain
    margin = int(0.06 * max(photo.shape[:2]))
    printed = cv2.copyMakeBorder(np.clip(img, 0, 255).astype(np.uint8), margin, margin, margin, margin,
                                 cv2.BORDER_CONSTANT, value=(236, 238, 240))
    return printed


def printed_photo(photo: np.ndarray, *, seconds: float = 5.0, fps: float = 25.0, size: tuple[int, int] = (480, 480),
                  seed: int = 0, tilt: float = 35.0, bend: float = 0.15) -> list[np.ndarray]:
    """A printed photo held up and moved in front of the camera: it drifts, turns in plane,
    tilts left then right by up to `tilt` degrees (as if the head turned), nods, bends by
    `bend`, and the light on it changes."""
    g = np.random.default_rng(seed)
    sheet = print_photo(photo, g)
    sh, sw = sheet.shape[:2]
    scene = _scene(size, g)
    w, h = size
    n = int(seconds * fps)
    phase = g.uniform(0, 2 * math.pi, 6)
    frames = []
    for i in range(n):
        u = i / max(n - 1, 1)
        yaw = tilt * math.sin(2 * math.pi * u + phase[0] * 0.1)       # one sweep left, one right
        pitch = 8 * math.sin(2 * math.pi * 1.3 * u + phase[1])
        roll = 6 * math.sin(2 * math.pi * 0.7 * u + phase[2])
        cx = w / 2 + 0.06 * w * math.sin(2 * math.pi * 0.5 * u + phase[3]) + g.normal(0, 0.8)
        cy = h / 2 + 0.05 * h * math.sin(2 * math.pi * 0.8 * u + phase[4]) + g.normal(0, 0.8)
        scale = 0.95 * min(w / sw, h / sh) * (1 + 0.08 * math.sin(2 * math.pi * 0.6 * u + phase[5]))
        bent = _bend(sheet, bend * (0.5 + 0.5 * math.sin(2 * math.pi * u)))
        quad = _plane_quad(sw, sh, yaw, pitch, roll, (cx, cy), scale, focal=1.2 * w)
        src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
        matrix = cv2.getPerspectiveTransform(src, quad)
        warped = cv2.warpPerspective(bent, matrix, (w, h), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.full((sh, sw), 255, np.uint8), matrix, (w, h))
        light = 0.85 + 0.3 * (0.5 + 0.5 * math.sin(2 * math.pi * 0.9 * u + phase[0]))  # catches the light
        gradient = np.linspace(light * 0.9, light * 1.1, w, dtype=np.float32)[None, :, None]
        lit = np.clip(warped.astype(np.float32) * gradient, 0, 255)
        alpha = (mask.astype(np.float32) / 255)[..., None]
        frame = lit * alpha + scene.astype(np.float32) * (1 - alpha)
        frames.append(_camera(frame.astype(np.uint8), g))
    return frames


def _subpixels(shape: tuple[int, int], floor: float) -> np.ndarray:
    """An RGB-stripe LCD mask: each screen pixel three columns, B, G, R, with dark gaps; a
    sub-pixel lets through `floor` of the other colours (diffuser, viewing angle)."""
    h, w = shape
    mask = np.full((h, w, 3), floor, np.float32)
    for channel, offset in ((0, 0), (1, 1), (2, 2)):  # BGR order
        mask[:, offset::3, channel] = 1.0
    mask[2::3, :, :] *= 0.55  # the row gap between pixels
    return mask


def screen_replay(frames: list[np.ndarray], *, size: tuple[int, int] = (480, 480), seed: int = 0,
                  screen_share: float = 1.0, glare: float = 0.2, floor: float = 0.3) -> list[np.ndarray]:
    """The frames played on a phone held up to a camera: the image on an RGB-stripe screen
    (3 sub-pixel columns per screen pixel), brighter backlight, a glare spot, a black bezel,
    tilted and shaking in the hand, resampled by the camera without optical low-pass (moiré)."""
    g = np.random.default_rng(seed)
    w, h = size
    scene = _scene(size, g)
    fh, fw = frames[0].shape[:2]
    screen_px = (int(fw * 1.0), int(fh * 1.0))       # the phone shows the video at this many pixels
    bezel = int(0.05 * max(screen_px))
    mask = _subpixels((screen_px[1] * 3, screen_px[0] * 3), floor)
    glare_x, glare_y = g.uniform(0.25, 0.75, 2)
    yy, xx = np.mgrid[0:screen_px[1] * 3, 0:screen_px[0] * 3].astype(np.float32)
    spot = np.exp(-(((xx / (screen_px[0] * 3) - glare_x) / 0.18) ** 2 + ((yy / (screen_px[1] * 3) - glare_y) / 0.12) ** 2))
    gain = 1.1 / float(mask.mean())
    phase = g.uniform(0, 2 * math.pi, 4)
    out = []
    for i, frame in enumerate(frames):
        u = i / max(len(frames) - 1, 1)
        big = cv2.resize(frame, (screen_px[0] * 3, screen_px[1] * 3), interpolation=cv2.INTER_NEAREST)
        lit = np.clip(big.astype(np.float32) * mask * gain + 255 * glare * spot[..., None], 0, 255)
        panel = cv2.copyMakeBorder(lit.astype(np.uint8), bezel * 3, bezel * 3, bezel * 3, bezel * 3,
                                   cv2.BORDER_CONSTANT, value=(12, 12, 14))
        ph, pw = panel.shape[:2]
        yaw = 10 * math.sin(2 * math.pi * 0.4 * u + phase[0]) + g.normal(0, 0.4)
        pitch = 6 * math.sin(2 * math.pi * 0.3 * u + phase[1]) + g.normal(0, 0.4)
        roll = 3 * math.sin(2 * math.pi * 0.5 * u + phase[2]) + g.normal(0, 0.3)
        cx = w / 2 + 0.03 * w * math.sin(2 * math.pi * 0.7 * u + phase[3]) + g.normal(0, 1.0)
        cy = h / 2 + g.normal(0, 1.0)
        scale = screen_share * min(w / pw, h / ph) * 1.0
        quad = _plane_quad(pw, ph, yaw, pitch, roll, (cx, cy), scale, focal=1.2 * w)
        src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
        matrix = cv2.getPerspectiveTransform(src, quad)
        # The camera's pixels each integrate a patch of the screen (a box filter, no optical
        # low-pass): render at 3× and average 3×3 blocks down, and the sub-pixel grid aliases
        # into moiré bands, as it does on a real phone camera.
        canvas = (w * 3, h * 3)
        fine = cv2.warpPerspective(panel, _scaled(matrix, 3), canvas, flags=cv2.INTER_LINEAR)
        area = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), _scaled(matrix, 3), canvas)
        fine = cv2.resize(fine, (w, h), interpolation=cv2.INTER_AREA)
        area = cv2.resize(area, (w, h), interpolation=cv2.INTER_AREA)
        alpha = (area.astype(np.float32) / 255)[..., None]
        composed = fine.astype(np.float32) * alpha + scene.astype(np.float32) * (1 - alpha)
        out.append(_camera(composed.astype(np.uint8), g, noise=2.5))
    return out


def _scaled(matrix: np.ndarray, factor: float) -> np.ndarray:
    """The homography followed by scaling the output by `factor`."""
    return np.diag([factor, factor, 1.0]) @ matrix


def face_swap(first: list[np.ndarray], second: list[np.ndarray], *, size: tuple[int, int] = (480, 480),
              at: float = 0.5) -> list[np.ndarray]:
    """Person A's frames, then from `at` of the way on, person B's: one clip, two people."""
    n = min(len(first), len(second))
    cut = int(n * at)
    return [fit(f, size) for f in first[:cut]] + [fit(f, size) for f in second[cut:n]]


def id_card_photo(face: np.ndarray, *, box: tuple[int, int, int, int] | None = None, seed: int = 0,
                  difficulty: int = 1, **person) -> tuple[np.ndarray, object]:
    """The reference side: a photographed ID card front whose portrait is cut from `face` (BGR)
    round `box` ((x, y, w, h) of the face; without it, specimens' own finder, which may fall
    back to a centred crop), as the archive would hold it. Returns the photo (BGR) and the
    Person printed on it; `person` overrides the card's fields (`id_number`, `name`, …).
    specimens does not load the face models: callers that have them pass the box."""
    import random

    from schemas.documents import DocType
    from specimens.faces import find_face, make_portrait
    from specimens.generate import specimen_images
    from specimens.people import make_person

    rgb = cv2.cvtColor(face, cv2.COLOR_BGR2RGB)
    portrait = make_portrait(rgb, box if box is not None else find_face(rgb, ""))
    rng = random.Random(f"onewindow-verification/{seed}")
    card_holder = make_person(rng, portrait=portrait, **person)
    photo, _ = specimen_images(card_holder, [DocType.ID_CARD_FRONT], difficulty, rng)[DocType.ID_CARD_FRONT]
    return photo, card_holder
