"""board_metrics: one test per rule of issue 12, item 1 (covering, vacant, interim, current
holder, rates over executive posts, recent appointments, the chief executive's unbroken run),
and input errors that name the input, row and column."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from candour.analytics.leadership import board_metrics, post_status
from candour.analytics.leadership.ledger import METRIC_SCHEMA, unbroken_run_start
from candour.exceptions import DataFileError, OptionError

AS_OF = dt.date(2025, 3, 31)
DAY = dt.timedelta(days=1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def posts(*rows) -> pl.DataFrame:
    """rows: (ods_code, post_id, role, executive[, voting])."""
    return pl.DataFrame(
        [(*r, True) if len(r) == 4 else r for r in rows],
        schema={
            "ods_code": pl.String,
            "post_id": pl.String,
            "role": pl.String,
            "executive": pl.Boolean,
            "voting": pl.Boolean,
        },
        orient="row",
    )


def holdings(*rows) -> pl.DataFrame:
    """rows: (post_id, person_id, start, end or None, basis)."""
    return pl.DataFrame(
        list(rows),
        schema={
            "post_id": pl.String,
            "person_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "basis": pl.String,
        },
        orient="row",
    )


ONE_FD = posts(("AAA", "fd", "finance", True))
CEO_AND_FD = posts(("AAA", "ceo", "chief_executive", True), ("AAA", "fd", "finance", True))


def metrics(p, h, as_of=AS_OF) -> dict:
    frame = board_metrics(p, h, as_of=as_of)
    assert frame.height == 1
    return frame.row(0, named=True)


def status(p, h, post_id: str, as_of=AS_OF) -> dict:
    return post_status(p, h, as_of=as_of).filter(pl.col("post_id") == post_id).row(0, named=True)


# ----------------------------------------------------------------------------- output shape


def test_one_row_per_organisation_with_exactly_the_specified_columns():
    p = posts(("BBB", "b1", "finance", True), ("AAA", "a1", "finance", True))
    frame = board_metrics(p, holdings(), as_of=AS_OF)
    assert frame.columns == [
        "ods_code",
        "exec_posts",
        "exec_vacant",
        "exec_interim",
        "exec_vacancy_rate",
        "exec_interim_rate",
        "ceo_tenure_days",
        "exec_appointed_last_12m_share",
    ]
    assert dict(frame.schema) == METRIC_SCHEMA
    assert frame["ods_code"].to_list() == ["AAA", "BBB"]


# ----------------------------------------------------------------------------------- covering


@pytest.mark.parametrize(
    ("start", "end", "covers"),
    [
        (AS_OF, None, True),  # starts on as_of
        (AS_OF, AS_OF, True),  # starts and ends on as_of
        (d("2020-01-01"), AS_OF, True),  # ends on as_of
        (d("2020-01-01"), AS_OF - DAY, False),  # ended the day before
        (AS_OF + DAY, None, False),  # starts the day after
        (d("2020-01-01"), None, True),  # still in post
    ],
)
def test_a_holding_covers_as_of_when_start_on_or_before_and_end_null_or_on_or_after(
    start, end, covers
):
    h = holdings(("fd", "p1", start, end, "substantive"))
    assert metrics(ONE_FD, h)["exec_vacant"] == (0 if covers else 1)


# --------------------------------------------------------------------------- vacant / interim


def test_a_post_never_filled_is_vacant():
    row = metrics(ONE_FD, holdings())
    assert (row["exec_posts"], row["exec_vacant"], row["exec_vacancy_rate"]) == (1, 1, 1.0)
    assert status(ONE_FD, holdings(), "fd")["without_substantive_since"] is None


def test_a_post_whose_holders_have_all_left_is_vacant_since_the_day_after_the_last_left():
    h = holdings(("fd", "p1", d("2019-01-01"), d("2024-06-30"), "substantive"))
    assert metrics(ONE_FD, h)["exec_vacant"] == 1
    assert status(ONE_FD, h, "fd")["without_substantive_since"] == d("2024-07-01")


@pytest.mark.parametrize("bases", [["interim"], ["acting"], ["interim", "acting"]])
def test_a_post_covered_only_by_interim_or_acting_holdings_is_interim(bases):
    h = holdings(*[("fd", f"p{i}", d("2025-01-01"), None, basis) for i, basis in enumerate(bases)])
    row = metrics(ONE_FD, h)
    assert (row["exec_vacant"], row["exec_interim"], row["exec_interim_rate"]) == (0, 1, 1.0)


@pytest.mark.parametrize("basis", ["substantive", "joint"])
def test_overlapping_interim_and_substantive_holdings_make_the_post_substantive(basis):
    h = holdings(
        ("fd", "p1", d("2018-01-01"), None, basis),
        ("fd", "p2", d("2025-02-01"), d("2025-06-30"), "interim"),  # covering sick leave
    )
    row = metrics(ONE_FD, h)
    assert (row["exec_vacant"], row["exec_interim"]) == (0, 0)
    assert status(ONE_FD, h, "fd")["status"] == "substantive"


def test_an_interim_post_has_had_no_substantive_holder_since_the_last_one_left():
    h = holdings(
        ("fd", "p1", d("2015-01-01"), d("2024-05-31"), "substantive"),
        ("fd", "p2", d("2024-08-01"), d("2024-12-31"), "interim"),
        ("fd", "p3", d("2025-01-01"), None, "acting"),
    )
    row = status(ONE_FD, h, "fd")
    assert row["status"] == "interim"
    assert row["without_substantive_since"] == d("2024-06-01")


# ----------------------------------------------------------------------------- current holder


def test_the_current_holder_is_the_covering_holding_with_the_latest_start():
    h = holdings(
        ("fd", "p1", d("2018-01-01"), None, "substantive"),
        ("fd", "p2", d("2025-02-01"), None, "interim"),
        ("fd", "p3", d("2025-04-01"), None, "interim"),  # not yet started
    )
    row = status(ONE_FD, h, "fd")
    assert (row["holder_person_id"], row["holder_basis"]) == ("p2", "interim")


def test_a_tie_on_start_goes_to_the_smallest_person_id():
    h = holdings(
        ("fd", "p9", d("2024-01-01"), None, "joint"),
        ("fd", "p10", d("2024-01-01"), None, "joint"),
        ("fd", "p2", d("2024-01-01"), None, "joint"),
    )
    assert status(ONE_FD, h, "fd")["holder_person_id"] == "p10"  # "p10" < "p2" < "p9"


# -------------------------------------------------------------------------- executive posts only


def test_counts_and_rates_are_over_executive_posts_only():
    p = posts(
        ("AAA", "fd", "finance", True),
        ("AAA", "dn", "nursing", True),
        ("AAA", "chair", "chair", False),
        ("AAA", "ned1", "non_executive", False),
    )
    h = holdings(
        ("fd", "p1", d("2020-01-01"), None, "substantive"),
        ("dn", "p2", d("2025-01-01"), None, "interim"),
    )  # the chair and the NED are vacant but not counted
    row = metrics(p, h)
    assert (row["exec_posts"], row["exec_vacant"], row["exec_interim"]) == (2, 0, 1)
    assert (row["exec_vacancy_rate"], row["exec_interim_rate"]) == (0.0, 0.5)


def test_rates_are_null_for_an_organisation_without_executive_posts():
    p = posts(("AAA", "chair", "chair", False))
    row = metrics(p, holdings())
    assert row["exec_posts"] == 0
    assert row["exec_vacancy_rate"] is None
    assert row["exec_interim_rate"] is None
    assert row["exec_appointed_last_12m_share"] is None


# ---------------------------------------------------------------- appointed in the last 12 months


@pytest.mark.parametrize(
    ("start", "counted"),
    [
        (AS_OF, True),  # started on as_of
        (AS_OF - 364 * DAY, True),
        (AS_OF - 365 * DAY, False),  # the window is (as_of - 365 days, as_of]
        (AS_OF - 366 * DAY, False),
    ],
)
def test_appointed_in_the_last_12_months_is_a_start_in_the_half_open_window(start, counted):
    h = holdings(("fd", "p1", start, None, "substantive"))
    assert metrics(ONE_FD, h)["exec_appointed_last_12m_share"] == (1.0 if counted else 0.0)


def test_the_share_is_among_non_vacant_executive_posts_by_their_current_holder():
    p = posts(
        ("AAA", "fd", "finance", True),
        ("AAA", "dn", "nursing", True),
        ("AAA", "md", "medical", True),  # vacant: left out
    )
    h = holdings(
        ("fd", "p1", d("2015-01-01"), None, "substantive"),
        ("fd", "p2", d("2025-01-01"), None, "interim"),  # current holder: started recently
        ("dn", "p3", d("2016-01-01"), None, "substantive"),
    )
    assert metrics(p, h)["exec_appointed_last_12m_share"] == 0.5


def test_the_share_is_null_when_every_executive_post_is_vacant():
    assert metrics(ONE_FD, holdings())["exec_appointed_last_12m_share"] is None


# ------------------------------------------------------------------ chief executive's tenure


def test_ceo_tenure_is_as_of_minus_the_start_of_the_current_holding():
    h = holdings(("ceo", "p1", d("2024-03-31"), None, "substantive"))
    assert metrics(CEO_AND_FD, h)["ceo_tenure_days"] == 365


def test_ceo_tenure_is_zero_for_a_chief_executive_starting_on_as_of():
    h = holdings(("ceo", "p1", AS_OF, None, "substantive"))
    assert metrics(CEO_AND_FD, h)["ceo_tenure_days"] == 0


@pytest.mark.parametrize(
    ("second_start", "run_start"),
    [
        (d("2022-01-01"), d("2020-01-01")),  # starts the day after the first ends: chained
        (d("2021-12-31"), d("2020-01-01")),  # starts on the day the first ends: chained
        (d("2021-06-01"), d("2020-01-01")),  # overlaps the first: chained
        (d("2022-01-02"), d("2022-01-02")),  # a day's gap: a new run
    ],
)
def test_ceo_tenure_chains_holdings_starting_no_more_than_a_day_after_the_previous_ends(
    second_start, run_start
):
    h = holdings(
        ("ceo", "p1", d("2020-01-01"), d("2021-12-31"), "substantive"),
        ("ceo", "p1", second_start, None, "substantive"),
    )
    assert metrics(CEO_AND_FD, h)["ceo_tenure_days"] == (AS_OF - run_start).days


def test_ceo_tenure_chains_joint_and_substantive_but_not_interim_holdings():
    h = holdings(
        ("ceo", "p1", d("2016-01-01"), d("2018-12-31"), "joint"),
        ("ceo", "p1", d("2019-01-01"), d("2019-12-31"), "substantive"),
        ("ceo", "p1", d("2020-01-01"), d("2020-12-31"), "interim"),  # breaks the run
        ("ceo", "p1", d("2021-01-01"), None, "substantive"),
    )
    assert metrics(CEO_AND_FD, h)["ceo_tenure_days"] == (AS_OF - d("2021-01-01")).days
    h2 = h.filter(pl.col("basis") != "interim").with_columns(
        pl.when(pl.col("start") == d("2021-01-01"))
        .then(pl.lit(d("2020-01-01")))
        .otherwise(pl.col("start"))
        .alias("start")
    )
    assert metrics(CEO_AND_FD, h2)["ceo_tenure_days"] == (AS_OF - d("2016-01-01")).days


def test_ceo_tenure_counts_only_the_current_holders_own_holdings():
    h = holdings(
        ("ceo", "p1", d("2010-01-01"), d("2022-12-31"), "substantive"),
        ("ceo", "p2", d("2023-01-01"), None, "substantive"),
    )
    assert metrics(CEO_AND_FD, h)["ceo_tenure_days"] == (AS_OF - d("2023-01-01")).days


@pytest.mark.parametrize(
    "rows",
    [
        [],  # never filled: vacant
        [("ceo", "p1", d("2010-01-01"), d("2024-12-31"), "substantive")],  # vacant now
        [("ceo", "p1", d("2025-01-01"), None, "interim")],  # interim
        [("ceo", "p1", d("2025-01-01"), None, "acting")],
    ],
)
def test_ceo_tenure_is_null_unless_the_chief_executive_post_is_substantive(rows):
    assert metrics(CEO_AND_FD, holdings(*rows))["ceo_tenure_days"] is None


def test_ceo_tenure_is_null_without_a_chief_executive_post():
    h = holdings(("fd", "p1", d("2020-01-01"), None, "substantive"))
    assert metrics(ONE_FD, h)["ceo_tenure_days"] is None


def test_ceo_tenure_is_null_when_the_current_holder_is_an_interim_over_a_substantive():
    """The rule takes the current holder's run of substantive or joint holdings: an interim
    starting after the substantive chief executive is the current holder and has none."""
    h = holdings(
        ("ceo", "p1", d("2015-01-01"), None, "substantive"),
        ("ceo", "p2", d("2025-03-01"), None, "interim"),
    )
    assert status(CEO_AND_FD, h, "ceo")["status"] == "substantive"
    assert metrics(CEO_AND_FD, h)["ceo_tenure_days"] is None


def test_unbroken_run_start_ignores_holdings_starting_after_as_of():
    runs = [(d("2020-01-01"), d("2025-03-31")), (d("2025-04-01"), None)]
    assert unbroken_run_start(runs, AS_OF) == d("2020-01-01")
    assert unbroken_run_start([(d("2025-04-01"), None)], AS_OF) is None


# ------------------------------------------------------------------------------ input errors


def problems_of(error: DataFileError) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in error.problems]


def test_as_of_must_be_a_date():
    with pytest.raises(OptionError, match="as_of must be a date"):
        board_metrics(ONE_FD, holdings(), as_of=dt.datetime(2025, 1, 1))


def test_a_missing_column_is_named_with_its_input():
    with pytest.raises(DataFileError) as caught:
        board_metrics(ONE_FD.drop("voting"), holdings(), as_of=AS_OF)
    assert caught.value.path == "posts"
    assert problems_of(caught.value) == [(None, "voting")]


def test_a_column_of_the_wrong_type_is_named():
    h = holdings(("fd", "p1", d("2020-01-01"), None, "substantive")).with_columns(
        pl.col("start").cast(pl.String)
    )
    with pytest.raises(DataFileError, match="expected dates") as caught:
        board_metrics(ONE_FD, h, as_of=AS_OF)
    assert caught.value.path == "holdings"
    assert problems_of(caught.value) == [(None, "start")]


def test_bad_values_are_named_by_input_row_and_column():
    p = posts(
        ("AAA", "fd", "finance", True),
        ("AAA", "x", "treasurer", True),
        ("AAA", "chair", "chair", True),
        ("AAA", "ceo", "chief_executive", False),
    )
    with pytest.raises(DataFileError) as caught:
        board_metrics(p, holdings(), as_of=AS_OF)
    assert caught.value.path == "posts"
    assert problems_of(caught.value) == [(2, "role"), (3, "executive"), (4, "executive")]


def test_holding_errors_name_their_rows():
    h = holdings(
        ("fd", "p1", d("2020-01-01"), None, "substantive"),
        ("nope", "p2", d("2020-01-01"), None, "substantive"),
        ("fd", "p3", d("2020-01-01"), d("2019-01-01"), "permanent"),
        ("fd", None, d("2020-01-01"), None, "substantive"),
    )
    with pytest.raises(DataFileError) as caught:
        board_metrics(ONE_FD, h, as_of=AS_OF)
    assert caught.value.path == "holdings"
    assert problems_of(caught.value) == [(4, "person_id")]  # nulls first, alone
    with pytest.raises(DataFileError) as caught:
        board_metrics(ONE_FD, h.head(3), as_of=AS_OF)
    assert problems_of(caught.value) == [(2, "post_id"), (3, "basis"), (3, "end")]
    assert "no post with this post_id in posts; found 'nope'" in str(caught.value)


def test_duplicate_posts_and_two_chief_executives_are_refused():
    p = posts(
        ("AAA", "ceo", "chief_executive", True),
        ("AAA", "ceo2", "chief_executive", True),
        ("BBB", "fd", "finance", True),
        ("BBB", "fd", "finance", True),
    )
    with pytest.raises(DataFileError) as caught:
        board_metrics(p, holdings(), as_of=AS_OF)
    assert problems_of(caught.value) == [(1, "role"), (2, "role"), (3, "post_id"), (4, "post_id")]


def test_pandas_frames_are_accepted():
    h = holdings(("fd", "p1", d("2020-01-01"), None, "substantive"))
    expected = board_metrics(ONE_FD, h, as_of=AS_OF)
    assert board_metrics(ONE_FD.to_pandas(), h.to_pandas(), as_of=AS_OF).equals(expected)
