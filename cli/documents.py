"""`onewindow extract` and `onewindow process`: read documents; pre-review an application."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from cli.context import Context, print_json, read_files
from cli.render import print_reading, print_submission
from schemas.errors import InputError


def register(sub) -> None:
    extract = sub.add_parser("extract", help="read documents: type, fields, quality")
    extract.add_argument("files", nargs="+", metavar="FILE", help="photos (JPEG/PNG/WebP/BMP/TIFF) or PDFs")
    extract.add_argument("--json", action="store_true", help="print JSON (full values, unmasked)")
    extract.set_defaults(handler=run_extract)

    process = sub.add_parser("process", help="pre-review one application in-process and archive it")
    process.add_argument("files", nargs="+", metavar="FILE")
    process.add_argument("--service", required=True, help="service id (see `onewindow services`)")
    process.add_argument("--applicant", help="the applicant's ID number")
    process.add_argument("--date", type=date.fromisoformat, help="submission date (default: today)")
    add_input_option(process)
    process.add_argument("--json", action="store_true", help="print JSON (full values, unmasked)")
    process.set_defaults(handler=run_process)


def add_input_option(parser) -> None:
    """`--input KEY=VALUE`, repeatable: what the applicant states besides the documents."""
    parser.add_argument("--input", dest="inputs", action="append", default=[], metavar="KEY=VALUE",
                        help="an application input the service declares (see `onewindow services ID`), "
                             "e.g. post_category=female_50 for retirement, insured=ID_NUMBER for "
                             "survivor_benefits; repeatable")


def parse_inputs(pairs: list[str], service) -> dict[str, str]:
    """KEY=VALUE pairs checked against the service; InputError says what is wrong."""
    from pipeline.process import application_inputs

    inputs: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"--input expects KEY=VALUE, not '{pair}'")
        if key in inputs:
            raise InputError(f"--input {key} given twice")
        inputs[key] = value
    return application_inputs(service, inputs)


def run_extract(args: argparse.Namespace) -> int:
    ctx = Context()
    readings, failures = [], 0

    def fail(raw: str, exc: Exception) -> None:
        nonlocal failures
        failures += 1
        message = str(exc) if str(exc).startswith(raw) else f"{raw}: {exc}"
        print(f"onewindow: error: {message}", file=sys.stderr)

    # Files are read several at once (DocumentReader.read_uploads), a few chunks' worth of
    # bytes in memory at a time; readings and errors keep the order of the command line.
    chunk = 4 * max(ctx.reader.concurrency, 1)
    for start in range(0, len(args.files), chunk):
        opened = []
        for raw in args.files[start:start + chunk]:
            try:
                ((_, data),) = read_files([raw])
                opened.append((raw, data))
            except InputError as exc:
                opened.append((raw, exc))
        results = iter(ctx.reader.read_uploads([(raw, data) for raw, data in opened if isinstance(data, bytes)]))
        for raw, data in opened:
            result = next(results) if isinstance(data, bytes) else data
            if isinstance(result, InputError):  # IngestError is an InputError
                fail(raw, result)
            else:
                readings.extend(result)
    if args.json:
        print_json([r.model_dump(mode="json") for r in readings])
    else:
        for reading in readings:
            print_reading(reading)
    return 2 if failures else 0


def run_process(args: argparse.Namespace) -> int:
    from pipeline.fields import normalize_id_number, validate_id_number
    from pipeline.process import process_submission
    from schemas.catalog import default_catalog

    service = default_catalog().get(args.service)
    applicant = None
    if args.applicant:
        applicant = normalize_id_number(args.applicant)
        issue = validate_id_number(applicant) if applicant else "format"
        if issue is not None:
            raise InputError(f"--applicant is not a valid ID number ({issue})")
    inputs = parse_inputs(args.inputs, service)
    files = read_files(args.files)
    ctx = Context()
    result = process_submission(files, service, applicant, ctx.archive, ctx.reader, args.date, inputs=inputs)
    if args.json:
        print_json(result.model_dump(mode="json"))
    else:
        print_submission(result)
    bad = [u for u in result.uploads if u.error]
    for upload in bad:
        print(f"onewindow: error: {upload.file}: {upload.error}", file=sys.stderr)
    return 2 if bad else 0


