"""The result of an SPC analysis: points, per-series summary, per-segment table, warnings."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field, replace

import polars as pl

from candour.analytics.spc.frames import MISSING_FIELDS
from candour.exceptions import OptionError

# Column names of the points table (after the group columns), as in the conformance files.
POINT_FIELDS = (
    "date",
    "value",
    "rebase_group",
    "short_group_warning",
    "mean",
    "lpl",
    "upl",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "special_cause_type",
    "special_cause_flag",
    "point_type",
)
SUMMARY_FIELDS = (
    "n",
    "latest_date",
    "latest_value",
    "improvement",
    "target",
    "variation_type",
    "variation_icon",
    "assurance_type",
    "assurance_icon",
    "warnings",
)
GROUP_FIELDS = (
    "rebase_group",
    "n",
    "mean",
    "lpl",
    "upl",
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "variation_type",
    "assurance_type",
)
RESERVED_NAMES = frozenset(POINT_FIELDS + SUMMARY_FIELDS + GROUP_FIELDS + MISSING_FIELDS)


@dataclass(frozen=True)
class SPCResult:
    """What an SPC analysis found, for one series or many.

    ``points``: one row per input row, sorted by series then date: the group columns, then
    :data:`POINT_FIELDS` (the conformance ``points`` fields). ``summary``: one row per series: the
    group columns, then :data:`SUMMARY_FIELDS`. ``groups``: one row per segment (rebase group) of
    each series: the group columns, then :data:`GROUP_FIELDS`. ``warnings``: distinct messages.
    ``missing``: one row per missing number (a null value, or a listed missing-value marker):
    the group columns, then ``date``, ``column``, ``row`` (1-based, as given) and ``found``.
    """

    points: pl.DataFrame
    summary: pl.DataFrame
    groups: pl.DataFrame
    warnings: tuple[str, ...]
    group: tuple[str, ...] = ()
    chart_type: str = "xmr"  # "xmr", "p" or "u"
    value_name: str = "value"  # the value column as given, for axis titles
    missing: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def n_series(self) -> int:
        return self.summary.height

    def series_keys(self) -> list[Hashable]:
        """The key of each series: the group value, or a tuple of them for several columns."""
        rows = self.summary.select(self.group).rows()
        return [row[0] if len(row) == 1 else row for row in rows]

    def series(self, key: Hashable | None = None) -> SPCResult:
        """The result for one series, chosen by key (not needed when there is only one)."""
        if key is None:
            if self.n_series != 1:
                raise OptionError(
                    f"the result holds {self.n_series} series; choose one by its key, such as"
                    f" {self.series_keys()[0]!r}"
                )
            return self
        values = key if len(self.group) > 1 else (key,)
        if not isinstance(values, tuple) or len(values) != len(self.group):
            raise OptionError(f"a series key has {len(self.group)} values; got {key!r}")
        match = pl.lit(True)
        for name, value in zip(self.group, values, strict=True):
            match = match & pl.col(name).eq_missing(pl.lit(value))
        chosen = replace(
            self,
            points=self.points.filter(match),
            summary=self.summary.filter(match),
            groups=self.groups.filter(match),
            missing=self.missing.filter(match) if self.missing.height else self.missing,
        )
        if chosen.n_series != 1:
            raise OptionError(f"no series has the key {key!r}")
        own = chosen.summary.get_column("warnings").explode().drop_nulls().to_list()
        return replace(chosen, warnings=tuple(own))
