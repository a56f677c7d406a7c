"""Whole specimen sets: people → flat cards → photos → files plus truth.json, reproducible
byte for byte from a seed. Person i draws from its own seeded stream, so a set of n people is
a prefix of a larger set with the same seed."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from schemas.documents import DocType
from schemas.specimens import PhotoTransform, SpecimenDocument, SpecimenPerson, SpecimenSet
from specimens.camera import LEVELS, photograph
from specimens.cards import RENDERERS as CARD_RENDERERS, render_document
from specimens.certificates import PAGE_RENDERERS, certificate_fields, render_page
from specimens.errors import SpecimenError
from specimens.faces import FacePool
from specimens.people import Person, fields_for, make_person

GENERATOR = "onewindow.specimens"
VERSION = "1.0"
DOC_TYPES: tuple[DocType, ...] = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK,
                                  DocType.BANK_CARD, DocType.SOCIAL_SECURITY_CARD)
PAGE_TYPES: tuple[DocType, ...] = tuple(PAGE_RENDERERS)
"""Page-like documents (household register, certificates): `--doc-type` asks for them."""
RENDERERS = {**CARD_RENDERERS, **PAGE_RENDERERS}


def render(doc_type: DocType, person: Person, rng: random.Random):
    return render_page(doc_type, person, rng) if doc_type in PAGE_RENDERERS else render_document(doc_type, person, rng)


def document_fields(doc_type: DocType, person: Person) -> dict[str, str]:
    return certificate_fields(doc_type, person) if doc_type in PAGE_RENDERERS else fields_for(doc_type, person)


def person_rng(seed: int, index: int) -> random.Random:
    """The random stream of person `index` in the set made from `seed`."""
    return random.Random(f"onewindow-specimens/{seed}/{index}")


def specimen_images(person: Person, doc_types: Sequence[DocType], difficulty: int,
                    rng: random.Random, *, cut_off: bool = False,
                    too_small: bool = False) -> dict[DocType, tuple[np.ndarray, dict]]:
    """Photos (BGR uint8) of `person`'s documents with their transform records, in memory:
    what tests and the demo use without touching the disk."""
    return {DocType(t): photograph(render(DocType(t), person, rng), difficulty, rng,
                                   cut_off=cut_off, too_small=too_small)
            for t in doc_types}


def encode(photo: np.ndarray, info: dict) -> tuple[bytes, str]:
    """The file bytes and extension: PNG for lossless scans, else JPEG at the recorded
    quality (the photo already carries that quality's artefacts; re-encoding at the same
    quality changes almost nothing)."""
    quality = info.get("jpeg_quality")
    if quality is None:
        ok, buf = cv2.imencode(".png", photo, [cv2.IMWRITE_PNG_COMPRESSION, 3])
        ext = ".png"
    else:
        ok, buf = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        ext = ".jpg"
    if not ok:
        raise SpecimenError("could not encode a specimen image")
    return buf.tobytes(), ext


def person_record(pid: str, person: Person) -> SpecimenPerson:
    return SpecimenPerson(id=pid, **person.model_dump(exclude={"portrait"}))


def generate(out_dir: Path, n: int, seed: int, faces_dir: Path,
             difficulties: Sequence[int] = (0, 1, 2, 3),
             doc_types: Sequence[DocType] = DOC_TYPES) -> SpecimenSet:
    """Write `n` people's documents, person i at difficulty `difficulties[i % len]`, as
    `0007-id_card_front-d2.jpg` (PNG at difficulty 0) into `out_dir`, plus `truth.json`."""
    difficulties = tuple(int(d) for d in difficulties)
    doc_types = tuple(DocType(t) for t in doc_types)
    if n < 0 or not difficulties or not doc_types:
        raise SpecimenError("need n ≥ 0, at least one difficulty and one document type")
    if unknown := [d for d in difficulties if d not in LEVELS]:
        raise SpecimenError(f"unknown difficulty {unknown}; known: {sorted(LEVELS)}")
    if unknown := [t.value for t in doc_types if t not in RENDERERS]:
        raise SpecimenError(f"cannot render {unknown}; can render: "
                            f"{', '.join(t.value for t in RENDERERS)}")
    pool = FacePool(faces_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    documents, people = [], []
    for i in range(n):
        rng = person_rng(seed, i)
        pid = f"p{i:04d}"
        person = make_person(rng, faces=pool)
        people.append(person_record(pid, person))
        difficulty = difficulties[i % len(difficulties)]
        for doc_type, (photo, info) in specimen_images(person, doc_types, difficulty, rng).items():
            data, ext = encode(photo, info)
            name = f"{i:04d}-{doc_type.value}-d{difficulty}{ext}"
            (out_dir / name).write_bytes(data)
            documents.append(SpecimenDocument(
                file=name, doc_type=doc_type, person=pid, difficulty=difficulty,
                fields=document_fields(doc_type, person), photo=PhotoTransform(**info)))
    truth = SpecimenSet(generator=GENERATOR, version=VERSION, seed=seed, n=n,
                        created_with=list(difficulties), doc_types=list(doc_types),
                        documents=documents, people=people)
    (out_dir / "truth.json").write_text(truth.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return truth


def load_truth(path: Path) -> SpecimenSet:
    """Read a truth.json (or the directory holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "truth.json"
    return SpecimenSet.model_validate_json(path.read_text(encoding="utf-8"))
