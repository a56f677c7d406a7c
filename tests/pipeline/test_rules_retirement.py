"""The statutory retirement age of the 2025 gradual reform, at the boundary months of each
schedule, and the retirement service's eligibility rule on the months around it."""

from datetime import date

import pytest

from pipeline.retirement import delay_months, full_years, may_retire, retirement_age
from schemas.rules import PostCategory

MALE, F55, F50 = PostCategory.MALE, PostCategory.FEMALE_55, PostCategory.FEMALE_50


@pytest.mark.parametrize(("birth", "post", "years", "months", "retire_from"), [
    # men: 60, +1 month per 4 months of birth from 1965-01, up to 63
    ((1964, 12), MALE, 60, 0, (2024, 12)),
    ((1965, 1), MALE, 60, 1, (2025, 2)),
    ((1965, 4), MALE, 60, 1, (2025, 5)),
    ((1965, 5), MALE, 60, 2, (2025, 7)),
    ((1976, 8), MALE, 62, 11, (2039, 7)),
    ((1976, 9), MALE, 63, 0, (2039, 9)),
    ((1990, 6), MALE, 63, 0, (2053, 6)),
    # women in 55-year posts: 55, +1 month per 4 months from 1970-01, up to 58
    ((1969, 12), F55, 55, 0, (2024, 12)),
    ((1970, 1), F55, 55, 1, (2025, 2)),
    ((1970, 5), F55, 55, 2, (2025, 7)),
    ((1981, 9), F55, 58, 0, (2039, 9)),
    # women in 50-year posts: 50, +1 month per 2 months from 1975-01, up to 55
    ((1974, 12), F50, 50, 0, (2024, 12)),
    ((1975, 1), F50, 50, 1, (2025, 2)),
    ((1975, 2), F50, 50, 1, (2025, 3)),
    ((1975, 3), F50, 50, 2, (2025, 5)),
    ((1984, 10), F50, 54, 11, (2039, 9)),
    ((1984, 11), F50, 55, 0, (2039, 11)),
])
def test_retirement_age_at_the_boundaries(birth, post, years, months, retire_from):
    age = retirement_age(date(*birth, 15), post)
    assert (age.years, age.months) == (years, months)
    assert age.retire_from == date(*retire_from, 1)


def test_delay_never_exceeds_the_cap():
    assert delay_months(date(2000, 1, 1), MALE) == 36
    assert delay_months(date(2000, 1, 1), F55) == 36
    assert delay_months(date(2000, 1, 1), F50) == 60


def test_may_retire_from_the_first_day_of_the_month():
    birth = date(1965, 1, 20)  # 60 years 1 month → 2025-02
    assert not may_retire(birth, MALE, date(2025, 1, 31))
    assert may_retire(birth, MALE, date(2025, 2, 1))


def test_full_years_on_the_birthday():
    assert full_years(date(1966, 11, 28), date(2026, 11, 27)) == 59
    assert full_years(date(1966, 11, 28), date(2026, 11, 28)) == 60
