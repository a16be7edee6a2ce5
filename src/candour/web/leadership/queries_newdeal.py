"""Read-side helpers for new-deal packages: overdue commitments (the centre's included), each
success measure's observations against its trajectory, and its SPC chart. Nothing here
writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from candour.analytics.leadership.newdeal import against_trajectory
from candour.analytics.spc import spc
from candour.web.leadership.models import Commitment, NewDealPackage
from candour.web.oversight.assessment import observations_frame as observations
from candour.web.oversight.monitoring import MIN_SPC_POINTS


def trajectory_of(commitment: Commitment) -> pl.DataFrame:
    """The baseline, then the agreed points."""
    points = [(commitment.baseline_on, commitment.baseline_value)] + [
        (p.on, p.value) for p in commitment.trajectory.all()
    ]
    return pl.DataFrame(points, schema={"date": pl.Date, "value": pl.Float64}, orient="row")


def measure_series(commitment: Commitment) -> pl.DataFrame:
    """The organisation's observations of the measure (its latest dataset's series), as
    ``date``, ``value``."""
    frame = observations(
        measure_ids=[commitment.measure_id], codes=[commitment.package.organisation_id]
    )
    if frame.is_empty():
        return pl.DataFrame(schema={"date": pl.Date, "value": pl.Float64})
    latest_dataset = frame.sort("period_start")["dataset"][-1]
    return (
        frame.filter(pl.col("dataset") == latest_dataset)
        .select(pl.col("period_start").alias("date"), "value")
        .sort("date")
    )


@dataclass
class Progress:
    commitment: Commitment
    points: pl.DataFrame  # date, value, expected, gap, on_trajectory
    has_chart: bool

    @property
    def latest(self) -> dict | None:
        return self.points.row(-1, named=True) if self.points.height else None


def progress(commitment: Commitment) -> Progress:
    series = measure_series(commitment)
    points = against_trajectory(
        series, trajectory_of(commitment), improvement=commitment.measure.improvement
    )
    return Progress(commitment, points, has_chart=series.height >= MIN_SPC_POINTS)


def chart_svg(commitment: Commitment) -> str | None:
    """The SPC chart of the measure with the trajectory over it (None below MIN_SPC_POINTS)."""
    from candour.analytics.leadership.newdeal_chart import trajectory_chart_svg

    series = measure_series(commitment)
    if series.height < MIN_SPC_POINTS:
        return None
    result = spc(
        series,
        value="value",
        date="date",
        improvement=commitment.measure.improvement,
        source=f"{commitment.measure_id} at {commitment.package.organisation_id}",
    )
    title = f"{commitment.measure.name}: {commitment.package.organisation_id}"
    return trajectory_chart_svg(result, None, trajectory_of(commitment), title=title)


@dataclass
class Overdue:
    commitment: Commitment

    @property
    def is_centre(self) -> bool:
        return self.commitment.is_centre


def overdue_in_region(region_code: str, as_of: dt.date) -> list[Overdue]:
    """Every overdue commitment of the region's packages, the centre's first."""
    commitments = Commitment.objects.filter(
        package__organisation__region_code=region_code, due_on__lt=as_of
    ).select_related("package__organisation")
    overdue = [Overdue(c) for c in commitments if c.overdue_on(as_of)]
    return sorted(overdue, key=lambda o: (not o.is_centre, o.commitment.due_on))


def region_packages(region_code: str):
    return NewDealPackage.objects.filter(organisation__region_code=region_code).select_related(
        "organisation", "chief_executive", "chair"
    )
