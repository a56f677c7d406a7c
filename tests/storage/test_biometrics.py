"""Biometrics: apart from identity data, under their own key, raw captures gone once verified."""

from datetime import datetime, timedelta, timezone

from schemas.archive import BiometricKind, VerificationRecord
from storage.archive import Archive
from storage.keys import biometric_scope

CITIZEN = "130634196203070017"


def capture(archive):
    video = archive.put_biometric(CITIZEN, BiometricKind.VIDEO, b"video bytes")
    selfie = archive.put_biometric(CITIZEN, BiometricKind.SELFIE, b"selfie bytes")
    template = archive.put_biometric(CITIZEN, BiometricKind.TEMPLATE, b"template bytes")
    return video, selfie, template


def test_stored_apart_under_their_own_data_key(archive):
    video, _, _ = capture(archive)
    ck = archive.citizen_key(CITIZEN)
    keys = list(archive.store.list("biometric/"))
    assert len(keys) == 3 and all(k.startswith(f"biometric/{ck}/") for k in keys)
    assert not list(archive.store.list(f"citizens/{ck}/biometric"))
    assert archive.keys.get(biometric_scope(ck)) != archive.keys.get(ck)
    assert archive.get_biometric(CITIZEN, video) == b"video bytes"


def test_raw_captures_go_when_verification_is_recorded_template_stays(archive):
    video, selfie, template = capture(archive)
    verdict = VerificationRecord(decision="pass", distance=0.31, threshold=0.5, probes=[video.ref, selfie.ref],
                                 template=template.ref)
    purged = archive.record_verification(CITIZEN, verdict)
    assert {r.ref for r in purged} == {video.ref, selfie.ref}
    state = archive.current_state(CITIZEN)
    assert [r.kind for r in state.biometrics] == [BiometricKind.TEMPLATE]
    assert state.last_verification.decision == "pass"
    assert len(list(archive.store.list("biometric/"))) == 1


def test_a_retention_period_keeps_raw_captures_until_it_runs_out(store, keyring):
    archive = Archive(store, keyring, biometric_raw_retention_days=30)
    video, selfie, _ = capture(archive)
    assert archive.record_verification(CITIZEN, VerificationRecord(decision="review")) == []
    ck = archive.citizen_key(CITIZEN)
    assert archive.biometrics.purge(ck, actor="nightly") == []
    later = datetime.now(timezone.utc) + timedelta(days=31)
    assert {r.ref for r in archive.biometrics.purge(ck, actor="nightly", now=later)} == {video.ref, selfie.ref}
