"""The statutory retirement age of the 2025 gradual reform (国务院《关于渐进式延迟法定退休年龄的
办法》, in force from 2025-01-01), as a function of birth month and post category:

- men: 60, +1 month for every 4 months of birth from 1965-01, up to 63;
- women in 55-year posts: 55, +1 month for every 4 months of birth from 1970-01, up to 58;
- women in 50-year posts: 50, +1 month for every 2 months of birth from 1975-01, up to 55.

A person retires in the month they reach that age: born 1965-01 → 60 years 1 month → 2025-02."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.rules import PostCategory


@dataclass(frozen=True)
class _Schedule:
    base_years: int
    start: tuple[int, int]
    """The first birth (year, month) whose age is raised."""
    months_per_step: int
    max_delay_months: int


SCHEDULES: dict[PostCategory, _Schedule] = {
    PostCategory.MALE: _Schedule(60, (1965, 1), 4, 36),
    PostCategory.FEMALE_55: _Schedule(55, (1970, 1), 4, 36),
    PostCategory.FEMALE_50: _Schedule(50, (1975, 1), 2, 60),
}


@dataclass(frozen=True)
class RetirementAge:
    years: int
    months: int
    retire_from: date
    """The first day of the month from which the person may retire."""

    @property
    def text(self) -> str:
        return f"{self.years}周岁" + (f"{self.months}个月" if self.months else "")


def delay_months(birth: date, post: PostCategory) -> int:
    schedule = SCHEDULES[post]
    since = (birth.year - schedule.start[0]) * 12 + (birth.month - schedule.start[1])
    if since < 0:
        return 0
    return min(schedule.max_delay_months, since // schedule.months_per_step + 1)


def retirement_age(birth: date, post: PostCategory) -> RetirementAge:
    total = SCHEDULES[post].base_years * 12 + delay_months(birth, post)
    month_index = birth.year * 12 + (birth.month - 1) + total
    return RetirementAge(total // 12, total % 12, date(month_index // 12, month_index % 12 + 1, 1))


def may_retire(birth: date, post: PostCategory, on: date) -> bool:
    return on >= retirement_age(birth, post).retire_from


def full_years(birth: date, on: date) -> int:
    """Age in full years on `on` (someone born on 29 February turns a year older on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def birthday(birth: date, years: int) -> date:
    """The day someone born on `birth` turns `years` old."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth.year + years, 3, 1)
