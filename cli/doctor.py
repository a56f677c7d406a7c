"""`onewindow doctor`: is this machine ready? Models, fonts, face data, archive."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.render import console
from schemas.settings import Settings

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def register(sub) -> None:
    parser = sub.add_parser("doctor", help="check models, fonts and data are in place")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from models.rapid import SHIPPED_MODELS, shipped_model_dir

    settings = Settings()
    checks: list[tuple[str, bool, str]] = []
    model_dir = shipped_model_dir()
    missing = [m for m in SHIPPED_MODELS if not (model_dir / m).is_file()]
    checks.append(("RapidOCR PP-OCRv6 models", not missing, str(model_dir) if not missing else f"missing {missing}"))
    try:
        import face_recognition_models

        face_ok = Path(face_recognition_models.face_recognition_model_location()).is_file()
        checks.append(("dlib face models", face_ok, face_recognition_models.__name__))
    except Exception as exc:  # noqa: BLE001 - any import failure is the finding here
        checks.append(("dlib face models", False, f"{type(exc).__name__}: {exc}"))
    fonts = [f for f in CJK_FONTS if Path(f).is_file()]
    checks.append(("CJK fonts", len(fonts) == len(CJK_FONTS), ", ".join(fonts) or "none"))
    faces = settings.faces_dir
    checks.append(("face images for specimens", faces.is_dir() and any(faces.iterdir()), str(faces)))
    failed = 0
    for name, ok, detail in checks:
        failed += not ok
        console.print(f"{'[green]ok[/]' if ok else '[red]MISSING[/]'}  {name}: {detail}")
    return 1 if failed else 0
