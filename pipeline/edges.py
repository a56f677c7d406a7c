"""Edges of a photo's small work copy, as the outline search needs them: per pixel the
strongest colour channel's gradient, and per straight stretch the share of it that runs on
an edge along it (a card's side) rather than across edges (print, wood grain)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WINDOW = np.array([(dy, dx) for dy in (-2, 0, 2) for dx in (-2, 0, 2)])
"""Offsets around a point within which an edge counts as on it."""
ACROSS = 0.75
"""|cos| between the gradient and a side's normal above which an edge runs along the side."""
FAINT = 0.6
"""A fainter edge, down to this share of the threshold, still counts if it runs closely along
the side (|cos| > FAINT_ACROSS) and one side of it is calm (CALM). The threshold is set by the
photo's strongest edges, so sheets of print raise it, and a light card's side over white paper,
motion-blurred, falls under it. The card's face next to its side is calm; wood grain, whose
long straight streaks would otherwise let a page-shaped outline through the desk win, has
texture on both sides."""
FAINT_ACROSS = 0.95
CALM = 0.3
"""Under this share of the threshold at both CALM_AT distances (px) on one side: calm."""
CALM_AT = (4, 7)


@dataclass
class Gradient:
    """Per pixel of the work copy: the strongest colour channel's gradient, as magnitude and
    unit direction, so a side can be checked for edges that run along it."""

    magnitude: np.ndarray
    ux: np.ndarray
    uy: np.ndarray
    threshold: float
    """Magnitude above which a pixel is an edge: half the 90th percentile, at least 20."""

    @classmethod
    def of(cls, work: np.ndarray) -> "Gradient":
        """Strongest colour-channel gradient per pixel, so a white card on a light-grey desk
        (small luminance step, some colour step) still shows its edge."""
        blurred = cv2.GaussianBlur(work, (5, 5), 0)
        gxs, gys = [], []
        for channel in cv2.split(cv2.cvtColor(blurred, cv2.COLOR_BGR2LAB)):
            gxs.append(cv2.Sobel(channel, cv2.CV_32F, 1, 0, ksize=3))
            gys.append(cv2.Sobel(channel, cv2.CV_32F, 0, 1, ksize=3))
        magnitude, gx, gy = cv2.magnitude(gxs[0], gys[0]), gxs[0], gys[0]
        for cx, cy in zip(gxs[1:], gys[1:]):  # the first strongest channel wins a tie
            mag = cv2.magnitude(cx, cy)
            stronger = mag > magnitude
            magnitude = np.where(stronger, mag, magnitude)
            gx, gy = np.where(stronger, cx, gx), np.where(stronger, cy, gy)
        safe = np.maximum(magnitude, 1e-6)
        threshold = max(20.0, float(np.percentile(magnitude, 90)) * 0.5)
        return cls(magnitude, gx / safe, gy / safe, threshold)

    def along(self, xs: np.ndarray, ys: np.ndarray, nx: np.ndarray, ny: np.ndarray) -> np.ndarray:
        """Whether an edge with its gradient along the normal (nx, ny) lies within WINDOW of
        each point (xs, ys: integer arrays of any shape; nx, ny broadcast to it)."""
        h, w = self.magnitude.shape
        px, py = xs, ys
        xs = np.clip(xs[..., None] + WINDOW[:, 1], 0, w - 1)
        ys = np.clip(ys[..., None] + WINDOW[:, 0], 0, h - 1)
        across = np.abs(self.ux[ys, xs] * nx[..., None] + self.uy[ys, xs] * ny[..., None])
        magnitude = self.magnitude[ys, xs]
        strong = ((magnitude > self.threshold) & (across > ACROSS)).any(axis=-1)
        faint = ((magnitude > FAINT * self.threshold) & (across > FAINT_ACROSS)).any(axis=-1)

        def calm(sign: int) -> np.ndarray:
            quiet = np.ones(np.broadcast(px, nx).shape, bool)
            for step in CALM_AT:
                qx = np.clip(np.round(px + sign * step * nx).astype(np.intp), 0, w - 1)
                qy = np.clip(np.round(py + sign * step * ny).astype(np.intp), 0, h - 1)
                quiet &= self.magnitude[qy, qx] < CALM * self.threshold
            return quiet

        return strong | (faint & (calm(1) | calm(-1)))

    def side_support(self, quads: np.ndarray, samples: int) -> np.ndarray:
        """n × 4: per side of each quad, the share of `samples` points along its middle 84%
        with an edge along the side nearby."""
        starts, stops = quads, np.roll(quads, -1, axis=1)
        lengths = np.linalg.norm(stops - starts, axis=2)
        t = np.linspace(0.08, 0.92, samples, dtype=np.float32)[None, None, :, None]
        points = starts[:, :, None, :] * (1 - t) + stops[:, :, None, :] * t     # n × 4 × samples × 2
        direction = (stops - starts) / np.maximum(lengths[..., None], 1e-6)
        nx, ny = -direction[..., 1:2], direction[..., 0:1]                      # n × 4 × 1
        xs = np.round(points[..., 0]).astype(np.intp)
        ys = np.round(points[..., 1]).astype(np.intp)
        return self.along(xs, ys, nx, ny).mean(axis=2)
