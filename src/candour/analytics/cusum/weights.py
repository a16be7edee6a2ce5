"""The increment each chart adds per observation: one small function per rule.

All are vectorised over NumPy arrays. ``log(1 - p + R p)`` is computed as ``log1p((R - 1) p)``,
which stays accurate for risks near 0 and 1 (conformance README pitfall 3).
"""

from __future__ import annotations

import numpy as np


def bernoulli_weight(outcome: np.ndarray, risk: np.ndarray, odds_ratio: float) -> np.ndarray:
    """Steiner et al. (2000): W = y ln R - ln(1 - p + R p), the log-likelihood ratio of the
    outcome under odds multiplied by R against the predicted risk."""
    return outcome * np.log(odds_ratio) - np.log1p((odds_ratio - 1.0) * risk)


def poisson_weight(observed: np.ndarray, expected: np.ndarray, rate_ratio: float) -> np.ndarray:
    """O/E Poisson likelihood-ratio CUSUM: W = O ln R - (R - 1) E (surveillance::glrpois with
    theta = ln R, mu0 = E)."""
    return observed * np.log(rate_ratio) - (rate_ratio - 1.0) * expected


def standard_score(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """z = (O - E) / sqrt(E) (surveillance::algo.cusum trans = "standard")."""
    return (observed - expected) / np.sqrt(expected)


def rossi_score(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Rossi, Lampugnani & Marchi (1999): z = (O - 3E + 2 sqrt(O E)) / (2 sqrt(E))
    (surveillance::algo.cusum trans = "rossi")."""
    return (observed - 3.0 * expected + 2.0 * np.sqrt(observed * expected)) / (
        2.0 * np.sqrt(expected)
    )


def untransformed_score(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """z = O (surveillance::algo.cusum trans = "none")."""
    return observed.astype(np.float64, copy=True)


SCORES = {"standard": standard_score, "rossi": rossi_score, "none": untransformed_score}


def vlad_increment(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Lovegrove et al. (1997): expected minus observed deaths (positive = lives gained)."""
    return expected - observed
