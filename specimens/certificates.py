"""Page-like documents for the services beyond the cards: a household register page
(常住人口登记卡), a death certificate (居民死亡医学证明（推断）书), a marriage certificate's
inner page (结婚证) and a labour-contract termination certificate (解除/终止劳动合同证明书).

Each is an A4-proportioned landscape page (what `pipeline.locate` finds as a PAGE): a title,
then label/value rows as these forms print them, a stamp. Values not on the `Person` (the
spouse, the death date, the employer …) come from a stream seeded by the person's ID number,
so `certificate_fields` gives the truth without the renderer's random state."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from PIL import Image, ImageDraw

from schemas.documents import DOC_FIELDS, DocType
from specimens import fonts
from specimens.people import Person, make_person

PAGE_SIZE = (1414, 1000)
"""Landscape, 297:210."""
INK = (30, 30, 34)
LABEL_INK = (70, 60, 60)
STAMP_RED = (200, 30, 40)
RELATIONS = ("户主", "配偶", "子", "女", "母", "父")
EMPLOYERS = ("北京市恒达机械制造有限公司", "河北华通物流有限公司", "石家庄市新源食品有限公司",
             "天津市宏远建材有限公司", "保定市安和纺织有限公司")
CAUSES = ("心力衰竭", "脑梗死", "肺部感染", "恶性肿瘤")


def _stream(doc_type: DocType, person: Person) -> random.Random:
    return random.Random(f"onewindow-certificates/{doc_type.value}/{person.id_number}")


def _cn_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def spouse_of(person: Person) -> Person:
    """A made-up spouse of the other sex, about the same age."""
    rng = _stream(DocType.MARRIAGE_CERTIFICATE, person)
    birth = dt.date.fromisoformat(person.birth_date) + dt.timedelta(days=rng.randint(-1500, 1500))
    if (birth.month, birth.day) == (2, 29):
        birth -= dt.timedelta(days=1)
    return make_person(rng, sex="女" if person.sex == "男" else "男", birth_date=birth.isoformat())


def certificate_fields(doc_type: DocType, person: Person) -> dict[str, str]:
    """The canonical field values the page of `doc_type` prints for `person` (the holder, the
    deceased, the employee)."""
    rng = _stream(doc_type, person)
    birth = dt.date.fromisoformat(person.birth_date)
    if doc_type is DocType.HOUSEHOLD_REGISTER:
        values = dict(relation_to_head=rng.choice(RELATIONS))
    elif doc_type is DocType.DEATH_CERTIFICATE:
        values = dict(death_date=(dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))).isoformat())
    elif doc_type is DocType.MARRIAGE_CERTIFICATE:
        spouse = spouse_of(person)
        married = birth.replace(year=birth.year + 24) + dt.timedelta(days=rng.randint(0, 2000))
        values = dict(holder_name=person.name, holder_id_number=person.id_number, spouse_name=spouse.name,
                      spouse_id_number=spouse.id_number, registration_date=married.isoformat())
    elif doc_type is DocType.LABOR_CONTRACT_TERMINATION:
        values = dict(employer=rng.choice(EMPLOYERS),
                      termination_date=(dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))).isoformat())
    else:
        raise KeyError(doc_type)
    base = person.model_dump()
    return {key: values.get(key, base.get(key, "")) for key in DOC_FIELDS[doc_type]}


class _Page:
    def __init__(self, rng: random.Random, tint: tuple[int, int, int] = (240, 237, 228)):
        self.image = Image.new("RGB", PAGE_SIZE, tint)
        self.draw = ImageDraw.Draw(self.image)
        self.rng = rng
        self.label_font = fonts.font(rng.choice(fonts.HEI_FAMILIES), 34)
        self.value_font = fonts.font(rng.choice(fonts.CJK_FAMILIES), 36)
        self.digit_font = fonts.font(rng.choice(fonts.DIGIT_FAMILIES), 36)
        self.draw.rectangle((40, 40, PAGE_SIZE[0] - 40, PAGE_SIZE[1] - 40), outline=(120, 100, 90), width=3)

    def title(self, text: str, y: int = 70, size: int = 58, colour=INK) -> None:
        face = fonts.font(self.rng.choice(fonts.TITLE_FAMILIES), size)
        self.draw.text((PAGE_SIZE[0] // 2, y), text, font=face, fill=colour, anchor="mt")

    def field(self, x: int, y: int, label: str, value: str, *, digits: bool = False, box: int | None = None) -> None:
        """`label` then its value, with a cell border as the printed forms have."""
        self.draw.text((x, y), label, font=self.label_font, fill=LABEL_INK)
        width = self.label_font.getlength(label)
        self.draw.text((x + width + 28, y - 1), value, font=self.digit_font if digits else self.value_font, fill=INK)
        if box:
            self.draw.line((x - 12, y + 52, x + box, y + 52), fill=(150, 140, 130), width=2)

    def text(self, x: int, y: int, text: str) -> None:
        self.draw.text((x, y), text, font=self.value_font, fill=INK)

    def stamp(self, cx: int, cy: int, text: str) -> None:
        r = 105
        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=STAMP_RED, width=6)
        face = fonts.font("noto_sans_bold", 22)
        self.draw.text((cx, cy + 45), text[:10], font=face, fill=STAMP_RED, anchor="mm")


def render_household_register(person: Person, rng: random.Random) -> Image.Image:
    f = certificate_fields(DocType.HOUSEHOLD_REGISTER, person)
    page = _Page(rng, (238, 232, 218))
    page.title("常住人口登记卡")
    left, right = 90, 760
    page.field(left, 190, "姓名", f["name"], box=620)
    page.field(right, 190, "户主或与户主关系", f["relation_to_head"], box=560)
    page.field(left, 280, "曾用名", "", box=620)
    page.field(right, 280, "性别", f["sex"], box=560)
    page.field(left, 370, "籍贯", "", box=620)
    page.field(right, 370, "民族", f["ethnicity"], box=560)
    page.field(left, 460, "出生日期", _cn_date(f["birth_date"]), box=1240)
    page.field(left, 550, "公民身份证件编号", f["id_number"], digits=True, box=1240)
    page.field(left, 640, "住址", f["address"], box=1240)
    page.field(left, 760, "登记日期", _cn_date(person.valid_from), box=620)
    page.stamp(1180, 820, "户口专用章")
    return page.image


def render_death_certificate(person: Person, rng: random.Random) -> Image.Image:
    f = certificate_fields(DocType.DEATH_CERTIFICATE, person)
    page = _Page(rng)
    page.title("居民死亡医学证明（推断）书", size=54)
    left, right = 90, 800
    page.field(left, 190, "死者姓名", f["name"], box=660)
    page.field(right, 190, "性别", f["sex"], box=520)
    page.field(left, 290, "身份证件号码", f["id_number"], digits=True, box=1240)
    page.field(left, 390, "出生日期", _cn_date(person.birth_date), box=660)
    page.field(left, 490, "死亡日期", _cn_date(f["death_date"]), box=660)
    page.field(left, 590, "死亡原因", _stream(DocType.UNKNOWN, person).choice(CAUSES), box=1240)
    page.field(left, 690, "医疗卫生机构", "市第一人民医院", box=1240)
    page.stamp(1150, 800, "医学证明专用章")
    return page.image


def render_marriage_certificate(person: Person, rng: random.Random) -> Image.Image:
    f = certificate_fields(DocType.MARRIAGE_CERTIFICATE, person)
    spouse = spouse_of(person)
    page = _Page(rng, (240, 228, 222))
    page.title("中华人民共和国结婚证", colour=STAMP_RED, size=54)
    page.field(90, 170, "持证人", f["holder_name"], box=600)
    page.field(90, 250, "登记日期", _cn_date(f["registration_date"]), box=600)
    page.field(90, 330, "结婚证字号", f"J{person.region_code}-{f['registration_date'][:4]}-00{rng.randint(1000, 9999)}",
               digits=True, box=600)
    y = 460
    for who, number in ((person, f["holder_id_number"]), (spouse, f["spouse_id_number"])):
        page.field(90, y, "姓名", who.name)
        page.field(560, y, "性别", who.sex)
        page.field(860, y, "国籍", "中国")
        page.field(90, y + 80, "身份证件号", number, digits=True, box=1240)
        y += 200
    page.text(90, 880, "婚姻登记员：张明")
    page.stamp(1180, 260, "婚姻登记专用章")
    return page.image


def render_termination(person: Person, rng: random.Random) -> Image.Image:
    f = certificate_fields(DocType.LABOR_CONTRACT_TERMINATION, person)
    page = _Page(rng, (242, 242, 238))
    page.title("解除（终止）劳动合同证明书", size=54)
    page.field(90, 190, "姓名", f["name"], box=560)
    page.field(700, 190, "身份证号码", f["id_number"], digits=True, box=620)
    page.field(90, 290, "用人单位", f["employer"], box=1240)
    page.field(90, 390, "合同解除日期", _cn_date(f["termination_date"]), box=1240)
    page.text(90, 500, "兹证明该职工与本单位的劳动合同已依法解除（终止），")
    page.text(90, 560, "本单位已为其办理失业保险关系转移手续。特此证明。")
    page.text(820, 760, "用人单位（盖章）")
    page.stamp(1000, 800, f["employer"][-6:])
    return page.image


PAGE_RENDERERS: dict[DocType, Callable[[Person, random.Random], Image.Image]] = {
    DocType.HOUSEHOLD_REGISTER: render_household_register,
    DocType.DEATH_CERTIFICATE: render_death_certificate,
    DocType.MARRIAGE_CERTIFICATE: render_marriage_certificate,
    DocType.LABOR_CONTRACT_TERMINATION: render_termination,
}


def render_page(doc_type: DocType, person: Person, rng: random.Random) -> Image.Image:
    """The flat page (RGBA, fully opaque: a page has square corners) of `doc_type`."""
    return PAGE_RENDERERS[DocType(doc_type)](person, rng).convert("RGBA")
