"""Invariants of the leadership analytics over generated ledgers and pipelines (Hypothesis).

* board_metrics agrees with a plain-Python reading of the rules of issue 12, written
  independently here, on random ledgers;
* pipeline diversity never shows a small count, never shows anything for a small pipeline,
  never shows a share without both its counts, and never leaves a hidden count (including the
  unpublished White count) recoverable from an organisation's published row;
* the Kerr table never shows a count of 1 to 7, nor any figure computed from a hidden count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from candour.analytics.leadership import board_metrics, kerr_by_rating, pipeline_diversity
from candour.analytics.leadership.constants import CQC_RATINGS, PIPELINE_MIN_GROUP
from candour.analytics.leadership.ledger import METRIC_SCHEMA

SETTINGS = settings(max_examples=150, deadline=None)
AS_OF = dt.date(2025, 3, 31)
ROLES = ("chief_executive", "finance", "nursing", "chair")
BASES = ("substantive", "interim", "acting", "joint")
# Dates near as_of and near the 365-day window edge are over-represented on purpose.
OFFSETS = st.one_of(st.integers(-3, 3), st.integers(-368, -362), st.integers(-2000, 400))


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    posts, holdings = [], []
    for org in range(draw(st.integers(1, 3))):
        roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=4))
        if roles.count("chief_executive") > 1:
            roles = [r for r in roles if r != "chief_executive"] + ["chief_executive"]
        for n, role in enumerate(roles):
            post_id = f"o{org}p{n}"
            posts.append((f"O{org}", post_id, role, role != "chair", True))
            for _ in range(draw(st.integers(0, 4))):
                start = AS_OF + dt.timedelta(days=draw(OFFSETS))
                end = (
                    None
                    if draw(st.booleans())
                    else start + dt.timedelta(days=draw(st.integers(0, 900)))
                )
                person = draw(st.sampled_from(["a", "b", "c"]))
                holdings.append((post_id, person, start, end, draw(st.sampled_from(BASES))))
    holding_frame = pl.DataFrame(
        holdings,
        schema={
            "post_id": pl.String,
            "person_id": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "basis": pl.String,
        },
        orient="row",
    ).unique(["post_id", "person_id", "start"], keep="first", maintain_order=True)
    post_frame = pl.DataFrame(
        posts, schema=["ods_code", "post_id", "role", "executive", "voting"], orient="row"
    )
    return post_frame, holding_frame


def reference(posts: pl.DataFrame, holdings: pl.DataFrame, as_of: dt.date) -> dict[str, dict]:
    """The rules read literally, one post at a time, in plain Python."""
    by_post: dict[str, list[dict]] = {}
    for h in holdings.iter_rows(named=True):
        by_post.setdefault(h["post_id"], []).append(h)
    result: dict[str, dict] = {}
    for p in posts.iter_rows(named=True):
        org = result.setdefault(
            p["ods_code"],
            {"posts": 0, "vacant": 0, "interim": 0, "filled": 0, "new": 0, "ceo": None},
        )
        covering = [
            h
            for h in by_post.get(p["post_id"], [])
            if h["start"] <= as_of and (h["end"] is None or h["end"] >= as_of)
        ]
        if not covering:
            status = "vacant"
        elif all(h["basis"] in ("interim", "acting") for h in covering):
            status = "interim"
        else:
            status = "substantive"
        holder = min(
            covering, key=lambda h: (-h["start"].toordinal(), h["person_id"]), default=None
        )
        if p["executive"]:
            org["posts"] += 1
            org["vacant"] += status == "vacant"
            org["interim"] += status == "interim"
            if status != "vacant":
                org["filled"] += 1
                org["new"] += (as_of - holder["start"]).days < 365
        if p["role"] == "chief_executive" and status == "substantive":
            org["ceo"] = _tenure(by_post.get(p["post_id"], []), holder["person_id"], as_of)
    return result


def _tenure(holdings: list[dict], person: str, as_of: dt.date) -> int | None:
    """Walk back from a covering permanent holding of ``person`` through holdings that end no
    more than a day before the run so far starts (or overlap it)."""
    own = [
        h
        for h in holdings
        if h["person_id"] == person
        and h["basis"] in ("substantive", "joint")
        and h["start"] <= as_of
    ]
    run = [h for h in own if h["end"] is None or h["end"] >= as_of]
    if not run:
        return None
    start = min(h["start"] for h in run)
    changed = True
    while changed:
        changed = False
        for h in own:
            if h["start"] < start and (
                h["end"] is None or h["end"] >= start - dt.timedelta(days=1)
            ):
                start, changed = h["start"], True
    return (as_of - start).days


@SETTINGS
@given(ledgers())
def test_board_metrics_agrees_with_the_rules_read_literally(ledger):
    posts, holdings = ledger
    expected = reference(posts, holdings, AS_OF)
    for row in board_metrics(posts, holdings, as_of=AS_OF).iter_rows(named=True):
        want = expected[row["ods_code"]]
        assert row["exec_posts"] == want["posts"]
        assert row["exec_vacant"] == want["vacant"]
        assert row["exec_interim"] == want["interim"]
        assert row["ceo_tenure_days"] == want["ceo"]
        share = want["new"] / want["filled"] if want["filled"] else None
        assert row["exec_appointed_last_12m_share"] == share
        if want["posts"]:
            assert row["exec_vacancy_rate"] == want["vacant"] / want["posts"]
        else:
            assert row["exec_vacancy_rate"] is None


# ---------------------------------------------------------------------------- pipeline diversity

COUNTS = st.one_of(st.integers(0, 3), st.integers(1, 12), st.integers(0, 60))


@st.composite
def pipelines(draw: st.DrawFn) -> tuple[pl.DataFrame, dict[str, tuple[int, int]], pl.DataFrame]:
    truth = {f"O{n}": (draw(COUNTS), draw(COUNTS)) for n in range(draw(st.integers(1, 6)))}
    rows = []
    for org, (bme, white) in truth.items():
        rows += [(org, "bme")] * bme + [(org, "white")] * white
    frame = pl.DataFrame(rows, schema={"ods_code": pl.String, "ethnicity": pl.String}, orient="row")
    targets = pl.DataFrame(
        {
            "ods_code": list(truth),
            "target": [draw(st.floats(0, 1)) for _ in truth],
        }
    )
    return frame, truth, targets


def shown(display: str) -> int | None:
    return None if display == "*" else int(display.replace(",", ""))


@SETTINGS
@given(pipelines())
def test_pipeline_diversity_never_discloses_a_small_number(generated):
    frame, truth, targets = generated
    table = pipeline_diversity(frame, targets)
    if frame.is_empty():
        assert table.is_empty()
        return
    for row in table.iter_rows(named=True):
        for column in ("people", "bme"):
            value = shown(row[column])
            assert value is None or (value % 5 == 0 and not 1 <= value <= 7)
        if row["bme_share"] is not None:
            assert shown(row["people"])
            assert shown(row["bme"]) is not None
            assert row["bme_share"] == shown(row["bme"]) / shown(row["people"])
        if row["below_target"] is not None:
            assert row["bme_share"] is not None
            assert row["target"] is not None
        if row["ods_code"] == "Total":
            continue
        bme, white = truth[row["ods_code"]]
        if 0 < bme + white < PIPELINE_MIN_GROUP:
            assert row["people"] == row["bme"] == "*"
        for hidden_count in (bme, white):
            if 1 <= hidden_count <= 7:  # hidden itself, and not the difference of two shown
                assert "*" in (row["people"], row["bme"])


# ------------------------------------------------------------------------------------- Kerr


@st.composite
def metric_frames(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows, ratings = [], []
    for n in range(draw(st.integers(1, 25))):
        posts = draw(st.integers(1, 9))
        vacant = draw(st.integers(0, posts))
        interim = draw(st.integers(0, posts - vacant))
        filled = posts - vacant
        new = draw(st.integers(0, filled))
        tenure = draw(st.one_of(st.none(), st.integers(0, 5000)))
        rows.append(
            (
                f"O{n}",
                posts,
                vacant,
                interim,
                vacant / posts,
                interim / posts,
                tenure,
                new / filled if filled else None,
            )
        )
        ratings.append((f"O{n}", draw(st.sampled_from(CQC_RATINGS))))
    metrics = pl.DataFrame(
        rows,
        schema=METRIC_SCHEMA,
        orient="row",
    )
    return metrics, pl.DataFrame(ratings, schema=["ods_code", "rating"], orient="row")


@SETTINGS
@given(metric_frames())
def test_the_kerr_table_shows_nothing_computed_from_a_hidden_count(generated):
    metrics, ratings = generated
    table = kerr_by_rating(metrics, ratings)
    trusts = Counter(ratings["rating"].to_list())
    for row in table.iter_rows(named=True):
        assert row["trusts"] == trusts[row["rating"]]
        for display in (row["count"], row["of"]):
            value = None if display is None else shown(display)
            assert value is None or (value % 5 == 0 and not 1 <= value <= 7)
        assert row["suppressed"] == (row["count"] == "*")
        if row["suppressed"]:
            assert row["mean"] is row["ci_low"] is row["ci_high"] is row["median"] is None
        if row["ci_low"] is not None:
            assert row["ci_low"] >= 0
