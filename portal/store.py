"""The portal's own records, in one SQLite file beside the archive: reviewer accounts and the
case index (one row per application: service, machine decision, reviewer decision, claim,
request for an item). Rows name citizens by citizen_key only, never by ID number; the full
records (uploads, readings, findings, every machine decision) stay in the archive. The
reviewer's decision lives here and, without its free-text reason, in the citizen's audit chain;
the archive's history has no event kind for it yet."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    submission_id TEXT PRIMARY KEY, service TEXT NOT NULL, citizen_key TEXT,
    received_at TEXT NOT NULL, updated_at TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0,
    machine_decision TEXT NOT NULL, first_machine_decision TEXT NOT NULL,
    finding_codes TEXT NOT NULL DEFAULT '[]', reused TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL, reviewer TEXT, reviewer_decision TEXT, reason TEXT,
    requested_item TEXT, decided_at TEXT, claimed_by TEXT, reworks INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS cases_status ON cases(status, service);
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, started_by TEXT NOT NULL, filters TEXT NOT NULL);
"""

ROLES = ("reviewer", "admin")


class Status:
    PROCESSING = "processing"    # queued: the workers are reading it
    ACCEPTED = "accepted"        # the machine accepted it; no human touch
    PENDING = "pending"          # flagged, waiting for a reviewer
    WAITING = "waiting"          # a reviewer asked the citizen for an item
    APPROVED = "approved"
    REJECTED = "rejected"


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class User:
    name: str
    role: str
    password_hash: str
    active: bool = True


@dataclass
class Case:
    submission_id: str
    service: str
    citizen_key: str | None
    received_at: str
    updated_at: str
    revision: int
    machine_decision: str
    first_machine_decision: str
    finding_codes: list[str]
    reused: list[str]
    status: str
    reviewer: str | None = None
    reviewer_decision: str | None = None
    reason: str | None = None
    requested_item: str | None = None
    decided_at: str | None = None
    claimed_by: str | None = None
    reworks: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.status in (Status.PENDING, Status.WAITING)


class PortalStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def _run(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # Users ------------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        self._run("INSERT INTO users(name, role, password_hash, created_at) VALUES (?,?,?,?) "
                  "ON CONFLICT(name) DO UPDATE SET role=excluded.role, password_hash=excluded.password_hash, "
                  "active=1", (name, role, password_hash, utcnow()))

    def user(self, name: str) -> User | None:
        rows = self._run("SELECT name, role, password_hash, active FROM users WHERE name=?", (name,))
        return User(rows[0]["name"], rows[0]["role"], rows[0]["password_hash"], bool(rows[0]["active"])) if rows else None

    def users(self) -> list[User]:
        return [User(r["name"], r["role"], r["password_hash"], bool(r["active"]))
                for r in self._run("SELECT * FROM users ORDER BY name")]

    def set_active(self, name: str, active: bool) -> None:
        self._run("UPDATE users SET active=? WHERE name=?", (int(active), name))

    def set_password_hash(self, name: str, password_hash: str) -> None:
        self._run("UPDATE users SET password_hash=? WHERE name=?", (password_hash, name))

    # Cases ------------------------------------------------------------------------------------

    def put_case(self, case: Case) -> None:
        self._run(
            "INSERT OR REPLACE INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (case.submission_id, case.service, case.citizen_key, case.received_at, case.updated_at,
             case.revision, case.machine_decision, case.first_machine_decision,
             json.dumps(case.finding_codes), json.dumps(case.reused), case.status, case.reviewer,
             case.reviewer_decision, case.reason, case.requested_item, case.decided_at, case.claimed_by,
             case.reworks))

    def case(self, submission_id: str) -> Case | None:
        rows = self._run("SELECT * FROM cases WHERE submission_id=?", (submission_id,))
        return _case(rows[0]) if rows else None

    def cases(self, *, statuses: tuple[str, ...] | None = None, service: str | None = None,
              code: str | None = None, older_than: str | None = None) -> list[Case]:
        sql, args = "SELECT * FROM cases WHERE 1=1", []
        if statuses:
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            args += statuses
        if service:
            sql += " AND service=?"
            args.append(service)
        if older_than:
            sql += " AND received_at<=?"
            args.append(older_than)
        sql += " ORDER BY received_at"
        found = [_case(r) for r in self._run(sql, tuple(args))]
        return [c for c in found if code is None or code in c.finding_codes]

    def claim(self, submission_id: str, reviewer: str | None) -> bool:
        """Claim (or release with None); a claim held by someone else is not taken over."""
        if reviewer is None:
            self._run("UPDATE cases SET claimed_by=NULL WHERE submission_id=?", (submission_id,))
            return True
        with self._lock:
            cur = self._db.execute("UPDATE cases SET claimed_by=? WHERE submission_id=? AND "
                                   "(claimed_by IS NULL OR claimed_by=?)", (reviewer, submission_id, reviewer))
            return cur.rowcount == 1


    # Reprocessing batches launched from the admin page ------------------------------------------

    def add_batch(self, batch_id: str, started_by: str, filters: dict) -> None:
        self._run("INSERT INTO batches VALUES (?,?,?,?)", (batch_id, utcnow(), started_by, json.dumps(filters)))

    def batches(self) -> list[dict]:
        return [dict(r) | {"filters": json.loads(r["filters"])}
                for r in self._run("SELECT * FROM batches ORDER BY started_at DESC")]


def _case(row: sqlite3.Row) -> Case:
    data = dict(row)
    data["finding_codes"] = json.loads(data["finding_codes"])
    data["reused"] = json.loads(data["reused"])
    return Case(**data)
