"""Face match: genuine and impostor distance distributions, and the threshold they support.

    .venv/bin/python bench/faces.py              # prints the tables recorded in bench/RESULTS.md

Three sets of pairs, each scored by OneWindow's encoder (dlib ResNet on 5-point aligned chips,
faces found with HOG at 2× for small images) and, for photo pairs, by face_recognition 1.3 used
as its README shows (load_image_file, face_encodings with its defaults, tolerance 0.6):

- photo–photo: every pair of the twelve people's photos in ../shared/data/faces;
- card–photo: each photo printed as the portrait of a generated ID card, photographed
  (difficulty 1), read by the real reader, the portrait cut from the card as
  pipeline/remote.py does it; against every other photo (genuine: same person);
- card–video: a frame of each live clip in ../shared/data/videos (at 5 s) printed on a card
  the same way; against the probe encodings `verify` takes from the clip's first 4 s
  (different frames: same person; other clips: impostors).

The threshold is chosen as the smallest impostor distance seen in any set, rounded down to
0.01: the largest threshold at which no impostor pair seen matches (FMR 0 here; the target is
≤ 0.1%); FNMR is read off at it. Around it, ± the review margin, cases go to a reviewer, so an
impostor passes on its own only below threshold − margin: further from any seen than that."""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore", message="pkg_resources is deprecated")

import cv2  # noqa: E402

from models.faces import face_distance, face_models  # noqa: E402
from schemas.settings import Settings, shared_data_dir  # noqa: E402

MARGIN = 0.04


def photos(faces_dir: Path) -> list[tuple[str, Path]]:
    return [(p.parent.name, p) for p in sorted(faces_dir.glob("*/*.jpg"))]


def encode_photo(path: Path):
    from pipeline.verify import reference_from_image

    ref = reference_from_image(cv2.imread(str(path)), face_models())
    return None if ref is None else ref.encoding


def card_reference(face_bgr: np.ndarray, seed: int, reader):
    """Print the face on an ID card, photograph it, read it, cut the portrait back out."""
    from pipeline.remote import card_portrait
    from pipeline.verify import reference_from_image
    from specimens.attacks import id_card_photo

    (box, *_) = face_models().detect(face_bgr, side=None, upsample=1)
    photo, _ = id_card_photo(face_bgr, box=(box.left, box.top, box.width, box.height), seed=seed, difficulty=1)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    (reading,) = reader.read_upload(data.tobytes(), "card.jpg")
    portrait = card_portrait(photo, reading.document_region, reading.orientation, face_models())
    if portrait is None:
        return None
    ref = reference_from_image(portrait, face_models(), source="id_card_front")
    return None if ref is None else ref.encoding


def split(pairs: list[tuple[float, bool]]) -> tuple[np.ndarray, np.ndarray]:
    genuine = np.array([d for d, same in pairs if same])
    impostor = np.array([d for d, same in pairs if not same])
    return genuine, impostor


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> tuple[float, float]:
    fnmr = float((genuine >= threshold).mean()) if genuine.size else float("nan")
    fmr = float((impostor < threshold).mean()) if impostor.size else float("nan")
    return fmr, fnmr


def _bands(distances: np.ndarray, t: float) -> str:
    passed = int((distances < t - MARGIN).sum())
    review = int(((distances >= t - MARGIN) & (distances < t + MARGIN)).sum())
    return f"{passed} / {review} / {distances.size - passed - review}"


def describe(name: str, genuine: np.ndarray, impostor: np.ndarray) -> str:
    return (f"| {name} | {genuine.size} | {genuine.mean():.3f} | {genuine.max():.3f} | {impostor.size} | "
            f"{impostor.min():.3f} | {impostor.mean():.3f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=Path, default=shared_data_dir() / "faces")
    parser.add_argument("--videos", type=Path, default=shared_data_dir() / "videos")
    parser.add_argument("--no-cards", action="store_true", help="skip the card sets (no OCR)")
    args = parser.parse_args()
    started = time.perf_counter()
    items = photos(args.faces)

    # photo–photo, OneWindow's encoder
    ours = {path: encode_photo(path) for _, path in items}
    found = [(person, path) for person, path in items if ours[path] is not None]
    photo_pairs = [(face_distance(ours[a], ours[b]), pa == pb)
                   for (pa, a), (pb, b) in itertools.combinations(found, 2)]

    # photo–photo, face_recognition as a user would call it
    import face_recognition

    theirs = {}
    for _, path in items:
        image = face_recognition.load_image_file(str(path))
        encodings = face_recognition.face_encodings(image)
        theirs[path] = encodings[0] if encodings else None
    fr_found = [(person, path) for person, path in items if theirs[path] is not None]
    fr_pairs = [(float(face_recognition.face_distance([theirs[a]], theirs[b])[0]), pa == pb)
                for (pa, a), (pb, b) in itertools.combinations(fr_found, 2)]

    sets = {"photo–photo": photo_pairs}
    card_pairs: list[tuple[float, bool]] = []
    video_pairs: list[tuple[float, bool]] = []
    if not args.no_cards:
        from models.factory import load_ocr_engine
        from pipeline.read import DocumentReader
        from pipeline.verify import VerifyOptions, _frames_to_encode
        from pipeline.capture import CaptureOptions, capture
        from specimens.attacks import read_frames, write_video

        reader = DocumentReader(load_ocr_engine(Settings()))
        cards = {}
        for seed, (person, path) in enumerate(found):
            cards[path] = card_reference(cv2.imread(str(path)), seed, reader)
        for (pa, a), (pb, b) in itertools.permutations(found, 2):
            if cards[a] is not None:
                card_pairs.append((face_distance(cards[a], ours[b]), pa == pb))
        sets["card–photo"] = card_pairs

        clips = sorted(args.videos.glob("*.mp4"))
        probes, refs = {}, {}
        with tempfile.TemporaryDirectory() as tmp:
            for seed, clip in enumerate(clips):
                frames, fps = read_frames(clip, seconds=4.0)
                short = write_video(Path(tmp) / f"{clip.stem}.mp4", frames, fps)
                seen = capture(short, face_models(), CaptureOptions())
                probes[clip.stem] = [face_models().encode(seen.samples[i].crop, seen.samples[i].crop_box)
                                     for i in (r[0] for r in _frames_to_encode(seen, VerifyOptions()))]
                (still,), _ = read_frames(clip, start=5.0, seconds=1 / fps)
                refs[clip.stem] = card_reference(still, 100 + seed, reader)
        for a, b in itertools.product(probes, probes):
            if refs[a] is not None and probes[b]:
                video_pairs.append((float(np.median([face_distance(refs[a], e) for e in probes[b]])), a == b))
        sets["card–video"] = video_pairs

    print("| pairs | genuine | mean | max | impostor | min | mean |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, pairs in sets.items():
        print(describe(f"{name} (OneWindow)", *split(pairs)))
    print(describe("photo–photo (face_recognition)", *split(fr_pairs)))
    print(f"\nphotos with a face: OneWindow {len(found)}/{len(items)}, face_recognition {len(fr_found)}/{len(items)}")
    if not args.no_cards:
        print(f"cards with a portrait found: {sum(v is not None for v in cards.values())}/{len(cards)}; "
              f"clip cards: {sum(v is not None for v in refs.values())}/{len(refs)}")

    lowest = min(split(p)[1].min() for p in sets.values())
    threshold = round(float(np.floor(lowest * 100) / 100), 2)
    print(f"\nlowest impostor distance {lowest:.3f} → threshold {threshold:.2f} (pass below "
          f"{threshold - MARGIN:.2f}, review {threshold - MARGIN:.2f}–{threshold + MARGIN:.2f}, fail above)\n")
    print("| pairs | matcher | threshold | FMR | FNMR | genuine: pass / review / fail | impostors: pass / review / fail |")
    print("|---|---|---:|---:|---:|---|---|")
    for name, pairs in sets.items():
        genuine, impostor = split(pairs)
        for label, t in (("OneWindow, calibrated", threshold), ("OneWindow at 0.6", 0.6)):
            fmr, fnmr = rates(genuine, impostor, t)
            bands = " | ".join(_bands(d, t) if label.endswith("ed") else "—" for d in (genuine, impostor))
            print(f"| {name} | {label} | {t:.2f} | {fmr:.2%} ({int(round(fmr * impostor.size))}/{impostor.size}) | "
                  f"{fnmr:.2%} ({int(round(fnmr * genuine.size))}/{genuine.size}) | {bands} |")
    genuine, impostor = split(fr_pairs)
    fmr, fnmr = rates(genuine, impostor, 0.6)
    print(f"| photo–photo | face_recognition defaults | 0.60 | {fmr:.2%} ({int(round(fmr * impostor.size))}/{impostor.size}) | "
          f"{fnmr:.2%} ({int(round(fnmr * genuine.size))}/{genuine.size}) | — | — |")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
