"""The options of a CUSUM or VLAD chart, validated on their own before any data is looked at.

``h`` may be one number for every series, the name of a column holding each row's threshold, or a
mapping from a series key (the group value, or a tuple of values for several group columns) to
its threshold; a mapping is checked against the data in :mod:`candour.analytics.cusum.frames`.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from candour.analytics.cusum.constants import TRANSFORMS
from candour.analytics.spc.options import check_bool, check_choice, is_real
from candour.exceptions import OptionError

Threshold = float | str | Mapping[Hashable, float]


def column_tuple(option: str, value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``group`` or ``order`` as a tuple of column names (``None`` means none)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        raise OptionError(f"{option} must be a column name or a list of them; got {value!r}")
    names = tuple(value)
    for name in names:
        check_column_name(option, name)
    return names


def check_column_name(option: str, name: object) -> None:
    if not isinstance(name, str) or not name:
        raise OptionError(f"{option} must name a column of the frame; got {name!r}")


def check_distinct(named: Mapping[str, str | tuple[str, ...]]) -> None:
    """The data, group and order columns must all be different columns."""
    flat = [
        (option, column)
        for option, columns in named.items()
        for column in ((columns,) if isinstance(columns, str) else columns)
    ]
    seen: dict[str, str] = {}
    for option, column in flat:
        if column in seen:
            raise OptionError(
                f"{seen[column]} and {option} both name the column {column!r}; each must be a"
                " different column"
            )
        seen[column] = option


def check_ratio(option: str, value: object) -> float:
    """An odds or rate ratio to detect: positive, finite and not 1 (R < 1 is the lower chart)."""
    if not is_real(value) or not math.isfinite(float(value)) or float(value) <= 0:
        raise OptionError(f"{option} must be a positive number; got {value!r}")
    if float(value) == 1:
        raise OptionError(
            f"{option} must differ from 1 (above 1 detects a rise, below 1 a fall); got {value!r}"
        )
    return float(value)


def check_positive(option: str, value: object) -> float:
    if not is_real(value) or not math.isfinite(float(value)) or float(value) <= 0:
        raise OptionError(f"{option} must be a positive finite number; got {value!r}")
    return float(value)


def check_finite(option: str, value: object) -> float:
    if not is_real(value) or not math.isfinite(float(value)):
        raise OptionError(f"{option} must be a finite number; got {value!r}")
    return float(value)


def check_probability(option: str, value: object) -> float:
    if not is_real(value) or not 0 < float(value) < 1:
        raise OptionError(f"{option} must be a probability strictly between 0 and 1; got {value!r}")
    return float(value)


def check_threshold(value: object) -> Threshold:
    """``h``: a positive number, a column name, or a mapping from series key to a number."""
    if isinstance(value, str):
        check_column_name("h", value)
        return value
    if isinstance(value, Mapping):
        if not value:
            raise OptionError("h as a mapping must give a threshold for at least one series")
        return {key: check_positive(f"h[{key!r}]", h) for key, h in value.items()}
    return check_positive("h", value)


@dataclass(frozen=True)
class Layout:
    """Which columns a chart reads: its data columns, the series key and the time order."""

    data: tuple[tuple[str, str], ...]  # (option, column) pairs, e.g. ("outcome", "died")
    group: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    h_column: str | None = None

    def __post_init__(self) -> None:
        for option, column in self.data:
            check_column_name(option, column)
        named: dict[str, str | tuple[str, ...]] = dict(self.data)
        named |= {"group": self.group, "order": self.order}
        if self.h_column is not None:
            named["h"] = self.h_column
        check_distinct(named)

    def column(self, option: str) -> str:
        return dict(self.data)[option]

    @property
    def columns(self) -> list[str]:
        extra = [self.h_column] if self.h_column else []
        return list(dict.fromkeys([*self.group, *self.order, *dict(self.data).values(), *extra]))


def layout(
    data: Mapping[str, str],
    group: str | Iterable[str] | None,
    order: str | Iterable[str] | None,
    h: Threshold | None = None,
) -> Layout:
    return Layout(
        data=tuple(data.items()),
        group=column_tuple("group", group),
        order=column_tuple("order", order),
        h_column=h if isinstance(h, str) else None,
    )


def check_transform(value: object) -> str:
    check_choice("transform", value, TRANSFORMS)
    return str(value)


def check_reset(value: object) -> bool:
    check_bool("reset", value)
    return bool(value)
