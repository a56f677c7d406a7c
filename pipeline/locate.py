"""Locate: find the card or page in a photo and straighten it.

A photographed card is a bright-ish convex quadrilateral with strong edges on all four
sides and an aspect near 85.6:54 (an A4 page: 297:210). We collect quadrilateral candidates
from several edge and threshold maps of a small copy, score each by how well its four sides
lie on real edges, its aspect and its size, then fit each side as a line on the edge pixels
near it (rounded corners and blur move approxPolyDP's corners; fitted lines do not)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from models.ocr import order_quad

CARD_ASPECT = 85.6 / 54.0
PAGE_ASPECT = 297.0 / 210.0
WORK_SIDE = 640
"""Long side of the copy the search runs on: large enough for corners, small enough to be fast."""


class DocumentKind(StrEnum):
    CARD = "card"
    PAGE = "page"
    FRAME = "frame"
    """No outline found: the whole image is taken as the document."""


@dataclass
class Located:
    kind: DocumentKind
    quad: np.ndarray
    """4×2 corners in input pixels, clockwise, quad[0]→quad[1] along a long side."""
    support: float
    """Share of the outline that lies on image edges (0–1); 1.0 for FRAME by definition."""
    touches_border: bool
    """Part of the outline lies on (or beyond) the image border: maybe cut off."""

    @property
    def width(self) -> float:
        return float((np.linalg.norm(self.quad[0] - self.quad[1]) + np.linalg.norm(self.quad[3] - self.quad[2])) / 2)

    @property
    def height(self) -> float:
        return float((np.linalg.norm(self.quad[1] - self.quad[2]) + np.linalg.norm(self.quad[0] - self.quad[3])) / 2)


def find_document(image: np.ndarray) -> Located:
    """The most card- or page-like outline in `image`, or the whole frame if none is."""
    return find_documents(image, limit=1)[0]


def find_documents(image: np.ndarray, limit: int = 3) -> list[Located]:
    """Up to `limit` distinct outlines, most document-like first; the whole frame if none.

    A photo on a cluttered desk can hold a card and sheets of paper with print; the reader
    tries the next outline when the first one does not read as a document."""
    height, width = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    work = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    gray = cv2.cvtColor(work, cv2.COLOR_BGR2GRAY)
    gradient = _gradient(work)
    edge_threshold = max(20.0, float(np.percentile(gradient.magnitude, 90)) * 0.5)

    quads = _distinct(_candidate_quads(work, gray))
    scores, kinds, supports = _score_all(quads, gradient, edge_threshold)
    scored: list[tuple[float, np.ndarray, DocumentKind, float]] = [
        (float(scores[i]), quads[i], kinds[i], float(supports[i])) for i in np.flatnonzero(scores >= 0)]
    plain = _on_plain_background(work)
    if plain is not None:
        scored.append(plain)
    if not scored:
        frame = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        if height > width:
            frame = np.roll(frame, -1, axis=0)
        return [Located(DocumentKind.FRAME, frame, 1.0, False)]

    chosen: list[tuple[float, np.ndarray, DocumentKind, float]] = []
    for candidate in sorted(scored, key=lambda c: -c[0]):
        if all(_overlap(candidate[1], other[1], work.shape[:2]) < 0.5 for other in chosen):
            chosen.append(candidate)
            if len(chosen) == limit:
                break
    found = []
    for _, quad, kind, support in chosen:
        quad = _refine(quad, gradient.magnitude)
        quad = _long_side_first(quad) / scale
        margin = 2.0
        touches = bool(
            (quad[:, 0] <= margin).any() or (quad[:, 1] <= margin).any()
            or (quad[:, 0] >= width - 1 - margin).any() or (quad[:, 1] >= height - 1 - margin).any()
        )
        found.append(Located(kind, quad.astype(np.float32), support, touches))
    return found


def _overlap(a: np.ndarray, b: np.ndarray, shape: tuple[int, int]) -> float:
    """Intersection over union of two convex quads."""
    area, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    union = cv2.contourArea(a.astype(np.float32)) + cv2.contourArea(b.astype(np.float32)) - area
    return float(area / union) if union > 0 else 0.0


def rectify(image: np.ndarray, located: Located, long_side: int) -> tuple[np.ndarray, np.ndarray]:
    """The document warped flat, `long_side` pixels wide, and the homography that did it."""
    if located.kind is DocumentKind.CARD:
        aspect = CARD_ASPECT
    elif located.kind is DocumentKind.PAGE:
        aspect = PAGE_ASPECT
    else:
        aspect = located.width / max(located.height, 1.0)
    out_w, out_h = long_side, max(1, int(round(long_side / aspect)))
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], np.float32)
    matrix = cv2.getPerspectiveTransform(located.quad.astype(np.float32), target)
    flat = cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_AREA,
                               borderMode=cv2.BORDER_REPLICATE)
    return flat, matrix


@dataclass
class Gradient:
    """Per pixel of the work copy: the strongest colour channel's gradient, as magnitude and
    unit direction, so a side can be checked for edges that run along it (a card's edge)
    rather than any edges at all (print, wood grain)."""

    magnitude: np.ndarray
    ux: np.ndarray
    uy: np.ndarray


def _gradient(work: np.ndarray) -> Gradient:
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
    return Gradient(magnitude, gx / safe, gy / safe)


def _distinct(quads: np.ndarray) -> np.ndarray:
    """The candidates with near-duplicates (corners within ~6 px) dropped, first one kept."""
    if not len(quads):
        return quads
    keys = np.round(quads / 6).astype(np.int16).reshape(len(quads), 8)
    _, first = np.unique(keys, axis=0, return_index=True)
    return quads[np.sort(first)]


def _candidate_quads(work: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """N×4×2 quadrilaterals that might be the document, in the work copy's pixels."""
    area = work.shape[0] * work.shape[1]
    maps = []
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    median = float(np.median(blurred))
    for low, high in ((0.5 * median, 1.2 * median), (20, 60), (40, 120)):
        edges = cv2.Canny(blurred, max(5, low), max(15, high))
        maps.append(cv2.dilate(edges, np.ones((3, 3), np.uint8)))
    lab = cv2.cvtColor(cv2.GaussianBlur(work, (5, 5), 0), cv2.COLOR_BGR2LAB)
    for channel in cv2.split(lab)[1:]:
        maps.append(cv2.dilate(cv2.Canny(channel, 10, 30), np.ones((3, 3), np.uint8)))
    _, otsu = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    for mask in (otsu, 255 - otsu):
        maps.append(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel))

    found = [_line_quads(work.shape[:2], maps[1:3])]
    found += [q[None] for q in _contour_quads(maps, area, work.shape[:2])]
    return np.concatenate(found).astype(np.float32)


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


def _line_quads(shape: tuple[int, int], edge_maps: list[np.ndarray], keep: int = 24):
    """Quadrilaterals made of four long straight edges, two roughly parallel pairs.

    A card touching or lying on other things merges with them into one contour; its four
    sides are still long straight edges, which this finds whatever they touch."""
    h, w = shape
    segments = []
    for edge_map in edge_maps:
        found = cv2.HoughLinesP(edge_map, 1, np.pi / 360, threshold=60,
                                minLineLength=int(0.12 * max(h, w)), maxLineGap=8)
        if found is not None:
            segments.extend(found.reshape(-1, 4).astype(np.float32))
    lines: list[list[float]] = []  # [theta, rho, length]
    for x1, y1, x2, y2 in segments:
        theta = float(np.arctan2(y2 - y1, x2 - x1)) % np.pi
        normal = np.array([-np.sin(theta), np.cos(theta)])
        rho = float(normal @ np.array([x1, y1]))
        length = float(np.hypot(x2 - x1, y2 - y1))
        for line in lines:
            dtheta = abs(line[0] - theta)
            if min(dtheta, np.pi - dtheta) < np.radians(3) and abs(line[1] - rho * (1 if dtheta < np.pi / 2 else -1)) < 6:
                line[2] += length
                break
        else:
            lines.append([theta, rho, length])
    lines = sorted(lines, key=lambda line: -line[2])[:keep]

    if len(lines) < 4:
        return np.empty((0, 4, 2), np.float32)
    count = len(lines)
    theta = np.array([line[0] for line in lines])
    rho = np.array([line[1] for line in lines])
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
    xs = np.stack([cross_x[i, j] for i, j in corners], axis=1)
    ys = np.stack([cross_y[i, j] for i, j in corners], axis=1)
    slack = 0.05 * max(h, w)
    with np.errstate(invalid="ignore"):  # NaN corners (parallel lines) fail the bounds
        inside = ((xs >= -slack) & (xs <= w + slack) & (ys >= -slack) & (ys <= h + slack)).all(axis=1)
    return order_quads(np.stack([xs[inside], ys[inside]], axis=2).astype(np.float32))


def order_quads(quads: np.ndarray) -> np.ndarray:
    """`order_quad` for N quads at once (N×4×2): clockwise from the top-left."""
    total = quads.sum(axis=2)
    diff = quads[:, :, 1] - quads[:, :, 0]
    picks = np.stack([total.argmin(1), diff.argmin(1), total.argmax(1), diff.argmax(1)], axis=1)
    return np.take_along_axis(quads, picks[:, :, None], axis=1)


def _on_plain_background(work: np.ndarray):
    """(score, quad, kind, support) of the document as the region that differs from a plain
    background (a scanner lid, a white desk), or None if the background is not plain.

    A light card on a light background has edges too faint for the edge maps, but every
    pixel of the card still differs in colour from the background, which the border shows."""
    h, w = work.shape[:2]
    lab = cv2.cvtColor(cv2.GaussianBlur(work, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    ring = np.concatenate([lab[:6].reshape(-1, 3), lab[-6:].reshape(-1, 3),
                           lab[:, :6].reshape(-1, 3), lab[:, -6:].reshape(-1, 3)])
    background = np.median(ring, axis=0)
    spread = np.percentile(np.linalg.norm(ring - background, axis=1), 90)
    if spread > 6.0:
        return None  # the border is busy (a desk, clutter): the edge maps handle that
    distance = cv2.GaussianBlur(np.linalg.norm(lab - background, axis=2), (0, 0), 3)
    mask = (distance > max(2.5, 2.0 * spread)).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    area_fraction = cv2.contourArea(hull) / float(h * w)
    if not 0.05 <= area_fraction <= 0.97:
        return None
    perimeter = cv2.arcLength(hull, True)
    shapes = [cv2.boxPoints(cv2.minAreaRect(hull))]
    shapes += [a.reshape(4, 2) for eps in (0.02, 0.035, 0.05)
               if len(a := cv2.approxPolyDP(hull, eps * perimeter, True)) == 4]
    best = None
    for quad in map(order_quad, shapes):
        sides = [np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]
        aspect = max(sides[0] + sides[2], sides[1] + sides[3]) / max(min(sides[0] + sides[2], sides[1] + sides[3]), 1.0)
        card_fit, page_fit = abs(np.log(aspect / CARD_ASPECT)), abs(np.log(aspect / PAGE_ASPECT))
        kind, fit = (DocumentKind.CARD, card_fit) if card_fit <= page_fit else (DocumentKind.PAGE, page_fit)
        if fit > 0.35:
            continue
        inside = np.zeros_like(mask)
        cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
        fill = float(np.mean(mask[inside > 0] > 0))
        spill = float(np.mean(mask[inside == 0] > 0)) if (inside == 0).any() else 0.0
        support = fill * (1.0 - spill)
        score = support ** 2 * np.exp(-3.0 * fit) * np.sqrt(area_fraction)
        if support >= 0.8 and (best is None or score > best[0]):
            best = (score, quad.astype(np.float32), kind, support)
    return best


def _side_samples(a: np.ndarray, b: np.ndarray, count: int = 40) -> np.ndarray:
    t = np.linspace(0.08, 0.92, count, dtype=np.float32)[:, None]
    return a[None, :] * (1 - t) + b[None, :] * t


_WINDOW = np.array([(dy, dx) for dy in (-2, 0, 2) for dx in (-2, 0, 2)])


def _score_all(quads: np.ndarray, gradient: Gradient, threshold: float
               ) -> tuple[np.ndarray, list[DocumentKind], np.ndarray]:
    """(score, kind, support) of N candidates at once; score −1 where one cannot be a document.

    Support is the share of points along the four sides where a strong edge runs parallel
    to the side (gradient across it) within two pixels."""
    count = len(quads)
    scores = np.full(count, -1.0)
    supports = np.zeros(count)
    kinds = [DocumentKind.CARD] * count
    if not count:
        return scores, kinds, supports
    h, w = gradient.magnitude.shape
    ends = np.roll(quads, -1, axis=1)
    sides = np.linalg.norm(quads - ends, axis=2)                                  # N × 4
    long_pair, short_pair = sides[:, 0] + sides[:, 2], sides[:, 1] + sides[:, 3]
    aspect = np.maximum(long_pair, short_pair) / np.maximum(np.minimum(long_pair, short_pair), 1.0)
    card_fit, page_fit = np.abs(np.log(aspect / CARD_ASPECT)), np.abs(np.log(aspect / PAGE_ASPECT))
    is_card = card_fit <= page_fit
    fit = np.where(is_card, card_fit, page_fit)
    plausible = (sides.min(axis=1) >= 20) & (fit <= 0.35)
    plausible &= np.array([bool(ok) and cv2.isContourConvex(q.reshape(-1, 1, 2))
                           for ok, q in zip(plausible, quads)])
    index = np.flatnonzero(plausible)
    if not len(index):
        return scores, kinds, supports

    starts, stops, lengths = quads[index], ends[index], sides[index]
    t = np.linspace(0.08, 0.92, 40, dtype=np.float32)[None, None, :, None]
    points = starts[:, :, None, :] * (1 - t) + stops[:, :, None, :] * t       # n × 4 × 40 × 2
    direction = (stops - starts) / np.maximum(lengths[..., None], 1e-6)
    normal = np.stack([-direction[..., 1], direction[..., 0]], axis=-1)       # n × 4 × 2
    xs = np.clip(np.round(points[..., 0]).astype(int)[..., None] + _WINDOW[:, 1], 0, w - 1)
    ys = np.clip(np.round(points[..., 1]).astype(int)[..., None] + _WINDOW[:, 0], 0, h - 1)
    across = np.abs(gradient.ux[ys, xs] * normal[:, :, None, None, 0] + gradient.uy[ys, xs] * normal[:, :, None, None, 1])
    on_edge = (gradient.magnitude[ys, xs] > threshold) & (across > 0.75)     # n × 4 × 40 × 9
    side_support = on_edge.any(axis=3).mean(axis=2)                           # n × 4
    support = side_support.mean(axis=1)
    # one side may be faint (a white card's edge over white paper); the other three may not
    good = (np.sort(side_support, axis=1)[:, 1] >= 0.45) & (support >= 0.6)
    x, y = starts[..., 0].astype(np.float64), starts[..., 1].astype(np.float64)
    area_fraction = np.abs((x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)) / 2 / float(h * w)
    on_border = ((starts[..., 0] <= 3) | (starts[..., 1] <= 3) | (starts[..., 0] >= w - 4)
                 | (starts[..., 1] >= h - 4)).mean(axis=1)
    score = support ** 2 * np.exp(-3.0 * fit[index]) * np.sqrt(area_fraction) * (1.0 - 0.6 * on_border)
    scores[index[good]] = score[good]
    supports[index] = support
    for i in index[good]:
        kinds[i] = DocumentKind.CARD if is_card[i] else DocumentKind.PAGE
    return scores, kinds, supports


def _refine(quad: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """Fit each side as a line through the strongest edge pixels in a band around it and
    intersect neighbouring lines: corners that sit on the true edges, not on rounded tips."""
    h, w = gradient.shape
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        direction = (b - a) / max(np.linalg.norm(b - a), 1e-6)
        normal = np.array([-direction[1], direction[0]], np.float32)
        pts = _side_samples(a, b, 60)
        offsets = np.arange(-6, 7, dtype=np.float32)
        cand = pts[:, None, :] + offsets[None, :, None] * normal[None, None, :]
        xs = np.clip(np.round(cand[..., 0]).astype(int), 0, w - 1)
        ys = np.clip(np.round(cand[..., 1]).astype(int), 0, h - 1)
        values = gradient[ys, xs]
        best = np.argmax(values, axis=1)
        strong = values[np.arange(len(pts)), best] > max(15.0, float(np.percentile(values, 60)))
        chosen = cand[np.arange(len(pts)), best][strong]
        if len(chosen) < 10:
            lines.append(None)
            continue
        vx, vy, x0, y0 = cv2.fitLine(chosen.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float32), np.array([vx, vy], np.float32)))
    refined = quad.copy()
    for i in range(4):
        previous, current = lines[(i - 1) % 4], lines[i]
        if previous is None or current is None:
            continue
        point = _intersect(previous, current)
        if point is not None and np.linalg.norm(point - quad[i]) < 0.08 * max(h, w):
            refined[i] = point
    return refined


def _intersect(line_a, line_b):
    (p, r), (q, s) = line_a, line_b
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        return None
    t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / cross
    return p + t * r


def _long_side_first(quad: np.ndarray) -> np.ndarray:
    """Rotate the corner order so the first side is a long one (cards and text run along it;
    the orient stage settles 0° versus 180° afterwards)."""
    top = np.linalg.norm(quad[0] - quad[1]) + np.linalg.norm(quad[2] - quad[3])
    side = np.linalg.norm(quad[1] - quad[2]) + np.linalg.norm(quad[3] - quad[0])
    return quad if top >= side else np.roll(quad, -1, axis=0)
