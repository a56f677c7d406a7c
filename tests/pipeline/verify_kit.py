"""Material for verification tests, made from the shared real clips and photos: references,
short live clips and attack clips written with OpenCV's VideoWriter (mp4v in .mp4, MJPG in
.avi). What each live clip shows was checked by eye (and its README); tests assert only that."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np

from models.faces import face_models
from pipeline.verify import Reference, reference_from_image
from schemas.settings import shared_data_dir
from schemas.verification import Action, Challenge
from specimens import attacks

VIDEOS = shared_data_dir() / "videos"
FACES = shared_data_dir() / "faces"


def frame_at(clip: str, seconds: float) -> np.ndarray:
    frames, _ = attacks.read_frames(VIDEOS / f"{clip}.mp4", start=seconds, seconds=0.1)
    return frames[0]


def face_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the largest face, as specimens.attacks.id_card_photo takes it."""
    box = face_models().detect(image, side=None, upsample=1)[0]
    return box.left, box.top, box.width, box.height


def reference_from_clip(clip: str, seconds: float = 7.0) -> Reference:
    """A reference taken from a frame the probe part of the clip does not contain."""
    ref = reference_from_image(frame_at(clip, seconds), face_models())
    assert ref is not None
    return ref


def challenge(*actions: Action, minutes: float = 5, now: datetime | None = None) -> Challenge:
    now = now or datetime.now(timezone.utc)
    return Challenge(nonce="test", actions=list(actions), issued_at=now, expires_at=now + timedelta(minutes=minutes))


def face_crop(image: np.ndarray) -> np.ndarray:
    """Head and shoulders, as an attacker would print or hold up the photo."""
    box = face_models().detect(image, side=None, upsample=1)[0]
    h, w = image.shape[:2]
    m = int(0.9 * box.width)
    return image[max(box.top - m, 0):min(box.bottom + m, h), max(box.left - m, 0):min(box.right + m, w)]


def live_clip(folder: Path, clip: str, seconds: float, start: float = 0.0) -> Path:
    frames, fps = attacks.read_frames(VIDEOS / f"{clip}.mp4", start=start, seconds=seconds)
    return attacks.write_video(folder / f"live-{clip}-{start:g}-{seconds:g}.mp4", frames, fps)


def still_clip(folder: Path, photo: Path) -> Path:
    image = face_crop(cv2.imread(str(photo)))
    return attacks.write_video(folder / f"still-{photo.stem}.avi", attacks.still_video(image, seconds=3.0), 25)


def printed_clip(folder: Path, photo: Path, seed: int = 1) -> Path:
    image = face_crop(cv2.imread(str(photo)))
    frames = attacks.printed_photo(image, seconds=4.0, seed=seed, tilt=35.0)
    return attacks.write_video(folder / f"printed-{photo.stem}-{seed}.mp4", frames, 25)


def replay_clip(folder: Path, clip: str, seconds: float = 3.0) -> Path:
    frames, fps = attacks.read_frames(VIDEOS / f"{clip}.mp4", seconds=seconds, size=(360, 360))
    return attacks.write_video(folder / f"replay-{clip}.mp4", attacks.screen_replay(frames, size=(360, 360), seed=3), fps)


def swap_clip(folder: Path, first: str, second: str, seconds: float = 6.0) -> Path:
    a, fps = attacks.read_frames(VIDEOS / f"{first}.mp4", seconds=seconds, size=(480, 480))
    b, _ = attacks.read_frames(VIDEOS / f"{second}.mp4", seconds=seconds, size=(480, 480))
    return attacks.write_video(folder / f"swap-{first}-{second}.mp4", attacks.face_swap(a, b), fps)


def two_faces_clip(folder: Path, left: str, right: str, seconds: float = 3.0) -> Path:
    a, fps = attacks.read_frames(VIDEOS / f"{left}.mp4", seconds=seconds, size=(400, 400))
    b, _ = attacks.read_frames(VIDEOS / f"{right}.mp4", seconds=seconds, size=(400, 400))
    frames = [np.hstack([x, y]) for x, y in zip(a, b)]
    return attacks.write_video(folder / f"two-{left}-{right}.mp4", frames, fps)


def dark_clip(folder: Path, clip: str, seconds: float = 4.0) -> Path:
    frames, fps = attacks.read_frames(VIDEOS / f"{clip}.mp4", seconds=seconds)
    dark = [np.clip(f.astype(np.float32) * 0.18, 0, 255).astype(np.uint8) for f in frames]
    return attacks.write_video(folder / f"dark-{clip}.mp4", dark, fps)
