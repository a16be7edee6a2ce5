"""An alert's chart: the O/E CUSUM of its series with the alert's threshold h, above the VLAD
(expected minus observed deaths), drawn from the stored data as it is now."""

from __future__ import annotations

import altair as alt
import polars as pl
import vl_convert

from candour.analytics.cusum.chart import cusum_chart, vlad_chart
from candour.analytics.cusum.core import poisson_cusum, vlad
from candour.analytics.cusum.monitor import EXPECTED, MONTH, OBSERVED, one_in
from candour.web.mortality.models import MortalityAlert
from candour.web.mortality.queries import series_of
from candour.web.oversight.chart_store import MORTALITY_ALERT, Stored, stored

CHART_WIDTH = 640
CHART_HEIGHT = 220


def charted_series(alert: MortalityAlert) -> pl.DataFrame:
    """The alert's series, month by month, with ``cusum``, ``signal`` and ``vlad``."""
    series = series_of(alert)
    if series.is_empty():
        return series
    options = {"observed": OBSERVED, "expected": EXPECTED, "order": MONTH}
    charted = poisson_cusum(series, rate_ratio=alert.rate_ratio, h=alert.h, **options)
    return charted.with_columns(vlad(series, **options).get_column("vlad"))


def alert_chart(alert: MortalityAlert) -> Stored | None:
    """The alert's chart as stored for the current data (drawn and stored now if it was not);
    None when no monthly data is stored for its series."""
    chart = stored(MORTALITY_ALERT, str(alert.pk), lambda: render_alert_chart(alert).encode())
    return chart if chart.body else None


def render_alert_chart(alert: MortalityAlert) -> str:
    """The alert's chart drawn now, as SVG ("" when no monthly data is stored for its series)."""
    charted = charted_series(alert)
    if charted.is_empty():
        return ""
    name = f"{alert.group} at {alert.organisation.name}"
    cusum = cusum_chart(
        charted,
        order=MONTH,
        h=alert.h,
        title=f"O/E CUSUM (rate ratio {alert.rate_ratio:g}): {name}",
        subtitle=f"Threshold h = {alert.h:.2f} (red dashes), set for {one_in(alert.false_alarm_rate)}",
        synthetic=alert.synthetic,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
    )
    curve = vlad_chart(
        charted,
        order=MONTH,
        title=f"VLAD: {name}",
        subtitle="Expected minus observed deaths, added up month by month (below 0: more deaths)",
        synthetic=alert.synthetic,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
    )
    return vl_convert.vegalite_to_svg(alt.vconcat(cusum, curve).to_dict())


def chart_description(alert: MortalityAlert) -> str:
    """The chart in words, for its alt text."""
    charted = charted_series(alert)
    if charted.is_empty():
        return "No monthly data is stored for this series."
    first, last = charted[MONTH].min(), charted[MONTH].max()
    signals = charted.filter(pl.col("signal"))
    signalled = ", ".join(f"{m:%b %Y}" for m in signals[MONTH]) or "none"
    gained = charted["vlad"][-1]
    balance = f"{abs(gained):.1f} {'fewer' if gained >= 0 else 'more'} deaths than expected"
    return (
        f"{'Synthetic data. ' if alert.synthetic else ''}O/E CUSUM of deaths in the "
        f"{alert.group} group at {alert.organisation.name}, {first:%B %Y} to {last:%B %Y}, "
        f"with threshold h = {alert.h:.2f}. Months where it crossed h: {signalled}. Highest "
        f"value {charted['cusum'].max():.2f}. VLAD below: {balance} over the whole period "
        f"({int(charted[OBSERVED].sum())} observed against {charted[EXPECTED].sum():.1f})."
    )
