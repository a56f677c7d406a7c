"""Motion blur: find it in a photographed document and take it out before the text is read.

A phone moved while the shutter was open smears every point along a short straight line.
Its spectrum is then the photo's times a sinc whose zeros repeat every N/L along the motion,
so the cepstrum (the inverse transform of the log spectrum) has a sharp negative peak at the
smear vector itself, L pixels from its centre in the direction of motion. Print has peaks of
its own, as strong and as far out on about half the specimen photos without motion blur, so a
peak found is only a candidate: the reader keeps what it reads unsmeared only if that reads
better (`pipeline.read`). Knowing the smear, a Wiener filter undoes most of it: print that was
a grey streak reads again."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

SMEAR_MIN_PX = 5.5
"""Shortest smear worth taking out. The specimen generator's smears of 5–9 px measure
5.1–10.6 px here; peaks nearer than this are mostly print's or defocus's."""
SMEAR_MAX_PX = 14.0
SEARCH_FROM_PX = 4.0
"""Peaks nearer the centre belong to the picture, not to the smear."""
ESTIMATE_SIDE = 768
"""The cepstrum is taken over at most this many pixels each way around the document's centre."""
PEAK_MAX = -0.005
"""A blank or flat region has no peak at all; a smear's is below -0.015 on every specimen."""
WORK_SIDE = 2000
"""Longest side a smear is measured and taken out at (see `unsmear`)."""
NOISE_TO_SIGNAL = 0.01
"""The Wiener filter's regularization: higher keeps the noise down, lower sharpens more."""


@dataclass(frozen=True)
class Smear:
    """A straight motion smear, in photo pixels."""

    dx: float
    dy: float

    @property
    def length(self) -> float:
        return math.hypot(self.dx, self.dy)


def find_smear(gray: np.ndarray) -> Smear | None:
    """The motion smear in `gray` (a document and little else), or None if there is none."""
    height, width = gray.shape
    if min(height, width) < 4 * SMEAR_MAX_PX:
        return None
    top, left = max(0, (height - ESTIMATE_SIDE) // 2), max(0, (width - ESTIMATE_SIDE) // 2)
    patch = gray[top:top + ESTIMATE_SIDE, left:left + ESTIMATE_SIDE].astype(np.float32)
    rows, cols = patch.shape
    window = np.outer(np.hanning(rows), np.hanning(cols)).astype(np.float32)
    spectrum = np.fft.fft2((patch - patch.mean()) * window)
    cepstrum = np.fft.fftshift(np.real(np.fft.ifft2(np.log(np.abs(spectrum) + 1e-3))))
    cy, cx = rows // 2, cols // 2
    y, x = np.mgrid[-cy:rows - cy, -cx:cols - cx]
    radius = np.hypot(x, y)
    # half the plane (the cepstrum of a real image is symmetric); JPEG's 8-px blocks put a
    # peak on the axes at 8 that no smear explains
    searched = (radius >= SEARCH_FROM_PX) & (radius <= SMEAR_MAX_PX) & ((y > 0) | ((y == 0) & (x > 0)))
    searched &= ~(((np.abs(x) == 8) & (y == 0)) | ((x == 0) & (y == 8)))
    index = int(np.argmin(np.where(searched, cepstrum, np.inf)))
    smear = Smear(float(x.flat[index]), float(y.flat[index]))
    return smear if smear.length >= SMEAR_MIN_PX and cepstrum.flat[index] < PEAK_MAX else None


def smear_kernel(smear: Smear) -> np.ndarray:
    """The point-spread function of `smear`: an antialiased line `length` pixels long."""
    length = smear.length
    size = int(math.ceil(length)) + 2 | 1
    scale = 8
    big = np.zeros((size * scale, size * scale), np.float32)
    centre = (size * scale - 1) / 2
    half_x = smear.dx / length * (length - 1) / 2 * scale
    half_y = smear.dy / length * (length - 1) / 2 * scale
    cv2.line(big, (round(centre - half_x), round(centre - half_y)), (round(centre + half_x), round(centre + half_y)),
             1.0, scale)
    kernel = cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / kernel.sum()


def unsmear(image: np.ndarray, smear: Smear, noise_to_signal: float = NOISE_TO_SIGNAL) -> np.ndarray:
    """`image` with `smear` taken out by a Wiener filter (edges mirrored against ringing).
    An image longer than `WORK_SIDE` is unsmeared on a copy that size and enlarged again:
    reading straightens documents to 960–2000 px, and the filter's cost grows with the area
    (a 12-megapixel photo took 4.6 s and 1 GB at full size)."""
    height, width = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    if scale == 1.0:
        return _wiener(image, smear, noise_to_signal)
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    done = _wiener(small, Smear(smear.dx * scale, smear.dy * scale), noise_to_signal)
    return cv2.resize(done, (width, height), interpolation=cv2.INTER_CUBIC)


def _wiener(image: np.ndarray, smear: Smear, noise_to_signal: float) -> np.ndarray:
    kernel = smear_kernel(smear)
    pad = kernel.shape[0]
    height, width = image.shape[:2]
    # mirrored margins, widened to sizes the FFT is fast at
    rows, cols = cv2.getOptimalDFTSize(height + 2 * pad), cv2.getOptimalDFTSize(width + 2 * pad)
    padded = cv2.copyMakeBorder(image, pad, rows - height - pad, pad, cols - width - pad,
                                cv2.BORDER_REFLECT).astype(np.float32)
    transfer = np.fft.rfft2(kernel, s=(rows, cols))
    # the kernel's centre sits at (k//2, k//2), not at the origin: shift it back
    centre = kernel.shape[0] // 2
    shift = np.exp(-2j * np.pi * (np.fft.fftfreq(rows)[:, None] * centre + np.fft.rfftfreq(cols)[None, :] * centre))
    inverse = np.conj(transfer) / (np.abs(transfer) ** 2 + noise_to_signal) * shift
    channels = padded[..., None] if padded.ndim == 2 else padded
    out = np.empty((height, width, channels.shape[2]), np.float32)
    for c in range(channels.shape[2]):
        out[..., c] = np.fft.irfft2(np.fft.rfft2(channels[..., c]) * inverse, s=(rows, cols))[pad:pad + height,
                                                                                           pad:pad + width]
    return np.clip(out if image.ndim == 3 else out[..., 0], 0, 255).astype(np.uint8)


def _around(image: np.ndarray, quad: np.ndarray, margin: int = 16) -> tuple[slice, slice]:
    """The rows and columns of `image` around `quad`, `margin` pixels wider."""
    height, width = image.shape[:2]
    x0, y0 = np.floor(quad.min(axis=0)).astype(int) - margin
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + margin
    return slice(max(y0, 0), min(y1, height)), slice(max(x0, 0), min(x1, width))


def find_smear_around(image: np.ndarray, quad: np.ndarray) -> Smear | None:
    """The motion smear measured on the part of a BGR photo that `quad` outlines (on a copy
    at most `WORK_SIDE` long, as `unsmear` takes it out), in photo pixels."""
    region = image[_around(image, quad)]
    if not region.size:
        return None
    scale = min(1.0, WORK_SIDE / max(region.shape[:2]))
    if scale < 1.0:
        region = cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    smear = find_smear(cv2.cvtColor(region, cv2.COLOR_BGR2GRAY))
    return None if smear is None else Smear(smear.dx / scale, smear.dy / scale)


def unsmear_around(image: np.ndarray, quad: np.ndarray, smear: Smear) -> np.ndarray:
    """A copy of `image` with `smear` taken out of the part that `quad` outlines."""
    rows, cols = _around(image, quad)
    out = image.copy()
    out[rows, cols] = unsmear(image[rows, cols], smear)
    return out
