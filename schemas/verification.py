"""Remote verification: the challenge a pensioner answers on video, and the result
(`onewindow verify --json`, DESIGN.md's contract):

    {"decision": "pass"|"fail"|"review", "match": {"distance", "threshold", ...},
     "liveness": {...}, "reasons": [...]}

Reasons are stable codes (`Reason`); `REASON_TEXT` says each in Chinese for the citizen and
the reviewer. A result never passes with a reason attached: every reason makes it `fail` or
`review`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class Action(StrEnum):
    BLINK = "blink"
    OPEN_MOUTH = "open_mouth"
    TURN_LEFT = "turn_left"
    """The subject's own left (the nose goes to the image's right in an unmirrored video)."""
    TURN_RIGHT = "turn_right"


ACTION_LABELS: dict[Action, str] = {
    Action.BLINK: "眨眨眼",
    Action.OPEN_MOUTH: "张张嘴",
    Action.TURN_LEFT: "向左转头",
    Action.TURN_RIGHT: "向右转头",
}


class Challenge(BaseModel):
    """What the pensioner is asked to do, in order, before `expires_at`. The nonce is single
    use: a second verification with it fails (`nonce_reused`)."""

    nonce: str
    actions: list[Action] = Field(min_length=1, max_length=4)
    issued_at: datetime
    expires_at: datetime
    max_seconds: float = Field(default=15.0, gt=0)
    """The video may run at most this long; all actions happen within it."""
    citizen_key: str | None = None
    """The citizen the challenge was issued to (stored challenges), never the ID number."""

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def prompt(self) -> str:
        """The instruction shown to the pensioner: 请正对镜头，依次：眨眨眼、向左转头。"""
        return "请正对镜头，依次：" + "、".join(ACTION_LABELS[a] for a in self.actions) + "。"


class VerificationDecision(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REVIEW = "review"


class Reason(StrEnum):
    # Law and challenge.
    CONSENT_MISSING = "consent_missing"
    NONCE_UNKNOWN = "nonce_unknown"
    NONCE_REUSED = "nonce_reused"
    CHALLENGE_EXPIRED = "challenge_expired"
    CHALLENGE_NOT_MET = "challenge_not_met"
    ACTIONS_OUT_OF_ORDER = "actions_out_of_order"
    VIDEO_TOO_LONG = "video_too_long"
    # Presentation attacks.
    STILL_IMAGE = "still_image"
    PRINTED_PHOTO = "printed_photo"
    SCREEN_REPLAY = "screen_replay"
    FACE_SWAP = "face_swap"
    # Capture quality.
    UNREADABLE_PROBE = "unreadable_probe"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    FACE_TOO_SMALL = "face_too_small"
    TOO_BLURRY = "too_blurry"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    POSE = "pose_not_frontal"
    EYES_NOT_VISIBLE = "eyes_not_visible"
    # Match.
    NO_REFERENCE = "no_reference"
    REFERENCE_NO_FACE = "reference_no_face"
    FACE_MISMATCH = "face_mismatch"
    MATCH_BORDERLINE = "match_borderline"


ATTACKS = frozenset({Reason.STILL_IMAGE, Reason.PRINTED_PHOTO, Reason.SCREEN_REPLAY, Reason.FACE_SWAP})

REASON_TEXT: dict[Reason, str] = {
    Reason.CONSENT_MISSING: "未取得本人对人脸识别的单独同意，未处理视频。可改为到经办机构现场认证或预约工作人员视频通话认证。",
    Reason.NONCE_UNKNOWN: "认证动作提示无效或不属于本人，请重新获取动作提示后录制。",
    Reason.NONCE_REUSED: "该动作提示已使用过，请重新获取动作提示后录制。",
    Reason.CHALLENGE_EXPIRED: "动作提示已过期，请重新获取动作提示后尽快录制。",
    Reason.CHALLENGE_NOT_MET: "视频中未看到要求的全部动作，请按提示依次完成动作后重新录制。",
    Reason.ACTIONS_OUT_OF_ORDER: "动作顺序与提示不符，请按提示的顺序完成动作后重新录制。",
    Reason.VIDEO_TOO_LONG: "视频过长，请在规定时间内完成动作。",
    Reason.STILL_IMAGE: "视频中的人脸没有任何活动（疑似静态照片），请本人正对镜头重新录制。",
    Reason.PRINTED_PHOTO: "人脸随画面整体平移、倾斜，像一张照片而不是真人（疑似翻拍照片），请本人重新录制。",
    Reason.SCREEN_REPLAY: "画面中有屏幕纹理或屏幕边框（疑似翻拍屏幕播放的视频），请本人直接面对镜头录制。",
    Reason.FACE_SWAP: "视频前后不是同一个人，请本人独自完整录制。",
    Reason.UNREADABLE_PROBE: "视频或照片无法打开，请重新录制上传。",
    Reason.NO_FACE: "视频中未检测到人脸，请正对镜头、露出全脸后重新录制。",
    Reason.MULTIPLE_FACES: "画面中不止一张人脸，请本人单独录制。",
    Reason.FACE_TOO_SMALL: "人脸在画面中太小，请靠近镜头重新录制。",
    Reason.TOO_BLURRY: "画面模糊，请保持手机稳定、擦拭镜头后重新录制。",
    Reason.TOO_DARK: "光线太暗，请到明亮处重新录制。",
    Reason.TOO_BRIGHT: "光线过强或逆光，请避开强光重新录制。",
    Reason.POSE: "未拍到正脸，请正对镜头重新录制。",
    Reason.EYES_NOT_VISIBLE: "看不清眼睛，请摘下墨镜或帽檐后重新录制。",
    Reason.NO_REFERENCE: "档案中没有可比对的证件照或此前通过的认证，请到经办机构现场认证。",
    Reason.REFERENCE_NO_FACE: "档案中的证件照上找不到清晰的人脸，需人工核对。",
    Reason.FACE_MISMATCH: "视频中的人脸与档案中的照片不是同一人。",
    Reason.MATCH_BORDERLINE: "人脸比对结果处于临界范围，已转工作人员人工核验。",
}


class MatchResult(BaseModel):
    distance: float | None = None
    """Euclidean distance of the 128-d encodings (lower is more alike); None if not compared."""
    threshold: float
    """At or above this distance two faces are different people."""
    review_margin: float = 0.0
    """Distances within this of the threshold, either side, go to a person (`review`)."""
    reference: str | None = None
    """What the probe was compared with: "image", "id_card_front" or "template"."""
    frames: int = 0
    """How many probe frames the distance is the median of."""


class LivenessEvent(BaseModel):
    action: Action
    start: float
    end: float
    """Seconds into the video."""
    value: float
    """Blink depth, mouth opening, or degrees turned."""


class Liveness(BaseModel):
    assessed: bool
    """False for a still image probe checked for the match only (no challenge given)."""
    challenge: list[Action] = Field(default_factory=list)
    matched: list[LivenessEvent] = Field(default_factory=list)
    """One event per challenge action, in order, when all were found."""
    missing: list[Action] = Field(default_factory=list)
    observed: list[LivenessEvent] = Field(default_factory=list)
    """Every action seen, in time order, whether asked for or not."""
    duration: float = 0.0
    fps: float = 0.0
    frames_analyzed: int = 0
    checks: dict[str, float | bool | str] = Field(default_factory=dict)
    """The measurements the attack checks decided on (motion, flatness, moiré, identity)."""


class KeyFrame(BaseModel):
    t: float
    """Seconds into the video (0 for an image)."""
    role: str
    """"best_match", or the action whose peak the frame shows ("blink", "turn_left", …)."""


class VerificationResult(BaseModel):
    decision: VerificationDecision
    match: MatchResult
    liveness: Liveness
    reasons: list[Reason] = Field(default_factory=list)
    nonce: str | None = None
    key_frames: list[KeyFrame] = Field(default_factory=list)
    """Frames kept for a reviewer (only with `review`); the pictures themselves go to the
    biometric vault, never into this record."""
    quality: dict[str, float] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [REASON_TEXT[r] for r in self.reasons]
