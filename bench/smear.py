"""Reading photos taken while the phone moved, with and without the second look that takes
the motion smear out (`pipeline/deblur.py`).

    .venv/bin/python bench/smear.py [--people 12] [--seed 2026]

Each person's ID card front, back and bank card are photographed at the "normal" level
(specimens/camera.py), shrunk so the card is ~530 px across (the hardest level's size), then
smeared by a straight camera motion with the specimen generator's own kernel (a one-pixel line,
not the reader's model of one), given sensor noise and saved as JPEG at quality 70. Every
photo is read twice by the same reader: once with `ReadOptions.unsmear_motion` off, once on.
Prints a Markdown table per smear: fields right of the truth, cards typed right, and the
median and p95 seconds per photo."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.documents import DocType  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from specimens.camera import motion_kernel  # noqa: E402
from specimens.faces import FacePool  # noqa: E402
from specimens.generate import person_rng, specimen_images  # noqa: E402
from specimens.people import fields_for, make_person  # noqa: E402

KINDS = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)
SMEARS = ((7, 35.0), (9, 35.0), (9, 120.0))
"""(length in px, direction in degrees)."""


def smeared_photos(people: int, seed: int, faces_dir: Path):
    """(smear, doc_type, JPEG bytes, true fields) for every person, card and smear."""
    pool = FacePool(faces_dir)
    for index in range(people):
        rng = person_rng(seed, index)
        person = make_person(rng, faces=pool)
        photos = specimen_images(person, KINDS, 1, rng)
        noise = np.random.default_rng(seed * 1000 + index)
        for doc_type, (photo, _) in photos.items():
            small = cv2.resize(photo, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
            for length, degrees in SMEARS:
                smeared = cv2.filter2D(small.astype(np.float32), -1, motion_kernel(length, degrees))
                smeared += noise.normal(0, 4, smeared.shape)
                ok, jpeg = cv2.imencode(".jpg", np.clip(smeared, 0, 255).astype(np.uint8),
                                        [cv2.IMWRITE_JPEG_QUALITY, 70])
                yield (length, degrees), doc_type, jpeg.tobytes(), fields_for(doc_type, person)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    from cli.context import Context
    from pipeline.read import DocumentReader

    settings = Settings()
    reader = Context(settings).reader
    reader.engine.warm_up()
    readers = {"off": DocumentReader(reader.engine, reader.limits, replace(reader.options, unsmear_motion=False)),
               "on": DocumentReader(reader.engine, reader.limits, reader.options)}
    tally: dict[tuple, dict[str, list]] = {}
    for smear, doc_type, data, truth in smeared_photos(args.people, args.seed, settings.faces_dir):
        for name, each in readers.items():
            started = time.perf_counter()
            (reading,) = each.read_upload(data, "moved.jpg")
            seconds = time.perf_counter() - started
            row = tally.setdefault((smear, name), {"right": [], "fields": [], "typed": [], "seconds": []})
            row["right"].append(sum(reading.fields.get(k) == v for k, v in truth.items()))
            row["fields"].append(len(truth))
            row["typed"].append(reading.doc_type is doc_type)
            row["seconds"].append(seconds)
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print("| smear | second look | fields right | cards typed right | median s | p95 s |")
    print("|---|---|---:|---:|---:|---:|")
    for (smear, name), row in sorted(tally.items(), key=lambda item: (item[0][0], item[0][1] != "off")):
        seconds = sorted(row["seconds"])
        p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]
        print(f"| {smear[0]} px at {smear[1]:.0f}° | {name} | {sum(row['right'])}/{sum(row['fields'])} "
              f"| {sum(row['typed'])}/{len(row['typed'])} | {statistics.median(seconds):.2f} | {p95:.2f} |")


if __name__ == "__main__":
    main()
