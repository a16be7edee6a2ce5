"""What the pages' charts are told about the measure they draw: its unit (a proportion is drawn in
percent), its name as the value axis's title, what its denominator counts, and the organisations
it is compared among. The target comes with the SPC result (the one in effect for the series).

Rendering stays a pure function of these options and the data, so that a chart can be cached on
the data version alone.
"""

from __future__ import annotations

from candour.web.oversight.models import Measure


def spc_chart_options(measure: Measure) -> dict[str, object]:
    """Keyword arguments of :func:`candour.analytics.spc.chart.chart_svg` for ``measure``."""
    return {"unit": measure.unit, "value_label": measure.name}


def funnel_chart_options(measure: Measure, peer_group: str | None = None) -> dict[str, object]:
    """Keyword arguments of :func:`candour.analytics.funnel.chart.funnel_svg` for ``measure``,
    compared among ``peer_group`` (words: "acute trusts")."""
    return {
        "unit": measure.unit,
        "y_label": measure.name,
        "denominator_label": measure.denominator or None,
        "peer_group": peer_group,
    }
