"""Candidate outlines: quadrilaterals in a photo's work copy that might be the card or page.

Two sources: the contours of several edge and threshold maps (a card alone on a plain desk),
and long straight edges (of grey levels and of colour): four in two roughly parallel pairs, or
three with the fourth side where a card's aspect puts it (a card touching or lying on other
things merges with them into one contour, but its sides are still long straight edges). A desk
with printed sheets gives thousands of four-line candidates; each comes with a first estimate
of how much of its sides lies on edges, read off running counts along its four lines, so that
only the best few hundred are checked closely (`pipeline.locate`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from models.ocr import order_quad
from pipeline.edges import Gradient

CARD_ASPECT = 85.6 / 54.0
PAGE_ASPECT = 297.0 / 210.0
STRAIGHT_EDGES = 64
"""Longest straight edges combined into four-line candidates (24 missed one hard photo in
five: clutter and print supply the longest lines; bench/RESULTS.md, "Extract")."""


HOUGH_THETA = np.pi / 360
"""The straight-edge search's angular step. Half a degree: a whole one halves the search's
time but, on 8 seeds' hard photos, moved outlines enough to lose more fields than it won."""
THREE_LINE_KEPT = 600
"""Three-line candidates (see `_three_line_quads`) passed on, the best by their three sides
(50 found fewer cards on hard photos; bench/RESULTS.md, "Extract")."""


@dataclass
class EdgeMaps:
    """The work copy's edge and threshold maps, made once for both sources of candidates."""

    maps: list[np.ndarray]
    """Canny at three thresholds, of the two colour channels, and Otsu's masks (closed)."""
    colour_edges: np.ndarray
    """Canny on the strongest colour channel's gradient."""
    shape: tuple[int, int]

    @classmethod
    def of(cls, work: np.ndarray, gray: np.ndarray, gradient: Gradient) -> "EdgeMaps":
        maps = []
        blurred = cv2.GaussianBlur(gray, (5, 5), 0)
        median = float(np.median(blurred))
        for low, high in ((0.5 * median, 1.2 * median), (20, 60), (40, 120)):
            edges = cv2.Canny(blurred, max(5, low), max(15, high))
            maps.append(cv2.dilate(edges, np.ones((3, 3), np.uint8)))
        # a card beside something of its own brightness (a white card on a sheet of paper) has
        # an edge in colour only: Canny on the strongest channel's gradient finds it
        dx = np.round(gradient.ux * gradient.magnitude).astype(np.int16)
        dy = np.round(gradient.uy * gradient.magnitude).astype(np.int16)
        colour_edges = cv2.Canny(dx, dy, 0.5 * gradient.threshold, gradient.threshold, L2gradient=True)
        colour_edges = cv2.dilate(colour_edges, np.ones((3, 3), np.uint8))
        lab = cv2.cvtColor(cv2.GaussianBlur(work, (5, 5), 0), cv2.COLOR_BGR2LAB)
        for channel in cv2.split(lab)[1:]:
            maps.append(cv2.dilate(cv2.Canny(channel, 10, 30), np.ones((3, 3), np.uint8)))
        _, otsu = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
        for mask in (otsu, 255 - otsu):
            maps.append(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel))
        return cls(maps, colour_edges, work.shape[:2])


def candidate_quads(edges: EdgeMaps, gradient: Gradient, contours: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(N×4×2 plausible quads clockwise from the top-left, N×4 first estimate of each side's
    edge support, NaN where there is none yet), near-duplicates dropped: the four- and three-line
    quads, then the contours' (`contours`, if already found)."""
    line_quads, line_support = _line_quads([edges.maps[1], edges.colour_edges], gradient)
    contours = contour_quads(edges) if contours is None else contours
    quads = np.concatenate([line_quads, contours])
    support = np.concatenate([line_support, np.full((len(contours), 4), np.nan)])
    keep = _distinct(quads)
    return quads[keep], support[keep]


def contour_quads(edges: EdgeMaps) -> np.ndarray:
    """The plausible quads among the maps' contours (N×4×2): the cheap source, which finds a
    card alone on a desk; the straight edges are for a card touching other things."""
    shape = edges.shape
    quads = np.array(list(_contour_quads(edges.maps, shape[0] * shape[1], shape)), np.float32).reshape(-1, 4, 2)
    return quads[plausible(quads)[0]]


def plausible(quads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per quad (N×4×2, clockwise): whether it can be a document (convex, no side under
    20 px, a card's or a page's aspect within a factor of 1.4), whether a card fits its
    aspect better than a page, and how well (|log| of the aspect ratio's error)."""
    edges = np.roll(quads, -1, axis=1) - quads
    sides = np.linalg.norm(edges, axis=2)                                         # N × 4
    long_pair, short_pair = sides[:, 0] + sides[:, 2], sides[:, 1] + sides[:, 3]
    aspect = np.maximum(long_pair, short_pair) / np.maximum(np.minimum(long_pair, short_pair), 1.0)
    card_fit, page_fit = np.abs(np.log(aspect / CARD_ASPECT)), np.abs(np.log(aspect / PAGE_ASPECT))
    is_card = card_fit <= page_fit
    fit = np.where(is_card, card_fit, page_fit)
    following = np.roll(edges, -1, axis=1)
    turns = edges[..., 0] * following[..., 1] - edges[..., 1] * following[..., 0]
    convex = (turns > 0).all(axis=1) | (turns < 0).all(axis=1)
    return (sides.min(axis=1) >= 20) & (fit <= 0.35) & convex, is_card, fit


def order_quads(quads: np.ndarray) -> np.ndarray:
    """`order_quad` for N quads at once (N×4×2): clockwise from the top-left."""
    total = quads.sum(axis=2)
    diff = quads[:, :, 1] - quads[:, :, 0]
    picks = np.stack([total.argmin(1), diff.argmin(1), total.argmax(1), diff.argmax(1)], axis=1)
    return np.take_along_axis(quads, picks[:, :, None], axis=1)


def _distinct(quads: np.ndarray) -> np.ndarray:
    """Indices of the candidates with near-duplicates (corners within ~6 px) dropped, the
    first one kept."""
    if not len(quads):
        return np.arange(0)
    keys = np.round(quads / 6).astype(np.int16).reshape(len(quads), 8)
    _, first = np.unique(keys, axis=0, return_index=True)
    return np.sort(first)


def _contour_quads(maps: list[np.ndarray], area: int, shape: tuple[int, int]):
    for edge_map in maps:
        contours, _ = cv2.findContours(edge_map, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            if cv2.contourArea(contour) < 0.02 * area and cv2.arcLength(contour, True) < 0.4 * (shape[0] + shape[1]):
                continue
            hull = cv2.convexHull(contour)
            hull_area = cv2.contourArea(hull)
            if hull_area < 0.02 * area:
                continue
            perimeter = cv2.arcLength(hull, True)
            for eps in (0.02, 0.035, 0.05):
                approx = cv2.approxPolyDP(hull, eps * perimeter, True)
                if len(approx) == 4:
                    yield order_quad(approx.reshape(4, 2))
                    break
            else:
                rect = cv2.boxPoints(cv2.minAreaRect(hull))
                if hull_area / max(cv2.contourArea(rect), 1.0) > 0.85:
                    yield order_quad(rect)


def _straight_edges(edge_maps: list[np.ndarray], shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(θ, ρ) of the STRAIGHT_EDGES longest straight edges, collinear Hough segments merged:
    the line is −sinθ·x + cosθ·y = ρ."""
    h, w = shape

    def hough(edge_map: np.ndarray) -> np.ndarray | None:
        return cv2.HoughLinesP(edge_map, 1, HOUGH_THETA, threshold=60,
                               minLineLength=int(0.12 * max(h, w)), maxLineGap=8)

    # the search is the costliest step of finding a document and runs on one core: the maps
    # are searched at once, one per thread (OpenCV lets go of the GIL; same segments, same order)
    with ThreadPoolExecutor(len(edge_maps), thread_name_prefix="hough") as pool:
        found_per_map = list(pool.map(hough, edge_maps))
    segments = [s for found in found_per_map if found is not None for s in found.reshape(-1, 4).astype(np.float32)]
    if not segments:
        return np.empty(0), np.empty(0)
    x1, y1, x2, y2 = np.array(segments, np.float64).T
    thetas = np.arctan2(y2 - y1, x2 - x1) % np.pi
    rhos = -np.sin(thetas) * x1 + np.cos(thetas) * y1
    lengths = np.hypot(x2 - x1, y2 - y1)
    theta, rho, total = np.empty(len(segments)), np.empty(len(segments)), np.zeros(len(segments))
    count = 0
    for t, r, length in zip(thetas, rhos, lengths):  # merge each segment into the first line it lies on
        dtheta = np.abs(theta[:count] - t)
        flipped = dtheta >= np.pi / 2  # θ near 0 and near π: the same line with ρ negated
        same = (np.minimum(dtheta, np.pi - dtheta) < np.radians(3)) & (np.abs(rho[:count] - np.where(flipped, -r, r)) < 6)
        hit = np.flatnonzero(same)
        if len(hit):
            total[hit[0]] += length
        else:
            theta[count], rho[count], total[count] = t, r, length
            count += 1
    longest = np.argsort(-total[:count], kind="stable")[:STRAIGHT_EDGES]
    return theta[longest], rho[longest]


class _EdgeRuns:
    """Per line, a running count of the 1-px steps along it that have an edge along the line
    nearby, so the share of any stretch of it is two lookups."""

    def __init__(self, theta: np.ndarray, rho: np.ndarray, gradient: Gradient):
        h, w = gradient.magnitude.shape
        self.reach = int(np.hypot(h, w)) + 1
        steps = np.arange(-self.reach, self.reach + 1, dtype=np.float32)
        self.cos, self.sin = np.cos(theta), np.sin(theta)
        xs = (-self.sin * rho)[:, None] + self.cos[:, None] * steps     # ρ·normal + s·direction
        ys = (self.cos * rho)[:, None] + self.sin[:, None] * steps
        inside = (xs >= 0) & (xs <= w - 1) & (ys >= 0) & (ys <= h - 1)
        on_edge = np.zeros(xs.shape, bool)
        normal_x, normal_y = np.broadcast_to(-self.sin[:, None], xs.shape), np.broadcast_to(self.cos[:, None], xs.shape)
        on_edge[inside] = gradient.along(np.round(xs[inside]).astype(np.intp), np.round(ys[inside]).astype(np.intp),
                                         normal_x[inside], normal_y[inside])
        self.counts = np.concatenate([np.zeros((len(theta), 1)), np.cumsum(on_edge, axis=1)], axis=1)

    def share(self, line: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """The share of the middle 84% of each stretch start→stop (k×2, on `line`) on edges."""
        cos, sin = self.cos[line], self.sin[line]
        a = start[:, 0] * cos + start[:, 1] * sin
        b = stop[:, 0] * cos + stop[:, 1] * sin
        low, high = np.minimum(a, b), np.maximum(a, b)
        trim = 0.08 * (high - low)
        last = self.counts.shape[1] - 1
        first = np.clip(np.round(low + trim).astype(np.intp) + self.reach, 0, last)
        end = np.clip(np.round(high - trim).astype(np.intp) + self.reach + 1, 0, last)
        return (self.counts[line, end] - self.counts[line, first]) / np.maximum(end - first, 1)


def _line_quads(edge_maps: list[np.ndarray], gradient: Gradient) -> tuple[np.ndarray, np.ndarray]:
    """Plausible quadrilaterals made of four long straight edges, two roughly parallel pairs,
    and each side's share on edges (N×4)."""
    h, w = gradient.magnitude.shape
    theta, rho = _straight_edges(edge_maps, (h, w))
    if len(theta) < 4:
        return np.empty((0, 4, 2), np.float32), np.empty((0, 4))
    count = len(theta)
    # all pairwise intersections at once: -sinθ·x + cosθ·y = ρ for both lines
    sin, cos = np.sin(theta), np.cos(theta)
    det = -sin[:, None] * cos[None, :] + cos[:, None] * sin[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_x = (rho[:, None] * cos[None, :] - cos[:, None] * rho[None, :]) / det
        cross_y = (-sin[:, None] * rho[None, :] + rho[:, None] * sin[None, :]) / det
    gap = np.abs(theta[:, None] - theta[None, :])
    gap = np.minimum(gap, np.pi - gap)

    # pairs of roughly parallel lines apart from each other, then pairs of such pairs that cross
    first, second = np.triu_indices(count, k=1)
    parallel = (gap[first, second] < np.radians(20)) & (np.abs(np.abs(rho[first]) - np.abs(rho[second])) > 20)
    pairs = np.stack([first[parallel], second[parallel]], axis=1)
    n, m = np.triu_indices(len(pairs), k=1)
    (a, b), (c, d) = pairs[n].T, pairs[m].T
    crossing = gap[a, c] >= np.radians(55)
    a, b, c, d = a[crossing], b[crossing], c[crossing], d[crossing]
    corners = ((a, c), (c, b), (b, d), (d, a))
    side_lines = np.stack([c, b, d, a], axis=1)  # side k runs from corner k to corner k + 1
    quads = np.stack([np.stack([cross_x[i, j] for i, j in corners], axis=1),
                      np.stack([cross_y[i, j] for i, j in corners], axis=1)], axis=2).astype(np.float32)
    ok = _within_reach(quads, (h, w))
    ok[ok] = plausible(quads[ok])[0]
    quads, side_lines = quads[ok], side_lines[ok]
    runs = _EdgeRuns(theta, rho, gradient)
    support = np.stack([runs.share(side_lines[:, k], quads[:, k], quads[:, (k + 1) % 4]) for k in range(4)], axis=1)
    three, three_support = _three_line_quads(theta, pairs, cross_x, cross_y, gap, runs, (h, w))
    return order_quads(np.concatenate([quads, three])), np.concatenate([support, three_support])


def _within_reach(quads: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Quads whose corners lie in the frame or just outside it (5% of its long side: a card
    cut off by the frame's edge); NaN corners (from parallel lines) do not."""
    h, w = shape
    slack = 0.05 * max(h, w)
    with np.errstate(invalid="ignore"):
        return ((quads[..., 0] >= -slack) & (quads[..., 0] <= w + slack)
                & (quads[..., 1] >= -slack) & (quads[..., 1] <= h + slack)).all(axis=1)


def _three_line_quads(theta: np.ndarray, pairs: np.ndarray, cross_x: np.ndarray, cross_y: np.ndarray,
                      gap: np.ndarray, runs: _EdgeRuns, shape: tuple[int, int],
                      keep: int = THREE_LINE_KEPT) -> tuple[np.ndarray, np.ndarray]:
    """Card-shaped quads from two parallel lines and one crossing them, the fourth side put
    where a card's aspect puts it (a white card lying on white paper shows three sides).
    Their first support: the three sides' shares, the fourth side counted as their mean."""
    a, b = pairs[:, 0].repeat(len(theta)), pairs[:, 1].repeat(len(theta))
    c = np.tile(np.arange(len(theta)), len(pairs))
    crossing = (gap[a, c] >= np.radians(55)) & (c != a) & (c != b)
    a, b, c = a[crossing], b[crossing], c[crossing]
    with np.errstate(invalid="ignore"):  # NaN: c parallel to a or b after all
        long_enough = np.hypot(cross_x[b, c] - cross_x[a, c], cross_y[b, c] - cross_y[a, c]) >= 20
    a, b, c = a[long_enough], b[long_enough], c[long_enough]
    p_ac = np.stack([cross_x[a, c], cross_y[a, c]], axis=1)
    p_bc = np.stack([cross_x[b, c], cross_y[b, c]], axis=1)
    side = np.linalg.norm(p_bc - p_ac, axis=1)
    quads, lines = [], []
    for ratio in (CARD_ASPECT, 1 / CARD_ASPECT):
        for sign in (1.0, -1.0):
            along_a = sign * np.stack([np.cos(theta[a]), np.sin(theta[a])], axis=1)
            along_b = sign * np.stack([np.cos(theta[b]), np.sin(theta[b])], axis=1)
            along_b *= np.sign((along_a * along_b).sum(axis=1))[:, None]  # same way as along a
            p_ad = p_ac + along_a * (side * ratio)[:, None]
            p_bd = p_bc + along_b * (side * ratio)[:, None]
            quads.append(np.stack([p_ac, p_bc, p_bd, p_ad], axis=1))
            lines.append(np.stack([c, b, a], axis=1))  # sides 0, 1, 3 (side 2 is the inferred one)
    quads, lines = np.concatenate(quads).astype(np.float32), np.concatenate(lines)
    ok = _within_reach(quads, shape)
    ok[ok] = plausible(quads[ok])[0]
    quads, lines = quads[ok], lines[ok]
    if not len(quads):
        return np.empty((0, 4, 2), np.float32), np.empty((0, 4))
    known = np.stack([runs.share(lines[:, 0], quads[:, 0], quads[:, 1]),
                      runs.share(lines[:, 1], quads[:, 1], quads[:, 2]),
                      runs.share(lines[:, 2], quads[:, 3], quads[:, 0])], axis=1)
    best = np.argsort(-known.mean(axis=1), kind="stable")[:keep]
    support = np.column_stack([known[best, 0], known[best, 1], known[best].mean(axis=1), known[best, 2]])
    return quads[best], support
