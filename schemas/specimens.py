"""Ground truth for synthetic specimens (`truth.json`): which image shows which document of
which made-up person, the field values it prints (normalized as DESIGN.md says), and how the
"photograph" was taken, so OCR, locating and quality checks can be scored against it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.documents import DOC_FIELDS, DocType, Quad


class PhotoTransform(BaseModel):
    """What `specimens.camera.photograph` did to a flat card."""

    model_config = ConfigDict(extra="forbid")

    difficulty: int = Field(ge=0, le=3)
    image_size: tuple[int, int]
    """(width, height) of the photo in pixels."""
    rotation: int
    """Quarter turn applied to the card (0/90/180/270, clockwise); the reader must undo it."""
    skew: float
    """In-plane rotation in degrees on top of `rotation` (positive = clockwise)."""
    tilt: tuple[float, float]
    """Out-of-plane rotation (about the card's x and y axes) in degrees: the perspective."""
    corners: Quad
    """The card's own top-left, top-right, bottom-right, bottom-left in photo pixels."""
    card_width: float
    """Length of the card's top edge in photo pixels."""
    outside_fraction: float = 0.0
    """Share of the card's area that lies outside the photo (0 unless `cut_off`)."""
    background: str
    clutter: bool
    glare: bool
    shadow: bool
    blur_sigma: float
    motion_blur: int = 0
    """Length in pixels of the motion-blur kernel (0: none)."""
    noise: float
    """Standard deviation of the added sensor noise, in 8-bit levels."""
    jpeg_quality: int | None
    """None: stored losslessly (PNG)."""
    cut_off: bool = False
    too_small: bool = False


class SpecimenPerson(BaseModel):
    """Everything the documents of one made-up person print (normalized), plus the source of
    the portrait."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    sex: str
    ethnicity: str
    birth_date: str
    region_code: str
    """The county the ID number was assigned in (its first six digits when valid)."""
    id_number: str
    address: str
    issuing_authority: str
    valid_from: str
    valid_until: str
    bank_card_number: str
    bank_name: str
    bank_valid_thru: str = ""
    """MM/YY as printed on the bank card; empty when it prints none."""
    ssc_card_number: str
    ssc_bank_name: str
    ssc_issue_date: str
    face: str | None = None
    """Portrait source, relative to the faces directory (None: drawn silhouette)."""


class SpecimenDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str
    """Relative to the directory holding truth.json."""
    doc_type: DocType
    person: str
    difficulty: int = Field(ge=0, le=3)
    fields: dict[str, str]
    photo: PhotoTransform

    @model_validator(mode="after")
    def _canonical_fields(self) -> SpecimenDocument:
        expected = set(DOC_FIELDS[self.doc_type])
        if set(self.fields) != expected:
            raise ValueError(
                f"{self.file}: fields {sorted(self.fields)} are not those of "
                f"{self.doc_type.value} {sorted(expected)}"
            )
        return self


class SpecimenSet(BaseModel):
    """The contents of truth.json."""

    model_config = ConfigDict(extra="forbid")

    generator: str
    version: str
    seed: int
    n: int
    created_with: list[int]
    """The difficulty levels used, in the order people cycle through them."""
    doc_types: list[DocType]
    documents: list[SpecimenDocument]
    people: list[SpecimenPerson] = Field(default_factory=list)
