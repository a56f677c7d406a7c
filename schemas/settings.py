"""OneWindow's configuration: one validated object, read from ONEWINDOW_* environment
variables (and a `.env` file if present). Build it at the edge (CLI, app factory, worker
start) and pass it down; nothing reads the environment at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONEWINDOW_", env_file=".env", extra="ignore")

    archive: str = Field(
        default="./onewindow-data",
        description="Where the archive lives: a directory (the embedded default) or s3://bucket",
    )
    faces_dir: Path = Field(
        default=REPO_ROOT.parent / "shared" / "data" / "faces",
        description="Face images used as portraits when rendering specimens",
    )

    ocr_engine: Literal["rapidocr", "paddleocr"] = "rapidocr"
    ocr_threads: int = Field(default=2, ge=1, description="inference threads per process")
    paddle_det_dir: Path | None = None
    paddle_rec_dir: Path | None = None
    paddle_cls_dir: Path | None = None

    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_image_pixels: int = Field(default=60_000_000, ge=1)
    max_pdf_pages: int = Field(default=20, ge=1)

    @field_validator("faces_dir", "paddle_det_dir", "paddle_rec_dir", "paddle_cls_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None
