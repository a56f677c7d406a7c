"""The CTC forward algorithm against a brute-force sum over every alignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from models.ctc import BLANK, log_likelihoods, rank_texts


def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    """CTC's many-to-one map: merge repeats, then drop blanks."""
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return tuple(c for c in merged if c != BLANK)


def _brute_force(probs: np.ndarray, labels: tuple[int, ...]) -> float:
    frames, classes = probs.shape
    total = sum(np.prod(probs[np.arange(frames), path])
                for path in itertools.product(range(classes), repeat=frames) if _collapse(path) == labels)
    return float(np.log(total)) if total > 0 else float("-inf")


@pytest.mark.parametrize("labels", [(), (1,), (2, 3), (1, 1), (3, 1, 3), (2, 2, 2), (1, 2, 3, 1)])
def test_forward_algorithm_equals_the_sum_over_alignments(labels):
    rng = np.random.default_rng(len(labels) * 7 + sum(labels))
    probs = rng.dirichlet(np.ones(4), size=6)  # 6 frames × 4 classes (blank + 3 characters)
    (found,) = log_likelihoods(np.log(probs), [labels])
    assert found == pytest.approx(_brute_force(probs, labels), abs=1e-9)


def test_sequences_of_different_lengths_scored_together_match_each_alone():
    rng = np.random.default_rng(5)
    log_probs = np.log(rng.dirichlet(np.ones(5), size=9))
    seqs = [[1], [2, 3, 4], [4, 4], [], [1, 2, 1, 2]]
    together = log_likelihoods(log_probs, seqs)
    alone = [log_likelihoods(log_probs, [s])[0] for s in seqs]
    assert together == pytest.approx(alone)


def test_a_sequence_longer_than_the_frames_allow_is_impossible():
    log_probs = np.log(np.full((3, 3), 1 / 3))
    # 1,1 needs a blank between the two 1s: three frames at least; 1,1,1 needs five
    assert np.isfinite(log_likelihoods(log_probs, [[1, 1]])[0])
    assert log_likelihoods(log_probs, [[1, 1, 1]])[0] == -np.inf


def test_rank_texts_maps_characters_and_refuses_unwritable_ones():
    index = {"仫": 1, "仡": 2, "佬": 3}
    probs = np.array([[0.1, 0.6, 0.2, 0.1],   # 仫 likelier than 仡 here
                      [0.8, 0.1, 0.05, 0.05],
                      [0.1, 0.0, 0.0, 0.9]])
    mulao, gelao, unknown, empty = rank_texts(probs, ["仫佬", "仡佬", "佤", ""], index)
    assert mulao > gelao
    assert unknown == empty == float("-inf")
