"""Field values: normalize what OCR read into DESIGN.md's canonical forms, and validate
them (python-stdnum for ID numbers and Luhn)."""

from __future__ import annotations

import re
from datetime import date

from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from pipeline.layout import clean
from pipeline.regions import correct_region_prefix
from schemas.documents import PERMANENT, FieldIssue

ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()

# Characters OCR confuses with digits, applied only where a field holds digits.
_DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0",
    "I": "1", "l": "1", "|": "1", "i": "1", "!": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "b": "6", "G": "6", "q": "9", "g": "9",
})
_X_LOOKALIKES = "xX×✕╳ⅹХх"
DATE_DOTS = r".,:·\-/"
"""What separates a date's parts: 2015.03.01, 2015-3-1, and a blurred dot read as , : or ·."""


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", clean(text).translate(_DIGIT_LOOKALIKES))


def normalize_id_number(text: str) -> str | None:
    """The 18-character ID number in `text` (upper-case X), or None if there is none."""
    compact = clean(text)
    compact = re.sub(f"[{_X_LOOKALIKES}]", "X", compact)
    mapped = "".join(c if c == "X" else c.translate(_DIGIT_LOOKALIKES) for c in compact)
    runs = id_number_candidates(mapped)
    if runs:
        valid = [r for r in runs if validate_id_number(r) is None]
        return (valid or runs)[0]
    return None


def id_number_candidates(text: str) -> list[str]:
    """The 18-character numbers in `text` (digits, upper-case X last): each run of 18, and
    where a run is longer (a stray digit of a garbled label before it:
    公R务出号6532925194907195986), a valid number inside it in its place."""
    found = []
    for run in re.findall(r"\d{17,}[\dX]", text):
        windows = [run[i:i + 18] for i in range(len(run) - 17) if "X" not in run[i:i + 17]]
        found.append(next((w for w in windows if validate_id_number(w) is None), windows[0]))
    return found


def validate_id_number(value: str) -> FieldIssue | None:
    try:
        ric.validate(value)
    except KeyError:
        # python-stdnum 2.2 raises KeyError for a region code that names a province or a
        # prefecture, not a county (110100): no ID number is issued under one
        return FieldIssue.REGION
    except InvalidChecksum:
        return FieldIssue.CHECKSUM
    except InvalidComponent:
        # stdnum raises InvalidComponent for an impossible birth date or unknown region
        try:
            ric.get_birth_date(value)
        except ValidationError:
            return FieldIssue.DATE
        return FieldIssue.REGION
    except ValidationError:
        return FieldIssue.FORMAT
    return None


def birth_date_of(id_number: str) -> str | None:
    try:
        return ric.get_birth_date(id_number).isoformat()
    except (ValidationError, ValueError):
        return None


def printed_birth_date(text: str, id_number: str | None) -> str | None:
    """The birth date `id_number` carries, if `text` prints it with its 年 and 月 lost or not
    (1968927日 for 19680927): digits a blurred line keeps in order, which only the number can
    split. None if the number carries no date or `text` does not print it."""
    born = birth_date_of(id_number) if id_number else None
    if born is None:
        return None
    year, month, day = born.split("-")
    pattern = rf"{year}\D{{0,2}}0?{int(month)}\D{{0,2}}0?{int(day)}(?!\d)"
    return born if re.search(pattern, clean(text).translate(_DIGIT_LOOKALIKES)) else None


def sex_of(id_number: str) -> str | None:
    if len(id_number) == 18 and id_number[16].isdigit():
        return "男" if int(id_number[16]) % 2 else "女"
    return None


def validate_card_number(value: str) -> FieldIssue | None:
    """Bank card numbers: 13–19 digits, Luhn."""
    if not re.fullmatch(r"\d{13,19}", value):
        return FieldIssue.FORMAT
    return None if luhn.is_valid(value) else FieldIssue.CHECKSUM


def normalize_ssc_number(text: str) -> str | None:
    """社会保障卡卡号: nine characters, a capital letter or digit then eight digits."""
    compact = clean(text).upper()
    match = re.search(r"([A-Z0-9])([0-9OISBZDQ]{8})(?![0-9])", compact)
    if not match:
        return None
    return match.group(1) + match.group(2).translate(_DIGIT_LOOKALIKES)


def validate_ssc_number(value: str) -> FieldIssue | None:
    return None if re.fullmatch(r"[A-Z0-9]\d{8}", value) else FieldIssue.FORMAT


def normalize_date(text: str) -> str | None:
    """'1962年3月7日', '2015.03.01', '2015-3-1', '20150301' → '2015-03-01' (None if no date).
    A blurred 年 may be lost ('19623月7日'): the year has four digits, so 月 still splits it."""
    compact = clean(text).translate(_DIGIT_LOOKALIKES)
    match = (re.search(rf"(\d{{4}})[年{DATE_DOTS}](\d{{1,2}})[月{DATE_DOTS}](\d{{1,2}})", compact)
             or re.search(r"(\d{4})(\d{1,2})月(\d{1,2})", compact)
             or re.search(r"(\d{4})(\d{2})(\d{2})", compact))
    if not match:
        return None
    return _iso(*(int(g) for g in match.groups()))


def validate_date(value: str) -> FieldIssue | None:
    try:
        date.fromisoformat(value)
    except ValueError:
        return FieldIssue.DATE
    return None


EARLIEST_BIRTH = date(1900, 1, 1)


def validate_past_date(value: str) -> FieldIssue | None:
    """A date that has happened, within a living person's lifetime (a birth date, the start of
    a card's validity): 1052 for 1952 or 2120 for 2020 is a misread digit."""
    issue = validate_date(value)
    if issue is None and not EARLIEST_BIRTH <= date.fromisoformat(value) <= date.today():
        return FieldIssue.DATE
    return issue


def normalize_validity(text: str) -> tuple[str | None, str | None]:
    """'2015.03.01-2035.03.01' or '2015.03.01-长期' → (valid_from, valid_until)."""
    compact = clean(text).translate(_DIGIT_LOOKALIKES)
    matches = list(re.finditer(rf"(\d{{4}})[{DATE_DOTS}]?(\d{{2}})[{DATE_DOTS}]?(\d{{2}})", compact))
    iso = [_iso(*(int(g) for g in m.groups())) for m in matches]
    valid_from = iso[0] if iso else None
    if len(iso) >= 2:
        return valid_from, iso[1]
    tail = compact[matches[0].end():] if matches else compact
    return valid_from, (PERMANENT if "长" in tail or "期" in tail else None)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def normalize_sex(text: str) -> str | None:
    match = re.search("[男女]", clean(text))
    return match.group(0) if match else None


def normalize_ethnicity(text: str) -> str | None:
    """The ethnic group named in `text` (the longest that fits), without a trailing 族."""
    compact = clean(text).removesuffix("族")
    for group in sorted(ETHNIC_GROUPS, key=len, reverse=True):
        if compact.startswith(group):
            return group
    for group in sorted(ETHNIC_GROUPS, key=len, reverse=True):
        if group in compact:
            return group
    # a multi-character name with its tail lost (独 for 独龙): take it if only one group fits
    fits = [g for g in ETHNIC_GROUPS if len(compact) >= 1 and len(g) > len(compact) and g.startswith(compact)]
    return fits[0] if len(fits) == 1 else None


def normalize_name(text: str) -> str | None:
    """Chinese names: CJK characters and the middle dot of transliterated names."""
    compact = re.sub(r"[^\u3400-\u9fff\U00020000-\U0002ffff·•]", "", clean(text)).replace("•", "·")
    return compact or None


CARD_NAME_LENGTH = 15
"""The most characters the name on a resident ID card holds (its chip keeps 30 bytes of UCS-2;
a longer name is printed shortened): a longer 'name' took in print from around the card."""


def validate_card_name(value: str) -> FieldIssue | None:
    return FieldIssue.FORMAT if len(value) > CARD_NAME_LENGTH else None


def normalize_address(text: str) -> str | None:
    """The address without spaces, one misread character of its leading division names put
    right (pipeline.regions: 傈傈 → 傈僳)."""
    compact = clean(text)
    return correct_region_prefix(compact) if compact else None
