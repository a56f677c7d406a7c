"""Eligibility rules: the applicant's age on the submission date, and the statutory retirement
age of the 2025 gradual reform (pipeline/retirement.py). The applicant's birth date and sex come
from their ID number (the application's, else the one on their ID card)."""

from __future__ import annotations

from datetime import date

from pipeline.fields import birth_date_of, sex_of
from pipeline.retirement import birthday, full_years, retirement_age
from pipeline.rules import CheckContext, id_field_of, say
from schemas.catalog import Role
from schemas.findings import FindingCode
from schemas.rules import MaxAge, MinAge, PostCategory, RetirementAge


def check_eligibility(ctx: CheckContext) -> None:
    if not ctx.service.eligibility:
        return
    number = _applicant_number(ctx)
    birth_text = birth_date_of(number) if number else None
    if not birth_text:
        return  # nothing to judge by: the missing or unreadable ID card has its own finding
    birth = date.fromisoformat(birth_text)
    values = dict(birth_date=birth_text, today=ctx.today.isoformat())
    for rule in ctx.service.eligibility:
        if isinstance(rule, MinAge) and full_years(birth, ctx.today) < rule.years:
            ctx.add(FindingCode.INELIGIBLE, say(
                rule.message, "申请人{birth_date}出生，至申请日{today}未满{years}周岁（{eligible_on}年满），"
                "暂不符合办理条件，请届时再申请。",
                years=rule.years, eligible_on=birthday(birth, rule.years).isoformat(), **values))
        elif isinstance(rule, MaxAge) and full_years(birth, ctx.today) >= rule.years:
            ctx.add(FindingCode.INELIGIBLE, say(
                rule.message, "申请人{birth_date}出生，至申请日{today}已满{years}周岁，不符合办理条件。",
                years=rule.years, **values))
        elif isinstance(rule, RetirementAge):
            post = _post(ctx, rule, number)
            age = retirement_age(birth, post)
            if ctx.today < age.retire_from:
                ctx.add(FindingCode.INELIGIBLE, say(
                    rule.message, "按渐进式延迟法定退休年龄的办法，申请人{birth_date}出生，法定退休年龄为{age}，"
                    "可于{retire_from}起办理退休；申请日{today}尚未达到，请届时再申请。",
                    age=age.text, retire_from=f"{age.retire_from:%Y年%m月}", **values))


def _applicant_number(ctx: CheckContext) -> str | None:
    if ctx.applicant:
        return ctx.applicant
    for material in ctx.service.materials:
        doc = ctx.chosen.get(material.id)
        name = id_field_of(doc.doc_type) if doc else None
        if material.owner is Role.APPLICANT and name and name not in doc.field_issues and doc.fields.get(name):
            return doc.fields[name]
    return None


def _post(ctx: CheckContext, rule: RetirementAge, number: str) -> PostCategory:
    if sex_of(number) == "男":
        return PostCategory.MALE
    stated = ctx.inputs.get("post_category")
    return PostCategory(stated) if stated in {PostCategory.FEMALE_50, PostCategory.FEMALE_55} else rule.female_default
