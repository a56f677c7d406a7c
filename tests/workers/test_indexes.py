"""Redis holds nothing the archive cannot give back: flush every key of ours, run
`onewindow archive reindex`, and the review queue (same order) and the indexes are back."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from schemas.catalog import default_catalog
from schemas.documents import DocType
from tests.workers.conftest import delete_prefixed, id_number, make_person, photos, run_burst
from workers.indexes import RedisIndexSink
from workers.review_queue import ReviewQueue
from workers.submit import submit_application

SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)


def state(ctx):
    sink = RedisIndexSink(ctx.redis, ctx.names)
    ids = sink.select()
    return {"review": [i.model_dump() for i in ReviewQueue(ctx.redis, ctx.names).items()],
            "entries": {sid: sink.submission_entry(sid) for sid in ids},
            "flagged": sink.select(finding="unreadable_document"),
            "november": sink.select(service=SERVICE.id, since=date(2026, 11, 1), until=date(2026, 11, 30)),
            "counts": sink.counts()}


def test_flushing_redis_and_reindexing_gives_back_the_review_queue_and_the_indexes(ctx, worker_env, faces, prefix):
    person = make_person(faces, 31)
    submit_application(ctx, photos(person, ALL, 9), SERVICE, person.id_number, date(2026, 11, 28))
    for seq, day in ((1, date(2026, 10, 3)), (2, date(2026, 11, 2))):  # flagged: a letter, not a photo
        submit_application(ctx, [("letter.jpg", f"not a photo {seq}".encode())], SERVICE, id_number(seq), day)
    run_burst(worker_env)
    before = state(ctx)
    assert before["counts"] == {"submissions": 3, "flagged": 2, "accepted": 1, "review_queue": 2}
    assert len(before["november"]) == 2 and len(before["flagged"]) == 2

    delete_prefixed(ctx.redis, prefix)
    assert state(ctx)["counts"]["submissions"] == 0
    done = subprocess.run([sys.executable, "-m", "cli", "archive", "reindex"], env=worker_env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "written to Redis" in done.stdout
    assert state(ctx) == before
