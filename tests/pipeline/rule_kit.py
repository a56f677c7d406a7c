"""Readings built by hand for the rule tests: complete applications of every service."""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric

from schemas.documents import DocType, DocumentReading, Quality

TODAY = date(2026, 11, 28)


def id_number(birth: str, seq: str = "001", region: str = "110105") -> str:
    body = region + birth.replace("-", "") + seq
    return body + ric.calc_check_digit(body + "0")


APPLICANT = id_number("1960-05-04", "002")  # a woman, 66
APPLICANT_NAME = "王秀英"
DECEASED = id_number("1958-03-02", "011")  # a man
DECEASED_NAME = "李建国"


def reading(doc_type: DocType, file: str, **fields: str) -> DocumentReading:
    return DocumentReading(file=file, doc_type=doc_type, confidence=0.9, fields=fields, quality=Quality(ok=True))


def id_front(number: str = APPLICANT, name: str = APPLICANT_NAME) -> DocumentReading:
    sex = "男" if int(number[16]) % 2 else "女"
    birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
    return reading(DocType.ID_CARD_FRONT, "id_front.jpg", name=name, sex=sex, ethnicity="汉", birth_date=birth,
                   address="北京市朝阳区幸福路1号", id_number=number)


def id_back(valid_until: str = "长期") -> DocumentReading:
    return reading(DocType.ID_CARD_BACK, "id_back.jpg", issuing_authority="北京市公安局朝阳分局",
                   valid_from="2010-01-01", valid_until=valid_until)


def bank_card() -> DocumentReading:
    return reading(DocType.BANK_CARD, "bank.jpg", card_number="6228480402564890018", bank_name="中国农业银行")


def ssc(number: str = APPLICANT, name: str = APPLICANT_NAME) -> DocumentReading:
    return reading(DocType.SOCIAL_SECURITY_CARD, "ssc.jpg", name=name, id_number=number,
                   card_number="A12345678", bank_name="中国工商银行")


def household(number: str = APPLICANT, name: str = APPLICANT_NAME, relation: str = "户主") -> DocumentReading:
    front = id_front(number, name)
    return reading(DocType.HOUSEHOLD_REGISTER, "hukou.jpg", name=name, relation_to_head=relation,
                   sex=front.fields["sex"], ethnicity="汉", birth_date=front.fields["birth_date"],
                   id_number=number, address="北京市朝阳区幸福路1号")


def death_certificate(number: str = DECEASED, name: str = DECEASED_NAME, when: str = "2026-10-03") -> DocumentReading:
    return reading(DocType.DEATH_CERTIFICATE, "death.jpg", name=name, sex="男", id_number=number, death_date=when)


def marriage(holder: str = APPLICANT, spouse: str = DECEASED) -> DocumentReading:
    return reading(DocType.MARRIAGE_CERTIFICATE, "marriage.jpg", holder_name=APPLICANT_NAME, holder_id_number=holder,
                   spouse_name=DECEASED_NAME, spouse_id_number=spouse, registration_date="1982-06-01")


def termination(number: str = APPLICANT, name: str = APPLICANT_NAME, when: str = "2026-10-31") -> DocumentReading:
    return reading(DocType.LABOR_CONTRACT_TERMINATION, "termination.jpg", name=name, id_number=number,
                   employer="北京市某某机械有限公司", termination_date=when)


def complete(service_id: str) -> list[DocumentReading]:
    """A complete application of each service, for the applicant above (66, a woman)."""
    survivor = [death_certificate(), id_front(), id_back(), marriage(), bank_card()]
    return {
        "resident_pension_enrollment": [id_front(), id_back(), bank_card()],
        "resident_pension_claim": [id_front(), id_back(), household(), ssc()],
        "retirement": [id_front(), id_back(), ssc()],
        "survivor_benefits": survivor,
        "personal_account_lump_sum": [d.model_copy() for d in survivor],
        "bank_account_change": [id_front(), id_back(), bank_card()],
        "pension_certification": [],
        "social_security_card_application": [id_front(), id_back()],
        "personal_info_change": [id_front(), id_back(), household()],
        "unemployment_benefit_claim": [id_front(), id_back(), termination(), bank_card()],
    }[service_id]
