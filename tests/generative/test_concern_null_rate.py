"""One error rate at organisation level (issue 9 item 8): with no real differences, at most 5% of
organisations are flagged.

The bundled data are redrawn under the null (candour.analytics.concern.simulate: the same
organisations, measures, periods and sample sizes, the observed correlation between measures,
no special cause, no divergence, no outlier) a few hundred times, seeded, and the whole pipeline
runs on each. Pure analytics: the test command runs it once, in its PostgreSQL pass
(``second_pass``), which would otherwise finish long before the SQLite pass."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from candour.analytics.concern import assess
from candour.analytics.concern.constants import CONCERN_LEVELS, FAMILY_ALPHA
from candour.analytics.concern.inputs import checked_measures, checked_observations
from candour.analytics.concern.simulate import null_observations
from candour.importers import assessment as bundled

REPLICATES = 200
SEED = 20261203
# The simulation's Monte Carlo error: the mean rate over 200 replicates of ~210 organisations has
# a standard error of about 0.001; two of them are allowed above the 5% the method promises.
MONTE_CARLO_ALLOWANCE = 0.002
# Only data that can still be current matter; older periods are history and flag nothing.
RECENT_MONTHS = 27

pytestmark = [pytest.mark.slow, pytest.mark.second_pass]


@pytest.fixture(scope="module")
def inputs():
    arguments = {
        "measures": bundled.measures_frame(),
        "organisations": bundled.organisations_frame(),
        "targets": bundled.targets_frame(),
        "pairs": bundled.target_pairs(),
        "breaks": bundled.breaks_frame(),
    }
    observations = checked_observations(
        bundled.observations_frame().drop("dataset"), checked_measures(arguments["measures"])
    )
    real = assess(observations, **arguments)
    recent = observations.filter(
        pl.col("period_end") >= pl.lit(real.as_of).dt.offset_by(f"-{RECENT_MONTHS}mo")
    )
    return recent, real, arguments


def test_with_no_real_differences_at_most_5_percent_of_organisations_are_flagged(inputs):
    recent, real, arguments = inputs
    rng = np.random.default_rng(SEED)
    rates = []
    for _ in range(REPLICATES):
        result = assess(null_observations(recent, real, rng), as_of=real.as_of, **arguments)
        tested = result.organisations.filter(pl.col("n_tests") > 0)
        rates.append(tested["status"].is_in(list(CONCERN_LEVELS)).mean())
    mean = float(np.mean(rates))
    print(f"null flag rate over {REPLICATES} replicates: {mean:.4f} (sd {np.std(rates):.4f})")
    assert mean <= FAMILY_ALPHA + MONTE_CARLO_ALLOWANCE
    assert mean >= FAMILY_ALPHA / 2  # calibrated, not merely conservative


def test_the_real_data_flag_more_than_chance_but_not_an_alarm_that_is_always_on(inputs):
    _, real, _ = inputs
    tested = real.organisations.filter(pl.col("n_tests") > 0)
    rate = tested["status"].is_in(list(CONCERN_LEVELS)).mean()
    assert FAMILY_ALPHA < rate < 0.25
