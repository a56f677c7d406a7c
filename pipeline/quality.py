"""Quality: would a careful clerk accept this photo? Blur, glare, too small, cut off, dark.

Measured on the rectified document, so a sharp photo of a small card (upscaled when
straightened) counts as soft — which is what a reader sees too."""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.locate import DocumentKind, Located
from schemas.documents import Quality, QualityIssue

MIN_CARD_WIDTH = 400
"""Pixels across the card in the photo below which small print is unreliable."""
SHARPNESS_MIN = 60.0
"""Variance of the Laplacian of the straightened document at 960 px, below which it is blurry."""
GLARE_MAX = 0.015
"""Share of the document that is blown-out white, above which glare hides print."""
DARK_MAX = 60.0


def assess(flat: np.ndarray, located: Located, from_pdf: bool, text_width_px: float | None = None) -> Quality:
    """`text_width_px`: how wide the printed text spans in the photo, which still tells a
    card far from the camera when its outline could not be found."""
    gray = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY)
    if gray.shape[1] != 960:
        gray = cv2.resize(gray, (960, max(1, int(gray.shape[0] * 960 / gray.shape[1]))),
                          interpolation=cv2.INTER_AREA)
    sharpness = float(cv2.Laplacian(gray, cv2.CV_32F).var())
    hsv = cv2.cvtColor(flat, cv2.COLOR_BGR2HSV)
    blown = (hsv[:, :, 2] >= 250) & (hsv[:, :, 1] <= 25)
    glare = float(blown.mean())
    brightness = float(gray.mean())

    issues: list[QualityIssue] = []
    if located.kind is DocumentKind.FRAME and not from_pdf:
        issues.append(QualityIssue.NO_DOCUMENT)
    if located.touches_border and located.kind is not DocumentKind.FRAME:
        issues.append(QualityIssue.CUT_OFF)
    if located.kind is DocumentKind.CARD and located.width < MIN_CARD_WIDTH:
        issues.append(QualityIssue.TOO_SMALL)
    elif located.kind is DocumentKind.FRAME and not from_pdf and text_width_px is not None \
            and 0 < text_width_px < 0.7 * MIN_CARD_WIDTH:
        issues.append(QualityIssue.TOO_SMALL)  # print spans ~¾ of a card: this card is small
    if sharpness < SHARPNESS_MIN:
        issues.append(QualityIssue.BLURRY)
    if glare > GLARE_MAX:
        issues.append(QualityIssue.GLARE)
    if brightness < DARK_MAX:
        issues.append(QualityIssue.TOO_DARK)
    metrics = {
        "sharpness": round(sharpness, 1),
        "glare": round(glare, 4),
        "brightness": round(brightness, 1),
        "document_width_px": round(located.width, 1),
        "edge_support": round(located.support, 3),
    }
    return Quality(ok=not issues, issues=issues, metrics=metrics)
