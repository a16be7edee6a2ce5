"""Signals from a funnel plot, and relevant changes on the funnel's scale.

A funnel (:func:`candour.analytics.funnel.funnel`) compares organisations on one measure; its
groups are the organisations. On the funnel's transformed scale y (ln(O/E) for SHMI, asin√p for a
proportion, and so on: docs/reference/funnel.md), the signal of each group is

    se = √(s² + τ²)      z = (y − θ₀) / se

where s is the group's within-unit standard error and τ² the between-unit variance the funnel
estimated; τ² is taken as 0 where the funnel used unadjusted limits (φ ≤ 1, FunnelPlotR's fallback),
so that z agrees with the funnel's own flags. ``value`` is the published ratio, rr × multiplier.
A measure's ``relevant_change`` must then be on the same transformed scale:
:func:`funnel_scale_change` converts one.
"""

from __future__ import annotations

import polars as pl

from candour.analytics.funnel import FunnelResult
from candour.analytics.funnel.constants import SHMI_METHOD
from candour.analytics.funnel.scales import scale_for
from candour.exceptions import OptionError


def signals_from_funnel(result: FunnelResult, *, measure_id: str) -> pl.DataFrame:
    """One signal row per funnel group: ods_code (the group), measure_id, value, z, se."""
    if not isinstance(measure_id, str) or not measure_id:
        raise OptionError(f"measure_id must be a non-empty string; got {measure_id!r}")
    options = result.options
    scale = scale_for(options.data_type, options.sr_method)
    between = result.tau2 if result.draw_adjusted_effective else 0.0
    within = scale.standard_error(pl.col("numerator"), pl.col("denominator"))
    return (
        result.by_group.with_columns(se=(within.pow(2) + between).sqrt())
        .select(
            ods_code=pl.col("group").cast(pl.String),
            measure_id=pl.lit(measure_id, dtype=pl.String),
            value=pl.col("rr") * options.multiplier,
            z=(pl.col("Y") - scale.centre(result.target)) / pl.col("se"),
            se=pl.col("se"),
        )
        .sort("ods_code")
    )


def funnel_scale_change(
    data_type: str, *, baseline: float, changed: float, sr_method: str = SHMI_METHOD
) -> float:
    """The size, on a funnel's transformed scale, of a move from ``baseline`` to ``changed``.

    Ratios are as the funnel's target is: e.g. SHMI 1.0 -> 1.1 gives ln 1.1 = 0.0953; a proportion
    0.10 -> 0.12 gives asin√0.12 - asin√0.10 = 0.0326. Use it for a measure's relevant_change.
    """
    scale = scale_for(data_type, sr_method)
    try:
        shift = abs(scale.centre(changed) - scale.centre(baseline))
    except (TypeError, ValueError) as error:
        raise OptionError(
            f"baseline and changed must be ratios the {scale.name} scale can take;"
            f" got {baseline!r} and {changed!r}"
        ) from error
    if shift == 0:
        raise OptionError("baseline and changed must differ: a relevant change cannot be 0")
    return shift
