"""Records where dlib finds the face in each image of the portrait pool, so that `specimens`
(which may not import dlib, and whose OpenCV build may lack Haar cascades) can crop ID photos
around the face the pipeline's own detector will look for later.

    .venv/bin/python scripts/face_boxes.py [FACES_DIR]   # rewrites specimens/data/face_boxes.json

Keys are SHA-256 digests of the image bytes, so a changed or new image is simply not found
and `specimens.faces` falls back to its own detection.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import face_recognition
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "specimens" / "data" / "face_boxes.json"


def main(faces_dir: Path) -> int:
    boxes: dict[str, dict] = {}
    for path in sorted(faces_dir.glob("*/*")):
        if path.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
            continue
        data = path.read_bytes()
        image = np.asarray(Image.open(path).convert("RGB"))
        found = face_recognition.face_locations(image, number_of_times_to_upsample=1)
        entry = {"file": str(path.relative_to(faces_dir)), "size": [image.shape[1], image.shape[0]]}
        if found:
            top, right, bottom, left = max(found, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]))
            entry["box"] = [left, top, right - left, bottom - top]
            entry["faces"] = len(found)
        boxes[hashlib.sha256(data).hexdigest()] = entry
        print(entry)
    OUT.write_text(json.dumps(boxes, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(boxes)} entries to {OUT}")
    return 0


if __name__ == "__main__":
    default = ROOT.parent / "shared" / "data" / "faces"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
