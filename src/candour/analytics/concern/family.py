"""One error rate at organisation level (issue 9 item 8; §7 P7 corrected).

Every statistical test about an organisation - its position among peers on each measure, each
measure's recent special cause, each target/balance divergence - is one member of that
organisation's *family*, expressed as a normal-equivalent z (+ = concern, standard normal when
nothing is wrong). The organisation is flagged when its worst test, ``m = max z``, reaches a
threshold ``c`` set so that, with no real differences, it would be flagged with probability
``family_alpha`` (5%): so at most 5% of organisations are flagged by chance, however many tests
each has and however they correlate.

The threshold is calibrated by simulation under the *observed* correlation of the tests: the
correlation of each pair of test kinds is estimated across organisations (pairwise complete,
needing ``min_correlation_overlap`` organisations, projected to the nearest valid correlation
matrix), and ``calibration_draws`` draws of a multivariate normal with that correlation give the
distribution of the maximum over exactly the tests this organisation has. Each organisation's
correlation is estimated *without* its own results (leave-one-out), and the draws are the same
seeded numbers for everyone, so an organisation's threshold never depends on its own data: its
status moves only with its own z-scores, in the right direction.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from candour.analytics.concern.options import AssessOptions

CALIBRATION_SCHEMA = {
    "ods_code": pl.String,
    "n_tests": pl.Int64,
    "worst_z": pl.Float64,
    "threshold": pl.Float64,
    "elevated_threshold": pl.Float64,
    "p_adjusted": pl.Float64,
}
# Eigenvalues of a projected correlation matrix are kept at least this (so it stays positive
# definite and the simulated maximum is well defined).
MIN_EIGENVALUE = 1e-6


def calibrate(tests: pl.DataFrame, options: AssessOptions) -> pl.DataFrame:
    """Per organisation: its number of tests, worst z, thresholds for risk and elevated risk, and
    the family-adjusted p-value of its worst z. ``tests`` has ``ods_code``, ``test`` (a key such as
    ``funnel:rtt_18wk``) and ``z``."""
    if tests.is_empty():
        return pl.DataFrame(schema=CALIBRATION_SCHEMA)
    wide = tests.pivot(on="test", index="ods_code", values="z", aggregate_function="max").sort(
        "ods_code"
    )
    keys = sorted(c for c in wide.columns if c != "ods_code")
    z = wide.select(keys).to_numpy().astype(float)
    present = ~np.isnan(z)
    sums = CorrelationSums.of(z, present)
    draws = np.random.default_rng(options.calibration_seed).standard_normal(
        (options.calibration_draws, len(keys))
    )
    rows = []
    for i, ods_code in enumerate(wide["ods_code"].to_list()):
        columns = np.flatnonzero(present[i])
        correlation = sums.without(i, z[i], present[i], columns, options.min_correlation_overlap)
        # einsum without BLAS: small products, and a multi-threaded BLAS on a busy machine spends
        # far longer waiting for its threads than multiplying (measured: 16 times slower)
        simulated = np.einsum("ij,kj->ik", draws[:, columns], correlation_root(correlation))
        maxima = np.sort(np.max(simulated, axis=1))
        worst = float(np.max(z[i, columns]))
        exceeding = maxima.size - np.searchsorted(maxima, worst, side="left")
        rows.append(
            {
                "ods_code": ods_code,
                "n_tests": int(columns.size),
                "worst_z": worst,
                "threshold": float(np.quantile(maxima, 1 - options.family_alpha)),
                "elevated_threshold": float(np.quantile(maxima, 1 - options.elevated_alpha)),
                "p_adjusted": (exceeding + 1) / (maxima.size + 1),
            }
        )
    return pl.DataFrame(rows, schema=CALIBRATION_SCHEMA)


class CorrelationSums:
    """Pairwise-complete sums over organisations, from which any organisation's leave-one-out
    correlation matrix is computed by subtracting its own terms."""

    def __init__(self, n, sx, sxx, sxy):
        self.n, self.sx, self.sxx, self.sxy = n, sx, sxx, sxy

    @classmethod
    def of(cls, z: np.ndarray, present: np.ndarray) -> CorrelationSums:
        m = present.astype(float)
        z0 = np.where(present, z, 0.0)
        # sx[a, b] = sum of z_a over organisations with both a and b; likewise sxx
        return cls(m.T @ m, z0.T @ m, (z0 * z0).T @ m, z0.T @ z0)

    def without(
        self, i: int, z_i: np.ndarray, present_i: np.ndarray, columns: np.ndarray, min_overlap: int
    ) -> np.ndarray:
        """The correlation matrix of ``columns`` over every organisation but i."""
        m = present_i.astype(float)[columns]
        zi = np.where(present_i, z_i, 0.0)[columns]
        grid = np.ix_(columns, columns)
        n = self.n[grid] - np.outer(m, m)
        sx = self.sx[grid] - np.outer(zi, m)
        sxx = self.sxx[grid] - np.outer(zi * zi, m)
        sxy = self.sxy[grid] - np.outer(zi, zi)
        sy, syy = sx.T, sxx.T
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = sxy - sx * sy / n
            var_x = sxx - sx * sx / n
            var_y = syy - sy * sy / n
            r = cov / np.sqrt(var_x * var_y)
        r = np.where((n >= min_overlap) & np.isfinite(r), np.clip(r, -1.0, 1.0), 0.0)
        np.fill_diagonal(r, 1.0)
        return nearest_correlation(r)


def nearest_correlation(r: np.ndarray) -> np.ndarray:
    """A valid correlation matrix near ``r``: negative eigenvalues raised, unit diagonal restored
    (one step of Higham's alternating projections, enough for pairwise-complete estimates)."""
    values, vectors = np.linalg.eigh((r + r.T) / 2)
    if values.min() >= MIN_EIGENVALUE:
        return r
    fixed = (vectors * np.maximum(values, MIN_EIGENVALUE)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return fixed / np.outer(scale, scale)


def correlation_root(r: np.ndarray) -> np.ndarray:
    """L with L L^T = r (symmetric square root through the eigendecomposition: stable for
    nearly singular matrices)."""
    values, vectors = np.linalg.eigh(r)
    return vectors * np.sqrt(np.maximum(values, 0.0))
