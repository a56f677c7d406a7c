"""Security at the portal's edge: password hashing (argon2), signed status links for citizens,
CSRF tokens on every form, per-client rate limits, upload limits with the type sniffed from the
content, and the response headers every page carries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import HTTPException, Request, UploadFile
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.middleware.base import BaseHTTPMiddleware

from pipeline.ingest import sniff_media_type

DEV_PORTAL_SECRET = hashlib.sha256(b"onewindow development portal secret - NOT SECRET").hexdigest()

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise ValueError("a password needs at least 10 characters")
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class StatusLinks:
    """A citizen's private link to one application: the submission id, signed and dated.
    No account, no personal data: the token names only the (random) submission id."""

    def __init__(self, secret: str, max_age_days: int):
        self._signer = URLSafeTimedSerializer(secret, salt="onewindow-status-link")
        self.max_age = max_age_days * 86400

    def make(self, submission_id: str) -> str:
        return self._signer.dumps({"s": submission_id})

    def read(self, token: str) -> str:
        try:
            return self._signer.loads(token, max_age=self.max_age)["s"]
        except SignatureExpired as exc:
            raise HTTPException(410, "此查询链接已过期，请联系经办窗口。") from exc
        except (BadSignature, KeyError, TypeError) as exc:
            raise HTTPException(404, "查询链接无效。") from exc


# CSRF -------------------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def require_csrf(request: Request) -> None:
    """Every form POST carries the session's token in a hidden field `csrf`."""
    form = await request.form()
    sent, expected = form.get("csrf"), request.session.get("csrf")
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "页面已过期或来源不明，请返回上一页刷新后重试。")


# Rate limits ------------------------------------------------------------------------------------

class RateLimiter:
    """Sliding window per (bucket, client) in this process."""

    def __init__(self):
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, bucket: str, client: str, per_minute: int) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[(bucket, client)]
            while hits and hits[0] < now - 60:
                hits.popleft()
            if len(hits) >= per_minute:
                raise HTTPException(429, "操作太频繁，请稍等一分钟再试。", headers={"Retry-After": "60"})
            hits.append(now)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# Uploads ----------------------------------------------------------------------------------------

class UploadRejected(HTTPException):
    pass


async def read_uploads(files: list[UploadFile], *, max_files: int, max_bytes: int) -> list[tuple[str, bytes]]:
    """(name, bytes) of each non-empty file; refuses too many, too large, or content that is not
    an image or PDF whatever its name says."""
    files = [f for f in files if f is not None and f.filename]
    if not files:
        raise UploadRejected(400, "请选择要上传的照片或 PDF 文件。")
    if len(files) > max_files:
        raise UploadRejected(413, f"一次最多上传 {max_files} 个文件。")
    read = []
    for upload in files:
        data = await upload.read(max_bytes + 1)
        name = _safe_name(upload.filename)
        if len(data) > max_bytes:
            raise UploadRejected(413, f"文件“{name}”超过 {max_bytes // (1024 * 1024)} MB，请压缩后再上传。")
        if not data:
            raise UploadRejected(400, f"文件“{name}”是空的。")
        if sniff_media_type(data) is None:
            raise UploadRejected(415, f"文件“{name}”不是图片或 PDF（按文件内容判断），请上传 JPG、PNG 照片或 PDF。")
        read.append((name, data))
    return read


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>"\'&')
    return base[:80] or "upload"


# Headers ----------------------------------------------------------------------------------------

CSP = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
       "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app, *, max_body: int, hsts: bool):
        super().__init__(app)
        self.max_body = max_body
        self.hsts = hsts

    async def dispatch(self, request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            from starlette.responses import PlainTextResponse
            response = PlainTextResponse("上传内容过大。", status_code=413)
        else:
            response = await call_next(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers.setdefault("Cache-Control", "no-store")
        if self.hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


# A pensioner's identity between the pages of a verification --------------------------------------

class SealedIdentity:
    """The name and ID number a pensioner typed, kept in their session cookie between the pages
    of a verification: encrypted and authenticated (AES-GCM under a key derived from the portal
    secret) so the cookie never shows the ID number, dated so it lapses, and no URL carries it."""

    def __init__(self, secret: str, max_age_seconds: int = 1800):
        self._aead = AESGCM(hashlib.sha256(b"onewindow pensioner identity\0" + secret.encode()).digest())
        self.max_age = max_age_seconds

    def seal(self, id_number: str, name: str) -> str:
        nonce = secrets.token_bytes(12)
        body = json.dumps({"id": id_number, "name": name, "at": int(time.time())}).encode()
        return base64.urlsafe_b64encode(nonce + self._aead.encrypt(nonce, body, b"identity")).decode()

    def open(self, sealed: str | None) -> tuple[str, str] | None:
        """(ID number, name), or None when missing, tampered with or too old."""
        if not sealed:
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed.encode())
            body = json.loads(self._aead.decrypt(raw[:12], raw[12:], b"identity"))
        except (InvalidTag, ValueError, TypeError):
            return None
        if time.time() - body.get("at", 0) > self.max_age:
            return None
        return body["id"], body["name"]
