"""Challenges: a random sequence of two or three actions (blink, open mouth, turn left, turn
right) with a single-use nonce and an expiry, issued before the pensioner records.

Every challenge holds at least one action a picture cannot do (blink or open the mouth): a
printed photo can be tilted to look like a turn, never made to blink. The same action never
comes twice in a row. Challenges and used nonces are kept in the archive's store under
verification/ (no personal data: the citizen by key only); a nonce is used up by a
conditional write, so two verifications racing with one nonce cannot both have it."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

from pipeline.errors import PipelineError
from schemas.verification import Action, Challenge, Reason
from storage.blobs import BlobStore
from storage.errors import NotFoundError

LIVELY = (Action.BLINK, Action.OPEN_MOUTH)


class ChallengeRejected(PipelineError):
    """The challenge cannot be used: unknown, used before, or expired."""

    def __init__(self, reason: Reason, message: str):
        super().__init__(message)
        self.reason = reason


def random_actions(rng: secrets.SystemRandom | None = None, count: int | None = None) -> list[Action]:
    rng = rng or secrets.SystemRandom()
    count = count or rng.choice((2, 3))
    while True:
        actions: list[Action] = []
        for _ in range(count):
            actions.append(rng.choice([a for a in Action if not actions or a is not actions[-1]]))
        if any(a in LIVELY for a in actions):
            return actions


def new_challenge(*, ttl_seconds: int = 300, max_seconds: float = 15.0, citizen_key: str | None = None,
                  actions: list[Action] | None = None, now: datetime | None = None) -> Challenge:
    now = now or datetime.now(timezone.utc)
    return Challenge(nonce=secrets.token_hex(16), actions=actions or random_actions(), issued_at=now,
                     expires_at=now + timedelta(seconds=ttl_seconds), max_seconds=max_seconds,
                     citizen_key=citizen_key)


class ChallengeStore:
    """verification/challenges/<nonce>.json, verification/used/<nonce>.json and, per citizen,
    verification/pending/<citizen_key>/<issued>-<nonce> pointing at the challenges issued to them."""

    def __init__(self, store: BlobStore):
        self.store = store

    @staticmethod
    def _key(nonce: str) -> str:
        if not nonce.isalnum() or len(nonce) > 64:
            raise ChallengeRejected(Reason.NONCE_UNKNOWN, "a nonce is letters and digits")
        return f"verification/challenges/{nonce}.json"

    def issue(self, *, ttl_seconds: int = 300, max_seconds: float = 15.0, citizen_key: str | None = None,
              actions: list[Action] | None = None, now: datetime | None = None) -> Challenge:
        challenge = new_challenge(ttl_seconds=ttl_seconds, max_seconds=max_seconds, citizen_key=citizen_key,
                                  actions=actions, now=now)
        self.store.create(self._key(challenge.nonce), challenge.model_dump_json().encode())
        if citizen_key:
            self.store.create(f"verification/pending/{citizen_key}/{challenge.issued_at:%Y%m%dT%H%M%S%f}-"
                              f"{challenge.nonce}", b"")
        return challenge

    def get(self, nonce: str) -> Challenge:
        try:
            return Challenge.model_validate_json(self.store.get(self._key(nonce)))
        except NotFoundError:
            raise ChallengeRejected(Reason.NONCE_UNKNOWN, "no challenge was issued with this nonce") from None

    def latest_for(self, citizen_key: str) -> Challenge:
        """The newest challenge issued to the citizen and not used yet."""
        for key in sorted(self.store.list(f"verification/pending/{citizen_key}/"), reverse=True):
            nonce = key.rsplit("-", 1)[1]
            if not self.store.exists(f"verification/used/{nonce}.json"):
                return self.get(nonce)
        raise ChallengeRejected(Reason.NONCE_UNKNOWN, "no unused challenge was issued to this citizen")

    def redeem(self, nonce: str, *, citizen_key: str | None = None, now: datetime | None = None) -> Challenge:
        """Use the nonce up and return its challenge; ChallengeRejected if it was not issued (to
        this citizen), was used before, or has expired (it is used up all the same)."""
        now = now or datetime.now(timezone.utc)
        challenge = self.get(nonce)
        if challenge.citizen_key and citizen_key and challenge.citizen_key != citizen_key:
            raise ChallengeRejected(Reason.NONCE_UNKNOWN, "this challenge was issued to someone else")
        used = json.dumps({"used_at": now.isoformat(), "citizen_key": citizen_key}).encode()
        if not self.store.create(f"verification/used/{nonce}.json", used):
            raise ChallengeRejected(Reason.NONCE_REUSED, "this challenge has been used already")
        if challenge.expired(now):
            raise ChallengeRejected(Reason.CHALLENGE_EXPIRED, f"this challenge expired at {challenge.expires_at:%H:%M:%S}")
        return challenge
