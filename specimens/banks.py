"""Chinese banks with real card-number prefixes (BINs) and lengths, their printed names and
colours, and Luhn-valid card numbers: what a bank card or the bank side of a social security
card prints."""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum import luhn


@dataclass(frozen=True)
class Bank:
    name: str
    """As printed on the card, and as `bank_name` holds it."""
    english: str
    bins: tuple[str, ...]
    length: int
    colour: tuple[int, int, int]
    """Main colour of its debit cards (RGB)."""
    accent: tuple[int, int, int]
    logo: str
    """Which simple mark stands in for its logo (see `specimens.marks.draw_bank_logo`)."""


BANKS: tuple[Bank, ...] = (
    Bank("中国农业银行", "AGRICULTURAL BANK OF CHINA", ("622848",), 19,
         (0, 133, 111), (214, 190, 120), "wheat"),
    Bank("中国建设银行", "CHINA CONSTRUCTION BANK", ("621700", "622700"), 19,
         (0, 84, 166), (160, 200, 235), "coin"),
    Bank("中国工商银行", "INDUSTRIAL AND COMMERCIAL BANK OF CHINA", ("622202", "621226"), 19,
         (196, 22, 28), (245, 200, 190), "seal"),
    Bank("招商银行", "CHINA MERCHANTS BANK", ("622588", "621483"), 16,
         (200, 21, 45), (250, 215, 215), "m"),
    Bank("交通银行", "BANK OF COMMUNICATIONS", ("622262",), 19,
         (22, 48, 120), (190, 205, 235), "ring"),
    Bank("中国银行", "BANK OF CHINA", ("621661", "621790"), 19,
         (167, 30, 50), (230, 200, 170), "coin"),
    Bank("中国邮政储蓄银行", "POSTAL SAVINGS BANK OF CHINA", ("621799", "622188"), 19,
         (0, 127, 61), (200, 230, 200), "wings"),
    Bank("兴业银行", "INDUSTRIAL BANK CO.,LTD.", ("622908",), 18,
         (10, 59, 140), (180, 205, 240), "wave"),
)

BANKS_BY_NAME = {b.name: b for b in BANKS}


def card_number(bank: Bank, rng: random.Random) -> str:
    """A Luhn-valid number of the bank's length starting with one of its BINs."""
    prefix = rng.choice(bank.bins)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(bank.length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def bank_for_number(number: str) -> Bank | None:
    return next((b for b in BANKS for p in b.bins
                 if number.startswith(p) and len(number) == b.length), None)


def group_digits(number: str) -> str:
    """How the number is printed: groups of four, the remainder last."""
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
