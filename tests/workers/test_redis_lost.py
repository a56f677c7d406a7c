"""Redis loses its data mid-run (a Redis of this test's own, restarted *without* persistence):
applications received in the archive but not yet decided are found from the archive alone by
`onewindow reprocess --undecided` and enqueued again; running it twice enqueues nothing twice,
and every application reaches its decision."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date

import pytest
from redis import Redis

from schemas.catalog import default_catalog
from schemas.documents import DocType
from schemas.settings import Settings
from storage.archive import open_archive
from tests.workers.conftest import make_person, photos, start_worker
from tests.workers.test_redis_restart import SERVER, OwnRedis, free_port
from workers.context import WorkerContext
from workers.submit import submit_application

SERVICE = default_catalog().get("bank_account_change")
ALL = (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK, DocType.BANK_CARD)


def undecided(env, *extra) -> dict:
    done = subprocess.run([sys.executable, "-m", "cli", "reprocess", "--undecided", "--json", *extra], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(SERVER is None, reason="redis-server binary not installed (scripts/services.sh installs it)")
def test_redis_losing_its_data_mid_run_and_every_application_still_decided(tmp_path, faces, monkeypatch,
                                                                          worker_env):
    (tmp_path / "redis").mkdir()
    own = OwnRedis(tmp_path / "redis", free_port())
    own.args[own.args.index("--appendonly") + 1] = "no"  # a restart loses everything
    own.start()
    env = {**worker_env, "ONEWINDOW_REDIS_URL": own.url}
    for key, value in env.items():
        if key.startswith("ONEWINDOW_"):
            monkeypatch.setenv(key, value)
    ctx = WorkerContext(Settings())
    archive = open_archive(env["ONEWINDOW_ARCHIVE"])
    worker = None
    try:
        people = [make_person(faces, 61 + i) for i in range(4)]
        ids = [submit_application(ctx, photos(p, ALL, 30 + i), SERVICE, p.id_number, date(2026, 11, 28))
               for i, p in enumerate(people)]
        assert sorted(undecided(env, "--dry-run")["in_flight"]) == sorted(ids)  # all still in the queues: nothing to do
        worker = start_worker(env)

        def decided() -> list[str]:
            return [sid for sid in ids if archive.store.exists(archive.submission_key(sid))]

        deadline = time.monotonic() + 300
        while not decided():
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.05)
        own.stop()  # mid-run: the queues, job records, statuses and indexes are gone with it
        own.start()
        # Nothing of the run survived: no job, queue, status or index. The running worker and its
        # scheduler process may already have registered themselves again (a CI run saw the
        # scheduler's keys back before this line): those are new, not survivors.
        survivors = [k for k in Redis.from_url(own.url).keys("*") if not k.startswith((b"rq:scheduler", b"rq:worker"))]
        assert survivors == []
        lost = [sid for sid in ids if sid not in decided()]
        assert lost, "every application was decided before Redis went: nothing was lost to recover"

        first = undecided(env)
        assert set(first["requeued"]) <= set(lost) and first["in_flight"] == []
        second = undecided(env)  # at once again: the jobs are queued, nothing is enqueued twice
        assert second["requeued"] == [] and set(second["in_flight"]) == set(first["requeued"])

        while len(decided()) < len(ids):
            assert time.monotonic() < deadline, (decided(), worker.poll())
            assert worker.poll() is None, worker.stderr.read()[-3000:]
            time.sleep(0.2)
        assert [archive.load_submission(sid, actor="test").decision.value for sid in ids] == ["accepted"] * 4
        assert undecided(env)["undecided"] == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
        if worker is not None:
            worker.wait(timeout=60)
        own.stop()
