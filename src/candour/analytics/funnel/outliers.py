"""The outliers of a funnel as a table a page can show, and the method in words.

Each group's z-score is taken on the funnel's transformed scale y (ln(O/E) for SHMI, asin√p for a
proportion: :mod:`candour.analytics.funnel.scales`) with the between-unit variance the funnel
used for its flags:

    z = (y − θ₀) / √(s² + τ²)

τ² is 0 where the funnel flagged on unadjusted limits (φ ≤ 1, FunnelPlotR's fallback), so that a
group is an outlier at the 99.8% level exactly when |z| > 3.09 (95%: 1.96).
"""

from __future__ import annotations

import polars as pl

from candour.analytics.funnel.constants import LIMIT_LABELS
from candour.analytics.funnel.constants import PROPORTION as PROPORTIONS_FUNNEL
from candour.analytics.funnel.core import FunnelResult
from candour.analytics.funnel.scales import scale_for
from candour.analytics.units import PROPORTION, format_value

# The overdispersion model, as its sources name it (docs/reference/funnel.md).
OVERDISPERSION_MODEL = "an additive random-effects model (Spiegelhalter 2005)"
TAU = "τ²"
PHI = "φ"
ABOVE, BELOW = "above", "below"

OUTLIER_SCHEMA = {
    "group": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "shown": pl.String,
    "target_shown": pl.String,
    "z": pl.Float64,
    "side": pl.String,
}


def funnel_unit(result: FunnelResult, unit: str | None = None) -> str | None:
    """The unit values are drawn and written in: ``unit``, else a proportion for a proportions
    funnel on its own scale (multiplier 1), else plain numbers."""
    if unit is not None:
        return unit
    options = result.options
    if options.data_type == PROPORTIONS_FUNNEL and options.multiplier == 1:
        return PROPORTION
    return None


def z_scores(result: FunnelResult) -> pl.Series:
    """Each group's z-score, in ``by_group``'s order, with the τ² the flags used."""
    options = result.options
    scale = scale_for(options.data_type, options.sr_method)
    between = result.tau2 if result.draw_adjusted_effective else 0.0
    within = scale.standard_error(pl.col("numerator"), pl.col("denominator"))
    centre = scale.centre(result.target)
    z = (pl.col("Y") - centre) / (within.pow(2) + between).sqrt()
    return result.by_group.select(z.alias("z")).to_series()


def outlier_table(result: FunnelResult, *, unit: str | None = None) -> pl.DataFrame:
    """The funnel's outliers, furthest from the target first: group, numerator, denominator,
    value (rr × multiplier), shown (the value in its unit, e.g. "61.2%"), target_shown, z and
    side ("above" or "below" the target)."""
    unit = funnel_unit(result, unit)
    scale = result.options.multiplier
    target_shown = format_value(result.target * scale, unit)
    table = (
        result.by_group.with_columns(z_scores(result))
        .filter(pl.col("outlier") == 1)
        .select(
            pl.col("group").cast(pl.String),
            pl.col("numerator").cast(pl.Float64),
            pl.col("denominator").cast(pl.Float64),
            (pl.col("rr") * scale).cast(pl.Float64).alias("value"),
            pl.col("z"),
        )
        .sort(pl.col("z").abs(), "group", descending=[True, False])
    )
    shown = [format_value(v, unit) for v in table.get_column("value").to_list()]
    return table.with_columns(
        shown=pl.Series(shown, dtype=pl.String),
        target_shown=pl.lit(target_shown),
        side=pl.when(pl.col("z") > 0).then(pl.lit(ABOVE)).otherwise(pl.lit(BELOW)),
    ).select(list(OUTLIER_SCHEMA))


def method_lines(result: FunnelResult) -> list[str]:
    """How the limits were drawn, in words, with τ² (or why it is 0): a line or two."""
    options = result.options
    level = LIMIT_LABELS[options.limit]
    scale = scale_for(options.data_type, options.sr_method)
    trimming = "truncated" if options.truncates else "Winsorised"
    if result.draw_adjusted_effective:
        return [
            f"Outliers: outside the {level} limits, widened for overdispersion by "
            f"{OVERDISPERSION_MODEL}.",
            f"{TAU} = {result.tau2:.3g} on the {scale.name} scale, estimated after the z-scores "
            f"were {trimming} at {options.trim_by:.0%} in each tail.",
        ]
    if options.draw_adjusted:
        return [
            f"Outliers: outside the {level} limits. No overdispersion was found ({PHI} = "
            f"{result.phi:.2f}, at most 1), so the limits were not widened ({TAU} = 0)."
        ]
    return [f"Outliers: outside the {level} limits, not adjusted for overdispersion ({TAU} = 0)."]
