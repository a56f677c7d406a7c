"""The rules a service declares in its catalog file: per-field rules, cross-document rules and
eligibility rules. Each carries the Chinese message shown to the citizen and the reviewer;
`{placeholders}` in it are filled by the check engine (see docs/services.md for the list)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    """Whose document a material is."""

    APPLICANT = "applicant"
    INSURED = "insured"
    """The insured person the application is about when that is not the applicant."""
    DECEASED = "deceased"
    SPOUSE = "spouse"
    FAMILY = "family"
    """A document about the applicant and the insured together (proof of relationship)."""


class PostCategory(StrEnum):
    """The post a worker retires from, which sets the statutory retirement age (2025 reform)."""

    MALE = "male"
    """Men: 60 → 63."""
    FEMALE_55 = "female_55"
    """Women in 55-year posts (cadres, managerial and technical posts): 55 → 58."""
    FEMALE_50 = "female_50"
    """Women in 50-year posts (workers): 50 → 55."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str | None = None
    """In Chinese; overrides the engine's default text for this rule."""


class FieldRef(BaseModel):
    """One field on the document that satisfies one material."""

    model_config = ConfigDict(extra="forbid")

    material: str
    field: str


# Field rules ----------------------------------------------------------------------------------

class NotExpired(_Rule):
    """The date in `field` (or 长期) is on or after the submission date."""

    rule: Literal["not_expired"]
    material: str
    field: str = "valid_until"


class NotInFuture(_Rule):
    """The date in `field` is on or before the submission date (a death date, a termination)."""

    rule: Literal["not_in_future"]
    material: str
    field: str


class OneOf(_Rule):
    """The field's value is one of `values` (e.g. the relationship to the head of household)."""

    rule: Literal["one_of"]
    material: str
    field: str
    values: list[str] = Field(min_length=1)


FieldRule = Annotated[NotExpired | NotInFuture | OneOf, Field(discriminator="rule")]


# Cross-document rules ---------------------------------------------------------------------------

class SamePerson(_Rule):
    """The listed fields name one person: names agree with names, ID numbers with ID numbers."""

    rule: Literal["same_person"]
    names: list[FieldRef] = Field(default_factory=list)
    id_numbers: list[FieldRef] = Field(default_factory=list)


class IsInsured(_Rule):
    """The ID number in `field` is the insured person's named in the application (input
    `insured`); with no such input the rule has nothing to compare and stays silent."""

    rule: Literal["is_insured"]
    field: FieldRef


class ProvesRelationship(_Rule):
    """The relationship document names both people: a marriage certificate both spouses'
    ID numbers (the applicant's and the other person's), a household register page one of
    them with its relation to the head of household."""

    rule: Literal["proves_relationship"]
    material: str
    between: tuple[FieldRef, FieldRef]
    """Whose relationship: usually the applicant's ID card and the death certificate."""


CrossRule = Annotated[SamePerson | IsInsured | ProvesRelationship, Field(discriminator="rule")]


# Eligibility ------------------------------------------------------------------------------------

class MinAge(_Rule):
    """The applicant is at least `years` old (full years) on the submission date."""

    rule: Literal["min_age"]
    years: int = Field(ge=0, le=120)


class MaxAge(_Rule):
    """The applicant is younger than `years` on the submission date."""

    rule: Literal["max_age"]
    years: int = Field(ge=0, le=120)


class RetirementAge(_Rule):
    """The applicant has reached the statutory retirement age of the 2025 gradual reform by
    the submission month; the post category comes from the application (input
    `post_category`), women default to `female_default`."""

    rule: Literal["retirement_age"]
    female_default: PostCategory = PostCategory.FEMALE_55


EligibilityRule = Annotated[MinAge | MaxAge | RetirementAge, Field(discriminator="rule")]


class Input(BaseModel):
    """Something the applicant states in the application besides the documents."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    choices: list[str] | None = None
    required: bool = False
