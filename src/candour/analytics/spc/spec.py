"""``SpcSpec``: one XmR analysis and the table it returns, picklable, so that a distributed engine
(a Spark ``mapInArrow`` function, say) can apply it to each batch of whole series.

``spc()`` checks a per-series mapping (``improvement``, ``target``, ``rebase``,
``fix_after_n_points``, ``screen_outliers``) against the series in the frame it is given: a key
that names no series is an error. A batch holds only some of the series, so :meth:`SpcSpec.run`
passes each mapping restricted to the batch's series, and the engine calls
:meth:`SpcSpec.check_keys` once with every series key of the whole data, which raises the same
error ``spc()`` would.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import polars as pl

from candour.analytics.spc.options import RuleOptions, SpcOptions, normalise_group
from candour.analytics.spc.resolve import VALUE, check_known_keys, mapping_frame
from candour.analytics.spc.xmr import spc
from candour.exceptions import OptionError

TABLES = ("points", "summary", "groups")
# The options that may map series keys to values.
PER_SERIES_OPTIONS = ("improvement", "target", "rebase", "fix_after_n_points", "screen_outliers")
SPC_OPTIONS = frozenset(inspect.signature(spc).parameters) - {"frame"}
RULE_OPTIONS = tuple(f.name for f in fields(RuleOptions))
# The values a schema probe gives its one row (any valid value would do).
PROBE_DATE = dt.date(2000, 1, 1)
PROBE_VALUE = 1.0


@dataclass(frozen=True)
class SpcSpec:
    """``spc(frame, **options)`` and one of its tables: ``points`` (one row per input row),
    ``summary`` (one per series) or ``groups`` (one per segment)."""

    options: Mapping[str, Any]
    table: str = "points"
    group: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.table not in TABLES:
            raise OptionError(f"table must be one of {', '.join(TABLES)}; got {self.table!r}")
        for name in ("value", "date"):
            if name not in self.options:
                raise OptionError(f"spc needs the {name} column")
        object.__setattr__(self, "group", normalise_group(self.options.get("group")))
        self.spc_options()  # every option checked here, before any data is seen

    def spc_options(self) -> SpcOptions:
        """The options checked as ``spc()`` checks them (raises :class:`OptionError`)."""
        unknown = [name for name in self.options if name not in SPC_OPTIONS]
        if unknown:
            raise OptionError(f"spc has no option {unknown[0]!r}")
        rules = {name: self.options[name] for name in RULE_OPTIONS if name in self.options}
        given = {
            name: self.options[name]
            for name in ("value", "date", *PER_SERIES_OPTIONS, "na")
            if name in self.options
        }
        return SpcOptions(group=self.group, rules=RuleOptions(**rules), **given)

    @property
    def columns(self) -> list[str]:
        """The input columns the analysis reads."""
        target = self.options.get("target")
        extra = [target] if isinstance(target, str) else []
        return [*self.group, self.options["date"], self.options["value"], *extra]

    def run(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The chosen table for the series in ``frame`` (each mapping restricted to them)."""
        options = dict(self.options)
        keys = frame.select(self.group).unique(maintain_order=True) if self.group else None
        for name in PER_SERIES_OPTIONS:
            if isinstance(options.get(name), Mapping) and keys is not None:
                options[name] = restricted(name, options[name], keys)
        return getattr(spc(frame, **options), self.table)

    def check_keys(self, keys: pl.DataFrame) -> None:
        """Raise :class:`OptionError`, as ``spc()`` would, if a mapping names a series that is
        not among ``keys`` (every series of the whole data: the group columns, one row each)."""
        for name in PER_SERIES_OPTIONS:
            value = self.options.get(name)
            if isinstance(value, Mapping):
                given = mapping_frame(name, dict.fromkeys(value, 0), keys, pl.Int8)
                check_known_keys(name, given.drop(VALUE), keys)

    def output_schema(self, schema: Mapping[str, pl.DataType]) -> pl.Schema:
        """The Polars schema of the table for input columns of these types, found by running
        the analysis on one made-up row with the per-series options left at their defaults."""
        probe = {name: pl.Series(name, [None], dtype=schema[name]) for name in self.group}
        date, value = self.options["date"], self.options["value"]
        probe[date] = pl.Series(date, [PROBE_DATE]).cast(schema[date])
        probe[value] = pl.Series(value, [PROBE_VALUE])
        options = {k: v for k, v in self.options.items() if k not in PER_SERIES_OPTIONS}
        target = self.options.get("target")
        if isinstance(target, str):
            probe[target] = pl.Series(target, [PROBE_VALUE])
            options["target"] = target
        return getattr(spc(pl.DataFrame(probe), **options), self.table).schema


def restricted(option: str, mapping: Mapping[Hashable, Any], keys: pl.DataFrame) -> dict:
    """The entries of ``mapping`` whose key names one of the series in ``keys`` (matched as
    ``spc()`` matches them)."""
    entries = list(mapping.items())
    given = mapping_frame(option, {key: i for i, (key, _) in enumerate(entries)}, keys, pl.Int64)
    found = given.join(keys, on=keys.columns, how="semi", nulls_equal=True)
    return dict(entries[i] for i in found.get_column(VALUE).to_list())
