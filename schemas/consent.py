"""Separate consent to face processing (PIPL art. 29: sensitive personal information needs
the person's separate consent; 人脸识别技术应用安全管理办法 art. 9–10: a non-face alternative
must be offered). A consent is a record of what the citizen was told and agreed to, when and
through which channel; a withdrawal is a later record that says so. Only the latest counts."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

FACE_NOTICE_VERSION = "2025-06"
FACE_NOTICE = (
    "养老金领取资格认证需要处理您的人脸信息（敏感个人信息）。"
    "用途：仅用于确认是您本人且在世，与您档案中的身份证照片或此前通过的认证比对。"
    "处理方式：您录制的视频经网络上传至社保经办机构系统，在认证结论作出后立即删除，"
    "只保留用于下次比对的人脸特征值，与身份信息分开加密保存。"
    "您可以不同意：不同意不影响认证，您可以到社保经办机构现场认证，或预约工作人员视频通话认证。"
    "您可以随时撤回同意，撤回后不再处理您的人脸信息。"
)
"""What the citizen reads before agreeing (the portal shows it; the counter reads it out)."""


def notice_digest(text: str = FACE_NOTICE) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ConsentScope(StrEnum):
    FACE_VERIFICATION = "face_verification"


class Alternative(StrEnum):
    """Ways to certify without a face match, always on offer."""

    IN_PERSON = "in_person"
    """At the agency's counter, identity checked by a clerk."""
    VIDEO_CALL = "video_call"
    """A reviewer's video call, identity checked by the reviewer."""


ALTERNATIVE_LABELS: dict[Alternative, str] = {
    Alternative.IN_PERSON: "到社保经办机构现场认证",
    Alternative.VIDEO_CALL: "预约工作人员视频通话认证",
}


class ConsentRecord(BaseModel):
    consent_id: str
    scope: ConsentScope = ConsentScope.FACE_VERIFICATION
    granted: bool
    """True: consent given; False: withdrawn (or refused)."""
    at: datetime
    channel: str
    """Where it was given: portal, counter, app, or the operator's CLI."""
    actor: str
    notice_version: str = FACE_NOTICE_VERSION
    notice_sha256: str = Field(default_factory=notice_digest)
    """The exact text agreed to, by digest."""
