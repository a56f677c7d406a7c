"""Locate: find the card or page in a photo and straighten it.

A photographed card is a bright-ish convex quadrilateral with strong edges on all four
sides and an aspect near 85.6:54 (an A4 page: 297:210). We collect quadrilateral candidates
from a small copy (`pipeline.candidates`), score each by how well its four sides lie on real
edges, its aspect and its size, then fit each side as a line on the edge pixels near it
(rounded corners and blur move approxPolyDP's corners; fitted lines do not)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from models.ocr import order_quad
from pipeline.candidates import CARD_ASPECT, PAGE_ASPECT, EdgeMaps, candidate_quads, contour_quads, plausible
from pipeline.edges import Gradient

WORK_SIDE = 640
"""Long side of the copy the search runs on: large enough for corners, small enough to be fast."""
MIN_CARD_SHARE = 0.6
"""A page-shaped outline is cut to a card's aspect only where the card is this much of it."""
CLEAR_SCORE = 0.3
"""A cheap candidate scored this high (support² · aspect fit · √area share; a card filling a
third of a photo, its sides all on edges, scores ≈ 0.55) is plainly the card, if…"""
CLEAR_SIDE = 0.5
"""…none of its sides lies less than this much on edges (glare can whiten a stretch of one)."""
FINE_SCORED = 200
"""Candidates whose sides are checked at 40 points each (the rest: their first estimate only)."""


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


Scored = tuple[float, np.ndarray, DocumentKind, float]
"""A candidate outline as (score, quad in work-copy pixels, kind, support)."""


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
    gradient = Gradient.of(work)
    edges = EdgeMaps.of(work, gray, gradient)
    plain = _on_plain_background(work)
    contours = contour_quads(edges)
    scored = _scored(contours, None, gradient)
    if not _clear_card(scored, plain, gradient):
        # no card stands out: look at the long straight edges too (a card touching other
        # things, or lying on a sheet of print), the costly part of the search
        scored = _scored(*candidate_quads(edges, gradient, contours), gradient)
    if plain is not None:
        scored.append(plain)
    if not scored:
        frame = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        if height > width:
            frame = np.roll(frame, -1, axis=0)
        return [Located(DocumentKind.FRAME, frame, 1.0, False)]

    chosen: list[Scored] = []
    for candidate in sorted(scored, key=lambda c: -c[0]):
        if all(_overlap(candidate[1], other[1], work.shape[:2]) < 0.5 for other in chosen):
            chosen.append(candidate)
            if len(chosen) == limit:
                break
    found = []
    for _, quad, kind, support in chosen:
        quad = _refine(quad, gradient.magnitude)
        quad = _long_side_first(quad) / scale
        found.append(Located(kind, quad.astype(np.float32), support, _touches_border(quad, width, height)))
    return found


def _scored(quads: np.ndarray, first_support: np.ndarray | None, gradient: Gradient) -> list[Scored]:
    """(score, quad, kind, support) of the candidates that can be a document's outline."""
    if first_support is None:
        first_support = np.full((len(quads), 4), np.nan)
    scores, kinds, supports = _score_all(quads, first_support, gradient)
    return [(float(scores[i]), quads[i], kinds[i], float(supports[i])) for i in np.flatnonzero(scores >= 0)]


def _clear_card(contours: list[Scored], plain: Scored | None, gradient: Gradient) -> bool:
    """Whether the best of the cheap candidates (the contours' and the region a plain
    background shows) is plainly a card: card-shaped, scored at least CLEAR_SCORE and, for a
    contour, none of its sides under CLEAR_SIDE on edges. Then the straight edges are not
    looked at: over 25 seeds' photos, on the 30% with such a card among their contours, they
    gave the same first outline or (3 photos) a worse one (bench/RESULTS.md, "Extract")."""
    best = max(contours + ([plain] if plain is not None else []), key=lambda c: c[0], default=None)
    if best is None or best[2] is not DocumentKind.CARD or best[0] < CLEAR_SCORE:
        return False
    return best is plain or bool(gradient.side_support(best[1][None], 40).min() >= CLEAR_SIDE)


def _touches_border(quad: np.ndarray, width: int, height: int, margin: float = 2.0) -> bool:
    """Part of the outline lies on (or beyond) the image border: the document may be cut off."""
    return bool((quad[:, 0] <= margin).any() or (quad[:, 1] <= margin).any()
                or (quad[:, 0] >= width - 1 - margin).any() or (quad[:, 1] >= height - 1 - margin).any())


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


def card_cuts(page: Located) -> list[Located]:
    """The card-shaped outlines inside a page-shaped one, sharing three of its sides: its
    long sides cut to a card's aspect from either end, then its short sides likewise; only
    where the card takes at least `MIN_CARD_SHARE` of the outline that way (a strip of a
    sheet taken in, not a card somewhere on a page)."""
    quad = page.quad.astype(np.float32)
    cuts = []
    for turn in (0, 1):  # the card's long side along the outline's long side, then its short one
        q = np.roll(quad, -turn, axis=0)
        width = float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
        height = float(np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
        share = width / CARD_ASPECT / max(height, 1.0)
        if not MIN_CARD_SHARE <= share < 0.95:
            continue
        near = [q[0], q[1], q[1] + (q[2] - q[1]) * share, q[0] + (q[3] - q[0]) * share]
        far = [q[3] + (q[0] - q[3]) * share, q[2] + (q[1] - q[2]) * share, q[2], q[3]]
        for corners in (near, far):
            cuts.append(Located(DocumentKind.CARD, np.array(corners, np.float32), page.support, page.touches_border))
    return cuts


NUMBER_ACROSS = (0.33, 0.865)
"""Where the ID card front prints its number's line across the card's width (0.33–0.865 of it,
and 0.83–0.91 of its height: measured on read specimens, rendered as the real card lays it out)."""
NUMBER_DOWN = 0.87
PLACEMENT_STEPS = (np.linspace(0.92, 1.08, 9), np.linspace(-0.04, 0.04, 5), np.linspace(-0.04, 0.04, 5))
"""The placements tried around the one the number gives: its scale, then its shift across and
down, as shares of the card's width and height."""


def card_around_number(image: np.ndarray, number: np.ndarray) -> Located | None:
    """The ID card front whose number's line is `number` (4×2, upload pixels), for a card whose
    outline was not found: a light card on light paper can show no edge on one or two sides, and
    is then read inside the whole photo or a sheet around it. The line's long axis is the card's,
    its length fixes the card's width within a few percent, and the card lies on the side of it
    where the number's line is near the card's bottom: both ways up are tried. Of the
    placements around each, the one whose sides lie most on edges is refined."""
    height, width = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    work = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    gradient = Gradient.of(work)
    line = number.astype(np.float64) * scale
    sides = [line[1] - line[0], line[2] - line[1]]
    along = max(sides, key=np.linalg.norm)
    length = float(np.linalg.norm(along))
    if length < 20:
        return None
    middle = line.mean(axis=0)
    card_width = length / (NUMBER_ACROSS[1] - NUMBER_ACROSS[0])
    card_height = card_width / CARD_ASPECT
    quads = []
    for sign, size, dx, dy in itertools.product((1.0, -1.0), *PLACEMENT_STEPS):
        u = sign * along / length
        n = np.array([-u[1], u[0]])  # down the card, for a card not seen mirrored
        w, h = card_width * size, card_height * size
        origin = middle - u * w * (sum(NUMBER_ACROSS) / 2 + dx) - n * h * (NUMBER_DOWN + dy)
        quads.append([origin, origin + u * w, origin + u * w + n * h, origin + n * h])
    quads = np.array(quads, np.float32)
    support = gradient.side_support(quads, 24).mean(axis=1)
    best = int(np.argmax(support))
    quad = _refine(quads[best], gradient.magnitude)
    quad = _long_side_first(order_quad(quad)) / scale
    return Located(DocumentKind.CARD, quad.astype(np.float32), float(support[best]),
                   _touches_border(quad, width, height))


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


def _score_all(quads: np.ndarray, first_support: np.ndarray, gradient: Gradient
               ) -> tuple[np.ndarray, list[DocumentKind], np.ndarray]:
    """(score, kind, support) of N plausible candidates at once; score −1 where one is not a
    document's outline.

    Support is the share of points along the four sides where a strong edge runs parallel
    to the side (gradient across it) within two pixels. Candidates are ranked by their first
    estimate of it (`first_support`, N×4; NaN: take it here on 10 points a side) and only the
    best FINE_SCORED are checked on 40 points a side."""
    count = len(quads)
    scores = np.full(count, -1.0)
    supports = np.zeros(count)
    kinds = [DocumentKind.CARD] * count
    if not count:
        return scores, kinds, supports
    h, w = gradient.magnitude.shape
    _, is_card, fit = plausible(quads)
    x, y = quads[..., 0].astype(np.float64), quads[..., 1].astype(np.float64)
    area_fraction = np.abs((x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)) / 2 / float(h * w)
    on_border = ((quads[..., 0] <= 3) | (quads[..., 1] <= 3) | (quads[..., 0] >= w - 4)
                 | (quads[..., 1] >= h - 4)).mean(axis=1)
    prior = np.exp(-3.0 * fit) * np.sqrt(area_fraction) * (1.0 - 0.6 * on_border)

    index = np.arange(count)
    if count > FINE_SCORED:
        first = first_support.copy()
        missing = np.isnan(first).any(axis=1)
        if missing.any():
            first[missing] = gradient.side_support(quads[missing], 10)
        index = np.argsort(-(first.mean(axis=1) ** 2 * prior), kind="stable")[:FINE_SCORED]
    side_support = gradient.side_support(quads[index], 40)
    support = side_support.mean(axis=1)
    # one side may be faint (a white card's edge over white paper); the other three may not
    good = (np.sort(side_support, axis=1)[:, 1] >= 0.45) & (support >= 0.6)
    scores[index[good]] = (support ** 2 * prior[index])[good]
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
