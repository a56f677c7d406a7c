"""Applications with Redis configured: the portal archives the files and hands the application
to the workers (workers/submit.py); the workers read and review it. The case index catches up
when a page asks about a case still being read (the workers' status board says when it is
decided; the archive holds the result)."""

from __future__ import annotations

from datetime import date
from typing import Callable

from pipeline.process import Intake, receive
from portal.intake import ACTOR, index_result
from portal.store import Case, PortalStore, Status, utcnow
from schemas.catalog import Catalog, Service
from storage.archive import Archive
from storage.errors import NotFoundError


class QueuedApplications:
    def __init__(self, settings, archive: Archive, store: PortalStore, catalog: Catalog,
                 today: Callable[[], date] | None = None, redis=None):
        from workers.context import WorkerContext

        self.ctx = WorkerContext(settings, redis=redis, archive=archive)
        self.archive, self.store, self.catalog = archive, store, catalog
        self.today = today or date.today

    def _board(self):
        from workers.status import StatusBoard

        return StatusBoard(self.ctx.redis, self.ctx.names, self.ctx.settings.job_result_ttl)

    def submit(self, service: Service, applicant: str, name: str, files: list[tuple[str, bytes]],
               inputs: dict[str, str] | None = None) -> str:
        """Archived, queued, and back at once. (The name check and the reuse of documents on
        record run only in-process for now: the workers' review does not do them yet.)"""
        from workers.submit import submit_application

        submission_id = submit_application(self.ctx, files, service, applicant, self.today(), inputs=inputs)
        now = utcnow()
        self.store.put_case(Case(
            submission_id=submission_id, service=service.id,
            citizen_key=self.archive.citizen_key(applicant) if applicant else None, received_at=now,
            updated_at=now, revision=0, machine_decision=Status.PROCESSING,
            first_machine_decision=Status.PROCESSING, finding_codes=[], reused=[], status=Status.PROCESSING))
        return submission_id

    def reupload(self, submission_id: str, files: list[tuple[str, bytes]]) -> None:
        """A new revision of the same application: the earlier uploads that no gap points at,
        plus the new files, read and reviewed again by the workers."""
        from workers.jobs import enqueue_intake
        from workers.manifest import Manifest, put_manifest

        before = self.archive.load_submission(submission_id, actor=ACTOR, purpose="re-upload into application")
        case = self.store.case(submission_id)
        revision = case.revision + 1
        service = self.catalog.get(before.service)
        wrong = {f.file for f in before.blockers if f.file}
        kept = [u for u in before.uploads if not u.error and u.file not in wrong]
        new = receive(files, service, before.applicant, self.archive, self.today(), submission_id=submission_id,
                      inputs=before.inputs)
        intake = Intake(submission_id, service, before.applicant, before.received_at, before.submitted_on,
                        kept + new.uploads, dict(before.inputs))
        sha = put_manifest(self.archive, Manifest.of_intake(intake, revision=str(revision)))
        if case.status == Status.WAITING:
            case.reworks += 1
        case.status, case.revision, case.updated_at = Status.PROCESSING, revision, utcnow()
        self.store.put_case(case)
        enqueue_intake(self.ctx, submission_id, sha, len(intake.uploads), service.id, revision=str(revision))

    def progress(self, submission_id: str) -> dict[str, str]:
        return self._board().get(submission_id)

    def sync(self, case: Case) -> Case:
        """A case the workers are reading: indexed once its revision is decided."""
        if case.status != Status.PROCESSING:
            return case
        board = self._board().get(case.submission_id)
        if board.get("state") not in ("decided", "failed") or board.get("revision") != str(case.revision):
            return case
        try:
            result = self.archive.load_submission(case.submission_id, actor=ACTOR, purpose="index decided application")
        except NotFoundError:
            return case
        return index_result(self.store, self.archive, result, revision=case.revision, previous=case)

    def closed(self, submission_id: str) -> None:
        from workers.review_queue import ReviewQueue

        ReviewQueue(self.ctx.redis, self.ctx.names).remove(submission_id)

    def health(self) -> str:
        from rq import Queue, Worker

        from workers.queues import KINDS

        counts = {kind: Queue(self.ctx.names.queue(kind), connection=self.ctx.redis).count for kind in KINDS}
        workers = Worker.all(connection=self.ctx.redis)
        ours = [w for w in workers if any(q.name.startswith(self.ctx.names.prefix + ".") for q in w.queues)]
        waiting = "，".join(f"{kind} {n}" for kind, n in counts.items())
        return f"Redis 队列：{len(ours)} 个处理进程在线；排队 {waiting}"
