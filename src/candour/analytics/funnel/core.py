"""The funnel plot: z-scores, overdispersion, limits and outliers for every group.

One function per step; :func:`funnel` runs them in order and returns a frozen
:class:`FunnelResult`. The method and its one deliberate departure from FunnelPlotR are described
in docs/reference/funnel.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from candour.analytics.funnel.constants import (
    CURVE_START_OTHER,
    CURVE_START_SR,
    DEFAULT_CURVE_POINTS,
    DEFAULT_TRIM_BY,
    LIMIT_95,
    LIMIT_998,
    MIN_GROUPS_FOR_ADJUSTMENT,
    SHMI_METHOD,
    SR_TARGET,
    STANDARDISED_RATIO,
)
from candour.analytics.funnel.dispersion import dispersion_ratio, tau2, truncate, winsorise
from candour.analytics.funnel.frames import (
    aggregate,
    as_polars,
    check_columns,
    check_groups,
    check_values,
    round_expected,
)
from candour.analytics.funnel.limits import LIMIT_COLUMNS, calculate_limits
from candour.analytics.funnel.options import FunnelOptions
from candour.analytics.funnel.scales import Scale, scale_for
from candour.exceptions import DataFileError, OptionError, Problem

UNADJUSTED_NAMES = dict(zip(LIMIT_COLUMNS, ("LCL95", "UCL95", "LCL99", "UCL99"), strict=True))
ADJUSTED_NAMES = dict(zip(LIMIT_COLUMNS, ("OD95LCL", "OD95UCL", "OD99LCL", "OD99UCL"), strict=True))
LIMIT_NAMES = (*UNADJUSTED_NAMES.values(), *ADJUSTED_NAMES.values())


@dataclass(frozen=True, eq=False)
class FunnelResult:
    """The outcome of :func:`funnel`.

    ``by_group`` has one row per group, sorted by group, with the columns of FunnelPlotR's
    aggregated data: group, numerator, denominator, rr, Y, Uzscore, truncated (SHMI) or
    winsorised (otherwise), Wuzscore, LCL95, UCL95, LCL99, UCL99 (unadjusted; "99" is 99.8%),
    OD95LCL, OD95UCL, OD99LCL, OD99UCL (overdispersion-adjusted) and outlier (0/1).
    """

    options: FunnelOptions
    target: float  # the centre line as a ratio, before the multiplier
    phi: float  # dispersion ratio; 0 when draw_adjusted=False was asked for
    tau2: float  # between-unit variance on the transformed scale; 0 likewise
    draw_adjusted_effective: bool  # overdispersion-adjusted limits drawn and used for flags
    draw_unadjusted_effective: bool  # unadjusted limits drawn
    by_group: pl.DataFrame

    @property
    def outliers(self) -> pl.DataFrame:
        """The rows of ``by_group`` that fall outside the limits used for flagging."""
        return self.by_group.filter(pl.col("outlier") == 1)

    @property
    def outlier_groups(self) -> tuple[Any, ...]:
        return tuple(self.outliers["group"])

    @property
    def flagging_limits(self) -> tuple[str, str]:
        """The ``by_group`` columns (lower, upper) that decide the outlier flags."""
        return flagging_columns(self.options.limit, adjusted=self.draw_adjusted_effective)

    def limit_curves(
        self,
        denominators: Sequence[float] | np.ndarray | None = None,
        *,
        points: int = DEFAULT_CURVE_POINTS,
    ) -> pl.DataFrame:
        """All eight limits at each denominator, for drawing the funnel.

        By default: ``points`` denominators spaced evenly on a log scale from where FunnelPlotR's
        lookup starts (1.1 for SR, 3 otherwise, or the smallest group if smaller) to the largest
        group, plus every group's own denominator. Columns: denominator and the limit names of
        ``by_group``.
        """
        if denominators is None:
            grid = default_curve_denominators(self.by_group["denominator"], self.options, points)
        else:
            grid = _checked_denominators(denominators)
        return limits_at(grid, self.options, self.target, self.tau2)


def funnel(
    frame: Any,
    *,
    numerator: str,
    denominator: str,
    group: str,
    data_type: str = STANDARDISED_RATIO,
    sr_method: str = SHMI_METHOD,
    trim_by: float = DEFAULT_TRIM_BY,
    limit: int = LIMIT_998,
    draw_adjusted: bool = True,
    draw_unadjusted: bool = False,
    multiplier: float = 1,
    shmi_rounding: bool = True,
    source: str = "data",
) -> FunnelResult:
    """Compare groups on a funnel plot, as FunnelPlotR's ``funnel_plot`` does.

    ``frame`` is a Polars or pandas frame with one row per record; rows sharing a ``group`` are
    summed first. ``source`` names the data in error messages (a file path, say). Options are
    checked first (:class:`~candour.exceptions.OptionError`), then the data
    (:class:`~candour.exceptions.DataFileError`, naming the column and row or group).
    """
    options = FunnelOptions(
        numerator=numerator,
        denominator=denominator,
        group=group,
        data_type=data_type,
        sr_method=sr_method,
        trim_by=trim_by,
        limit=limit,
        draw_adjusted=draw_adjusted,
        draw_unadjusted=draw_unadjusted,
        multiplier=multiplier,
        shmi_rounding=shmi_rounding,
    )
    groups = prepared_groups(as_polars(frame), options, source)
    target = target_ratio(groups, options)
    groups = add_zscores(groups, scale_for(options.data_type, options.sr_method), target)
    groups = (
        truncate(groups, options.trim_by)
        if options.truncates
        else winsorise(groups, options.trim_by)
    )
    phi, between = estimate_overdispersion(groups, options, source)
    adjusted, unadjusted = effective_limits(options, phi)
    groups = pl.concat(
        [groups, limits_at(groups["denominator"], options, target, between).drop("denominator")],
        how="horizontal",
    )
    groups = flag_outliers(groups, options, adjusted=adjusted)
    return FunnelResult(
        options=options,
        target=target,
        phi=phi,
        tau2=between,
        draw_adjusted_effective=adjusted,
        draw_unadjusted_effective=unadjusted,
        by_group=groups.select(by_group_columns(options)),
    )


def prepared_groups(frame: pl.DataFrame, options: FunnelOptions, source: str) -> pl.DataFrame:
    """Check the rows, sum them by group, round SHMI expected counts, check the groups."""
    check_columns(frame, options, source)
    check_values(frame, options, source)
    groups = aggregate(frame, options)
    if options.rounds_expected:
        groups = round_expected(groups)
    check_groups(groups, options, source)
    return groups


def target_ratio(groups: pl.DataFrame, options: FunnelOptions) -> float:
    """1 for standardised ratios; otherwise the pooled ratio sum(numerator) / sum(denominator)."""
    if options.is_standardised_ratio:
        return SR_TARGET
    return float(groups["numerator"].sum() / groups["denominator"].sum())


def add_zscores(groups: pl.DataFrame, scale: Scale, target: float) -> pl.DataFrame:
    """Add Y (the transformed ratio), s (its standard error) and Uzscore = (Y - theta0) / s."""
    numerator, denominator = pl.col("numerator"), pl.col("denominator")
    return groups.with_columns(
        Y=scale.transform(numerator, denominator),
        s=scale.standard_error(numerator, denominator),
    ).with_columns(Uzscore=(pl.col("Y") - scale.centre(target)) / pl.col("s"))


def estimate_overdispersion(
    groups: pl.DataFrame, options: FunnelOptions, source: str
) -> tuple[float, float]:
    """phi and tau2 from the groups left after trimming; both 0 if adjustment was turned off."""
    if not options.draw_adjusted:
        return 0.0, 0.0
    used = groups.filter(pl.col("Wuzscore").is_not_null())
    if used.height < MIN_GROUPS_FOR_ADJUSTMENT:
        raise DataFileError(
            source,
            [
                Problem(
                    f"only {used.height} group(s) remain after truncating at trim_by="
                    f"{options.trim_by}; at least {MIN_GROUPS_FOR_ADJUSTMENT} are needed to"
                    " estimate overdispersion. Lower trim_by or pass draw_adjusted=False",
                    column=options.group,
                )
            ],
        )
    phi = dispersion_ratio(used["Wuzscore"].to_numpy())
    return phi, tau2(used.height, phi, used["s"].to_numpy())


def effective_limits(options: FunnelOptions, phi: float) -> tuple[bool, bool]:
    """Which limits are drawn: (adjusted, unadjusted).

    FunnelPlotR falls back to unadjusted limits when adjusted ones alone were asked for and
    phi <= 1 (no overdispersion); asked for both, it keeps both whatever phi is.
    """
    if options.draw_adjusted and not options.draw_unadjusted and phi <= 1:
        return False, True
    return options.draw_adjusted, options.draw_unadjusted


def limits_at(
    denominators: Sequence[float] | np.ndarray | pl.Series,
    options: FunnelOptions,
    target: float,
    between: float,
) -> pl.DataFrame:
    """Unadjusted and adjusted limits at each denominator, named as in ``by_group``."""
    common = {
        "data_type": options.data_type,
        "sr_method": options.sr_method,
        "target": target,
        "multiplier": options.multiplier,
        "tau2": between,
    }
    d = np.asarray(denominators, dtype=float)
    unadjusted = calculate_limits(d, adjusted=False, **common).rename(UNADJUSTED_NAMES)
    adjusted = calculate_limits(d, adjusted=True, **common).rename(ADJUSTED_NAMES)
    return pl.concat([unadjusted, adjusted.drop("denominator")], how="horizontal")


def flagging_columns(limit: int, *, adjusted: bool) -> tuple[str, str]:
    """The (lower, upper) limit columns that decide outliers."""
    names = ADJUSTED_NAMES if adjusted else UNADJUSTED_NAMES
    level = "95" if limit == LIMIT_95 else "998"
    return names[f"ll{level}"], names[f"ul{level}"]


def flag_outliers(groups: pl.DataFrame, options: FunnelOptions, *, adjusted: bool) -> pl.DataFrame:
    """outlier = 1 when rr * multiplier lies outside the limits at the group's own denominator.

    The limits are inclusive: a ratio exactly on a limit is not an outlier (FunnelPlotR
    R/outliers_func.R).
    """
    lower, upper = flagging_columns(options.limit, adjusted=adjusted)
    ratio = pl.col("rr") * options.multiplier
    within = (ratio >= pl.col(lower)) & (ratio <= pl.col(upper))
    return groups.with_columns(outlier=pl.when(within).then(0).otherwise(1).cast(pl.Int8))


def by_group_columns(options: FunnelOptions) -> list[str]:
    trimmed = "truncated" if options.truncates else "winsorised"
    return [
        "group",
        "numerator",
        "denominator",
        "rr",
        "Y",
        "Uzscore",
        trimmed,
        "Wuzscore",
        *LIMIT_NAMES,
        "outlier",
    ]


def default_curve_denominators(
    observed: pl.Series, options: FunnelOptions, points: int
) -> np.ndarray:
    """A log-spaced grid from FunnelPlotR's lookup start to the largest group, plus each group."""
    if not isinstance(points, int) or isinstance(points, bool) or points < 2:
        raise OptionError(f"points must be a whole number of at least 2; got {points!r}")
    start = CURVE_START_SR if options.is_standardised_ratio else CURVE_START_OTHER
    low = min(start, float(observed.min()))
    high = max(low, float(observed.max()))
    return np.unique(np.concatenate([np.geomspace(low, high, points), observed.to_numpy()]))


def _checked_denominators(denominators: Sequence[float] | np.ndarray) -> np.ndarray:
    problem = OptionError("denominators must be a non-empty list of positive, finite numbers")
    try:
        d = np.asarray(denominators, dtype=float)
    except (TypeError, ValueError) as error:
        raise problem from error
    if d.ndim != 1 or d.size == 0 or not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise problem
    return d
