"""Pre-review on a generated mix of applications, end to end as `onewindow process` runs them:
real photographed specimens, real OCR, the real check, a real (temporary) archive.

About 70% of the applications are complete; the rest carry one or two injected defects (a
missing material, an expired ID card, someone else's ID card, a name that disagrees, an
applicant too young for the service, an unreadable photo, a death certificate of someone
who is not the applicant's relative, the wrong insured person named). Every service that
takes documents is drawn in turn. Reported:

- the share of complete applications accepted with no blocker;
- the share of injected blockers found (a blocker of the expected code on the expected
  document, per defect);
- findings per injected defect on the defective applications (blockers; and all findings);
- seconds per application (`process_submission` only, not the specimen rendering), overall
  and for those of 4–5 documents.

    .venv/bin/python bench/prereview.py [--n 60] [--seed 2026] [--level 1] [--json OUT]

Level 1 is "normal": phone photos on a plain surface (specimens/camera.py)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.process import process_submission  # noqa: E402
from schemas.catalog import default_catalog  # noqa: E402
from schemas.documents import DocType  # noqa: E402
from schemas.findings import FindingCode, Severity  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from specimens.camera import LEVELS  # noqa: E402
from specimens.certificates import spouse_of  # noqa: E402
from specimens.generate import document_fields, encode, specimen_images  # noqa: E402
from specimens.people import Person, make_person  # noqa: E402

TODAY = date(2026, 11, 28)
T = DocType
FRONT, BACK, BANK, SSC = T.ID_CARD_FRONT, T.ID_CARD_BACK, T.BANK_CARD, T.SOCIAL_SECURITY_CARD
HUKOU, DEATH, MARRIAGE, TERM = T.HOUSEHOLD_REGISTER, T.DEATH_CERTIFICATE, T.MARRIAGE_CERTIFICATE, \
    T.LABOR_CONTRACT_TERMINATION

DOCUMENTS: dict[str, tuple[DocType, ...]] = {
    "resident_pension_enrollment": (FRONT, BACK, BANK),
    "resident_pension_claim": (FRONT, BACK, HUKOU, SSC),
    "retirement": (FRONT, BACK, SSC),
    "survivor_benefits": (DEATH, FRONT, BACK, MARRIAGE, BANK),
    "personal_account_lump_sum": (DEATH, FRONT, BACK, MARRIAGE, BANK),
    "bank_account_change": (FRONT, BACK, BANK),
    "social_security_card_application": (FRONT, BACK),
    "personal_info_change": (FRONT, BACK, HUKOU),
    "unemployment_benefit_claim": (FRONT, BACK, TERM, BANK),
}
"""What a citizen hands in for a complete application (the deceased's death certificate and
the couple's marriage certificate for the survivor services)."""

AGES: dict[str, tuple[int, int]] = {
    "resident_pension_claim": (61, 78), "retirement": (64, 75), "survivor_benefits": (55, 80),
    "personal_account_lump_sum": (55, 80), "unemployment_benefit_claim": (22, 50),
}
YOUNG: dict[str, tuple[int, int]] = {"resident_pension_claim": (45, 58), "retirement": (40, 55)}
NAMED = {"resident_pension_claim": HUKOU, "retirement": SSC, "personal_info_change": HUKOU,
         "unemployment_benefit_claim": TERM}
"""The document whose holder's name a service's same-person rule compares with the ID card's."""
SURVIVOR = {"survivor_benefits", "personal_account_lump_sum"}


@dataclass(frozen=True)
class Defect:
    kind: str
    code: FindingCode
    doc_type: DocType | None
    """The document the finding should name (None: none, e.g. a missing material)."""


@dataclass
class Application:
    service: str
    applicant: Person
    photos: dict[DocType, Person] = field(default_factory=dict)
    """Whose document each uploaded photo is."""
    inputs: dict[str, str] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)
    unreadable: DocType | None = None


def _birth(rng: random.Random, ages: tuple[int, int]) -> str:
    lo, hi = ages
    days = rng.randint(lo * 365 + 10, hi * 365 + 300)
    day = date.fromordinal(TODAY.toordinal() - days)
    return day.replace(day=min(day.day, 28)).isoformat()


def _person(rng: random.Random, faces, ages: tuple[int, int], **extra) -> Person:
    return make_person(rng, faces=faces, birth_date=_birth(rng, ages), valid_from="2021-06-01", **extra)


def complete_application(service: str, rng: random.Random, faces) -> Application:
    applicant = _person(rng, faces, AGES.get(service, (25, 70)))
    app = Application(service, applicant)
    deceased = spouse_of(applicant) if service in SURVIVOR else None
    for doc_type in DOCUMENTS[service]:
        app.photos[doc_type] = deceased if doc_type is DEATH else applicant
    if deceased is not None:
        app.inputs["insured"] = deceased.id_number
    if service == "retirement" and applicant.sex == "女":
        app.inputs["post_category"] = rng.choice(["female_50", "female_55"])
    return app


def _missing(app: Application, rng: random.Random, faces) -> Defect | None:
    service = default_catalog().get(app.service)
    droppable = [t for t in app.photos if any(t in m.doc_types and m.required for m in service.materials)]
    doc_type = rng.choice(droppable)
    del app.photos[doc_type]
    return Defect("missing_material", FindingCode.MISSING_DOCUMENT, None)


def _expired(app: Application, rng: random.Random, faces) -> Defect | None:
    if BACK not in app.photos:
        return None
    until = date.fromordinal(TODAY.toordinal() - rng.randint(30, 900)).isoformat()
    app.photos[BACK] = app.photos[BACK].model_copy(update={"valid_from": "2004-01-01", "valid_until": until})
    return Defect("expired_id_card", FindingCode.EXPIRED_DOCUMENT, BACK)


def _other_id_card(app: Application, rng: random.Random, faces) -> Defect | None:
    if FRONT not in app.photos:
        return None
    app.photos[FRONT] = _person(rng, faces, (30, 70))
    return Defect("someone_elses_id_card", FindingCode.INCONSISTENT_FIELD, FRONT)


def _name_mismatch(app: Application, rng: random.Random, faces) -> Defect | None:
    doc_type = NAMED.get(app.service)
    if doc_type is None or doc_type not in app.photos:
        return None
    holder = app.photos[doc_type]
    other = make_person(rng, ethnicity=holder.ethnicity).name
    while other == holder.name:
        other = make_person(rng, ethnicity=holder.ethnicity).name
    app.photos[doc_type] = holder.model_copy(update={"name": other})
    return Defect("name_disagrees", FindingCode.INCONSISTENT_FIELD, doc_type)


def _too_young(app: Application, rng: random.Random, faces) -> Defect | None:
    if app.service not in YOUNG:
        return None
    young = make_person(rng, faces=faces, sex=app.applicant.sex, birth_date=_birth(rng, YOUNG[app.service]),
                        valid_from="2021-06-01")
    for doc_type, whose in app.photos.items():
        if whose is app.applicant:
            app.photos[doc_type] = young
    app.applicant = young
    return Defect("too_young", FindingCode.INELIGIBLE, None)


def _unreadable(app: Application, rng: random.Random, faces) -> Defect | None:
    """A required card photographed far too small (about 200 px wide). When the reader still
    reads every field of it exactly, the photo was no gap after all: the row says so and the
    defect is not counted among the injected blockers."""
    service = default_catalog().get(app.service)
    required = {t for m in service.materials if m.required for t in m.doc_types}
    doc_type = rng.choice([t for t in app.photos if t in (FRONT, BACK, BANK, SSC) and t in required] or [None])
    if doc_type is None:
        return None
    app.unreadable = doc_type
    return Defect("unreadable_photo", FindingCode.UNREADABLE_DOCUMENT, None)


def _not_relative(app: Application, rng: random.Random, faces) -> Defect | None:
    if app.service not in SURVIVOR or DEATH not in app.photos:
        return None
    stranger = _person(rng, faces, (60, 85))
    app.photos[DEATH] = stranger
    app.inputs["insured"] = stranger.id_number
    return Defect("relationship_not_proven", FindingCode.INCONSISTENT_FIELD, MARRIAGE)


def _wrong_insured(app: Application, rng: random.Random, faces) -> Defect | None:
    if app.service not in SURVIVOR:
        return None
    app.inputs["insured"] = _person(rng, None, (60, 85)).id_number
    return Defect("wrong_insured_named", FindingCode.INCONSISTENT_FIELD, DEATH)


INJECTORS = {
    "missing_material": _missing, "expired_id_card": _expired, "someone_elses_id_card": _other_id_card,
    "name_disagrees": _name_mismatch, "too_young": _too_young, "unreadable_photo": _unreadable,
    "relationship_not_proven": _not_relative, "wrong_insured_named": _wrong_insured,
}
CONFLICTS = {frozenset(p) for p in [
    ("missing_material", "unreadable_photo"), ("missing_material", "expired_id_card"),
    ("missing_material", "someone_elses_id_card"), ("missing_material", "name_disagrees"),
    ("missing_material", "relationship_not_proven"), ("missing_material", "wrong_insured_named"),
    ("someone_elses_id_card", "too_young"), ("someone_elses_id_card", "name_disagrees"),
    ("name_disagrees", "too_young"),
    ("relationship_not_proven", "wrong_insured_named"), ("unreadable_photo", "expired_id_card"),
    ("unreadable_photo", "someone_elses_id_card"), ("unreadable_photo", "too_young"),
]}
"""Pairs not injected together: one would hide the other (a missing card cannot be expired),
so "found" would not be well defined."""


def defective_application(service: str, rng: random.Random, faces, count: int) -> Application:
    app = complete_application(service, rng, faces)
    kinds = list(INJECTORS)
    rng.shuffle(kinds)
    for kind in kinds:
        if len(app.defects) == count:
            break
        if any(frozenset((kind, d.kind)) in CONFLICTS for d in app.defects):
            continue
        defect = INJECTORS[kind](app, rng, faces)
        if defect:
            app.defects.append(defect)
    return app


def render_files(app: Application, level: int, rng: random.Random) -> list[tuple[str, bytes]]:
    files = []
    for doc_type, person in app.photos.items():
        bad = doc_type is app.unreadable
        ((_, (photo, info)),) = specimen_images(person, (doc_type,), level, rng, too_small=bad).items()
        data, ext = encode(photo, info)
        files.append((f"{doc_type.value}{ext}", data))
    rng.shuffle(files)
    return files


def _read_exactly(result, doc_type: DocType, person: Person) -> bool:
    truth = document_fields(doc_type, person)
    readings = [d for d in result.documents if d.file.startswith(doc_type.value) and not d.reused_from]
    return any(d.doc_type is doc_type and not d.field_issues
               and all(d.fields.get(k) == v for k, v in truth.items() if v) for d in readings)


def found(defect: Defect, blockers) -> bool:
    return any(f.code is defect.code and (defect.doc_type is None or f.document_type is defect.doc_type)
               for f in blockers)


def run(n: int, seed: int, level: int, share_complete: float = 0.7) -> dict:
    from pipeline.read import DocumentReader
    from specimens.faces import FacePool
    from storage.archive import open_archive

    settings = Settings()
    reader = DocumentReader.from_settings(settings)  # as `onewindow process` builds it
    faces = FacePool(settings.faces_dir)
    catalog = default_catalog()
    services = [s for s in DOCUMENTS if s in {x.id for x in catalog}]
    rng = random.Random(seed)
    plan = []
    for i in range(n):
        service = services[i % len(services)]
        r = rng.random()
        one = share_complete + (1 - share_complete) * 0.6  # of the defective: 60% one defect, 40% two
        plan.append((service, 0 if r < share_complete else (1 if r < one else 2)))
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-prereview-") as folder:
        archive = open_archive(folder)
        warm = render_files(complete_application("bank_account_change", random.Random(0), faces), level,
                            random.Random(0))
        reader.read_upload(warm[0][1], "warm-up")  # both engines: one document alone, then several at once
        reader.read_uploads(warm)
        for i, (service, count) in enumerate(plan):
            app_rng = random.Random(f"{seed}/{i}")
            app = (defective_application(service, app_rng, faces, count) if count
                   else complete_application(service, app_rng, faces))
            files = render_files(app, level, app_rng)
            started, cpu = time.perf_counter(), time.process_time()
            result = process_submission(files, catalog.get(service), app.applicant.id_number, archive, reader,
                                        TODAY, inputs=app.inputs)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            blockers = result.blockers
            moot = app.unreadable is not None and _read_exactly(result, app.unreadable, app.photos[app.unreadable])
            if moot:
                app.defects = [d for d in app.defects if d.kind != "unreadable_photo"]
            rows.append(dict(
                service=service, documents=len(files), seconds=seconds, cpu_seconds=cpu,
                decision=result.decision.value,
                defects=[d.kind for d in app.defects], found=[found(d, blockers) for d in app.defects],
                too_small_read_exactly=moot,
                blockers=[f.code.value for f in blockers],
                warnings=[f.code.value for f in result.findings if f.severity is Severity.WARNING]))
            print(f"[{i + 1}/{n}] {service:34s} {','.join(d.kind for d in app.defects) or 'complete':45s} "
                  f"{result.decision.value:8s} {','.join(rows[-1]['blockers']) or '-'} {seconds:.2f}s",
                  file=sys.stderr)
    return summarize(rows, n=n, seed=seed, level=level, load_before=[round(x, 2) for x in load_before],
                     load_after=[round(x, 2) for x in os.getloadavg()], cores=os.cpu_count())


def summarize(rows: list[dict], **run_info) -> dict:
    moot = [r for r in rows if r.get("too_small_read_exactly")]
    complete = [r for r in rows if not r["defects"] and not r.get("too_small_read_exactly")]
    defective = [r for r in rows if r["defects"]]
    injected = sum(len(r["defects"]) for r in defective)
    per_kind: dict[str, list[bool]] = defaultdict(list)
    for r in defective:
        for kind, ok in zip(r["defects"], r["found"]):
            per_kind[kind].append(ok)
    seconds = [r["seconds"] for r in rows]
    four_five = [r["seconds"] for r in rows if 4 <= r["documents"] <= 5]
    four_five_cpu = [r["cpu_seconds"] for r in rows if 4 <= r["documents"] <= 5]
    missed_complete = Counter(f"{r['service']}: {'+'.join(sorted(set(r['blockers'])))}"
                              for r in complete if r["blockers"])
    return dict(
        run=dict(run_info, level_name=LEVELS[run_info["level"]].name, applications=len(rows)),
        complete=len(complete),
        complete_accepted=sum(not r["blockers"] for r in complete),
        complete_no_finding=sum(not r["blockers"] and not r["warnings"] for r in complete),
        complete_blocked_by=dict(missed_complete),
        too_small_read_exactly=len(moot),
        defective=len(defective),
        injected=injected,
        injected_found=sum(sum(r["found"]) for r in defective),
        found_by_kind={k: f"{sum(v)}/{len(v)}" for k, v in sorted(per_kind.items())},
        blockers_per_injected=round(sum(len(r["blockers"]) for r in defective) / max(injected, 1), 3),
        findings_per_injected=round(sum(len(r["blockers"]) + len(r["warnings"]) for r in defective)
                                    / max(injected, 1), 3),
        seconds_mean=round(statistics.mean(seconds), 3) if seconds else None,
        seconds_p50=round(statistics.median(seconds), 3) if seconds else None,
        seconds_p95=round(sorted(seconds)[int(0.95 * (len(seconds) - 1))], 3) if seconds else None,
        seconds_mean_4_5_docs=round(statistics.mean(four_five), 3) if four_five else None,
        cpu_seconds_mean_4_5_docs=round(statistics.mean(four_five_cpu), 3) if four_five_cpu else None,
        seconds_per_document=round(sum(seconds) / max(sum(r["documents"] for r in rows), 1), 3),
        applications_4_5_docs=len(four_five),
        rows=rows,
    )


def markdown(s: dict) -> str:
    pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "n/a"  # noqa: E731
    lines = [
        f"| measure | result | target |", "|---|---|---|",
        f"| complete applications accepted with no blocker | {s['complete_accepted']}/{s['complete']} "
        f"({pct(s['complete_accepted'], s['complete'])}) | ≥ 98% |",
        f"| injected blockers found | {s['injected_found']}/{s['injected']} "
        f"({pct(s['injected_found'], s['injected'])}) | 100% |",
        f"| blocker findings per injected defect | {s['blockers_per_injected']} | ≤ 1.1 |",
        f"| all findings (with warnings) per injected defect | {s['findings_per_injected']} | — |",
        f"| seconds per application, all (mean / p50 / p95) | {s['seconds_mean']} / {s['seconds_p50']} / "
        f"{s['seconds_p95']} | — |",
        f"| seconds per application of 4–5 documents (mean, n={s['applications_4_5_docs']}) | "
        f"{s['seconds_mean_4_5_docs']} | ≤ 2 s |",
        f"| CPU seconds per application of 4–5 documents (mean, all threads) | "
        f"{s['cpu_seconds_mean_4_5_docs']} | — |",
        f"| seconds per document | {s['seconds_per_document']} | — |",
    ]
    lines.append("")
    lines.append("Found by defect kind: " + ", ".join(f"{k} {v}" for k, v in s["found_by_kind"].items()))
    if s["too_small_read_exactly"]:
        lines.append(f"Too-small photos read exactly all the same (not counted as injected blockers; "
                     f"applications with no other defect left out of both shares): {s['too_small_read_exactly']}")
    if s["complete_blocked_by"]:
        lines.append("Complete applications blocked: " + "; ".join(
            f"{k} ×{v}" for k, v in s["complete_blocked_by"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60, help="applications (default 60)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--level", type=int, default=1, choices=sorted(LEVELS),
                        help="photo difficulty: 0 scan, 1 normal (default), 2 hard, 3 hardest")
    parser.add_argument("--json", type=Path, help="also write the summary and every row as JSON here")
    args = parser.parse_args(argv)
    summary = run(args.n, args.seed, args.level)
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    info = summary["run"]
    print(f"pre-review: {info['applications']} applications, seed {info['seed']}, "
          f"level {info['level']} ({info['level_name']}); load average {info['load_before'][0]} → "
          f"{info['load_after'][0]} on {info['cores']} cores")
    print(markdown(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
