"""How likely a recognition model finds a given text on a line: the CTC forward algorithm over
the model's per-frame character probabilities.

Greedy decoding takes the likeliest character at each frame, so one rare character read as a
look-alike (仫佬 as 仏佬) leaves a text that is no ethnic group at all. When the value must be
one of a closed list, asking the model how likely each entry is reads the line again with that
knowledge, at the cost of one inference and a few milliseconds of arithmetic."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BLANK = 0
"""Index of CTC's blank in PP-OCR's recognition output (its dictionary starts after it)."""


def log_likelihoods(log_probs: np.ndarray, label_seqs: Sequence[Sequence[int]], blank: int = BLANK) -> np.ndarray:
    """log P(labels | line) for each label sequence: the sum over every frame alignment (the
    CTC forward algorithm in log space, all sequences at once). `log_probs` is frames ×
    classes; an empty sequence is the all-blank line."""
    frames = log_probs.shape[0]
    count = len(label_seqs)
    if frames == 0 or count == 0:
        return np.full(count, -np.inf)
    states = 2 * max(len(labels) for labels in label_seqs) + 1
    extended = np.full((count, states), blank, dtype=np.int64)
    for k, labels in enumerate(label_seqs):
        extended[k, 1:2 * len(labels):2] = labels
    # a label may follow the label two states back (skipping the blank between) unless it repeats it
    may_skip = np.zeros((count, states), dtype=bool)
    may_skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    emitted = log_probs[:, extended]  # frames × sequences × states
    alpha = np.full((count, states), -np.inf)
    alpha[:, :2] = emitted[0, :, :2]
    blocked = np.full((count, 2), -np.inf)
    for t in range(1, frames):
        advance = np.concatenate((blocked[:, :1], alpha[:, :-1]), axis=1)
        skip = np.where(may_skip, np.concatenate((blocked, alpha[:, :-2]), axis=1), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, advance), skip) + emitted[t]
    ends = np.array([2 * len(labels) for labels in label_seqs])
    last = alpha[np.arange(count), ends]
    before = np.where(ends > 0, alpha[np.arange(count), np.maximum(ends - 1, 0)], -np.inf)
    return np.logaddexp(last, before)


def rank_texts(probs: np.ndarray, texts: Sequence[str], index: dict[str, int]) -> list[float]:
    """log P(text | line) for each text, from one line's frames × classes probabilities;
    -inf for an empty text or one with a character the model cannot write (not in `index`)."""
    log_probs = np.log(np.clip(probs.astype(np.float64), 1e-12, 1.0))
    writable = [k for k, text in enumerate(texts) if text and all(char in index for char in text)]
    scores = [float("-inf")] * len(texts)
    found = log_likelihoods(log_probs, [[index[char] for char in texts[k]] for k in writable])
    for k, score in zip(writable, found):
        scores[k] = float(score)
    return scores
