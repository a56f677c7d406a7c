"""The export carries what remote verification and certification keep about a citizen: consents,
certification records (silent certification, face, death), verification decisions, challenges;
biometrics are listed with the reason they are withheld, and copied only when asked."""

import hashlib
import io
import json
import zipfile
from datetime import date

from pipeline.certify import CertificationLedger
from pipeline.challenge import ChallengeStore
from pipeline.consent import ConsentBook
from schemas.archive import BiometricKind, VerificationRecord
from schemas.certification import Source
from schemas.verification import Action
from storage.export import export_citizen

CITIZEN = "130634196203070017"
OTHER = "11010119500101001X"


def _zip(archive, **kw):
    buffer = io.BytesIO()
    manifest = export_citizen(archive, CITIZEN, buffer, actor="clerk", purpose="right to a copy", **kw)
    zf = zipfile.ZipFile(buffer)
    listed = json.loads(zf.read("manifest.json"))
    for entry in listed["files"]:
        assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
    return manifest, zf, listed


def _fill(archive):
    book = ConsentBook(archive)
    book.record(CITIZEN, granted=True, channel="portal", actor="citizen")
    book.record(CITIZEN, granted=False, channel="portal", actor="citizen")
    book.record(OTHER, granted=True, channel="portal", actor="citizen")
    ledger = CertificationLedger(archive)
    ledger.add(CITIZEN, Source.HOSPITAL_SETTLEMENT, date(2026, 3, 1), "HS-1")
    ledger.add(CITIZEN, Source.BANK, date(2026, 6, 1), "B-7")
    ledger.add(OTHER, Source.DEATH, date(2026, 6, 1), "D-1")
    challenge = ChallengeStore(archive.store).issue(citizen_key=archive.citizen_key(CITIZEN),
                                                    actions=[Action.BLINK, Action.TURN_LEFT])
    ChallengeStore(archive.store).redeem(challenge.nonce, citizen_key=archive.citizen_key(CITIZEN))
    template = archive.put_biometric(CITIZEN, BiometricKind.TEMPLATE, b'{"encoding": [0.1]}')
    archive.record_verification(CITIZEN, VerificationRecord(decision="pass", distance=0.31, threshold=0.56,
                                                            reasons=[], template=template.ref))
    return challenge, template


def test_export_holds_consents_certifications_verifications_and_challenges(archive):
    challenge, template = _fill(archive)
    manifest, zf, listed = _zip(archive)
    names = zf.namelist()
    consents = [json.loads(zf.read(n)) for n in names if n.startswith("records/consents/")]
    assert sorted(c["granted"] for c in consents) == [False, True]
    certifications = [json.loads(zf.read(n)) for n in names if n.startswith("records/certification/")]
    assert sorted((c["source"], c["reference"]) for c in certifications) == [("bank", "B-7"),
                                                                              ("hospital_settlement", "HS-1")]
    assert all(c["id_number"] == CITIZEN for c in certifications)  # nobody else's records
    assert listed["records"] == {"certification": 2, "consents": 2}
    assert listed["verifications"] == 1 and manifest.verifications == 1
    verification = [json.loads(zf.read(n)) for n in names if n.startswith("history/") and "verification" in n]
    assert verification[0]["verification"]["decision"] == "pass"
    issued = json.loads(zf.read(f"verification/challenges/{challenge.nonce}.json"))
    assert issued["actions"] == ["blink", "turn_left"] and issued["used"]["used_at"]
    assert listed["challenges"] == 1


def test_biometrics_are_listed_and_withheld_unless_asked(archive):
    _, template = _fill(archive)
    _, zf, listed = _zip(archive)
    assert not [n for n in zf.namelist() if n.startswith("biometric/")]
    assert listed["biometrics_included"] is False
    assert [(w["kind"], w["ref"]) for w in listed["biometrics_withheld"]] == [("template", template.ref)]
    assert "核心数据" in listed["biometrics_note"]
    _, zf, listed = _zip(archive, include_biometrics=True)
    assert zf.read(f"biometric/template/{template.ref}") == b'{"encoding": [0.1]}'
    assert listed["biometrics_withheld"] == []


def test_an_erased_citizen_exports_no_records(archive):
    _fill(archive)
    archive.erase(CITIZEN, actor="dpo")
    _, zf, listed = _zip(archive)
    assert not [n for n in zf.namelist() if n.startswith(("records/", "biometric/"))]
