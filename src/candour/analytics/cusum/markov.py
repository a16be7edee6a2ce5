"""The Brook-Evans / Steiner Markov chain for a CUSUM with arbitrary (discrete) increments.

The in-control region [0, h] is cut into ``states`` equal steps, grid points s_i = i h / M. From
s_i an increment w leads to v = s_i + w: the chain is absorbed (a signal) if v > h; otherwise
max(v, 0) is shared linearly between the two neighbouring grid points (Steiner et al. 2000; the
conformance README §3 describes the same scheme, which converges where rounding to the nearest
point does not, README pitfall 6).

With increments that do not change over time the average run length solves (I - Q) L = 1; with
a fixed sequence of increment distributions (one per patient or period) the distribution over
the states is carried forward step by step and the absorbed mass is the probability of a signal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np


@dataclass(frozen=True)
class Increments:
    """The distribution of one step's increment: values and their probabilities."""

    values: np.ndarray
    probabilities: np.ndarray


def transition_matrix(increments: Increments, h: float, states: int) -> np.ndarray:
    """Q[i, j]: probability of moving from grid point i to grid point j without a signal."""
    step = h / states
    grid = np.arange(states + 1) * step
    landed = grid[:, None] + increments.values[None, :]
    mass = np.broadcast_to(increments.probabilities[None, :], landed.shape)
    kept = landed <= h
    position = np.clip(landed, 0.0, None)[kept] / step
    below = np.minimum(np.floor(position).astype(np.int64), states)
    upper_share = np.where(below < states, position - below, 0.0)
    rows = np.broadcast_to(np.arange(states + 1)[:, None], landed.shape)[kept]
    size = states + 1
    q = np.bincount(rows * size + below, mass[kept] * (1 - upper_share), minlength=size * size)
    above = np.minimum(below + 1, states)
    q += np.bincount(rows * size + above, mass[kept] * upper_share, minlength=size * size)
    return q.reshape(size, size)


def average_run_length(increments: Increments, h: float, states: int) -> float:
    """Zero-state ARL: the first element of the solution of (I - Q) L = 1."""
    q = transition_matrix(increments, h, states)
    lengths = np.linalg.solve(np.eye(len(q)) - q, np.ones(len(q)))
    return float(lengths[0])


def signal_probability(
    values: np.ndarray, probabilities: np.ndarray, h: float, states: int
) -> float:
    """P(S_t > h for some t): row t of ``values``/``probabilities`` is step t's increment
    distribution (pad with probability 0); the chain starts at 0."""
    return float(_absorbed(values, probabilities, h, states))


@numba.njit(cache=True, nogil=True)
def _absorbed(values, probabilities, h, states):  # pragma: no cover - compiled
    step = h / states
    current = np.zeros(states + 1)
    current[0] = 1.0
    absorbed = 0.0
    for t in range(values.shape[0]):
        following = np.zeros(states + 1)
        for i in range(states + 1):
            mass = current[i]
            if mass == 0.0:
                continue
            position = i * step
            for k in range(values.shape[1]):
                share = mass * probabilities[t, k]
                if share == 0.0:
                    continue
                landed = position + values[t, k]
                if landed > h:
                    absorbed += share
                    continue
                if landed < 0.0:
                    landed = 0.0
                x = landed / step
                below = int(np.floor(x))
                if below >= states:
                    following[states] += share
                    continue
                upper = x - below
                following[below] += share * (1.0 - upper)
                following[below + 1] += share * upper
        current = following
    return absorbed
