"""``candour mortality``: the monitoring job that turns O/E CUSUM signals into alerts, and a
synthetic SHMI-layout file for the demo; and the import behind ``candour import shmi_monthly
FILE``.

Mirrors :func:`candour.web.mortality.job.run` (``run``),
:func:`candour.analytics.cusum.synthetic.synthetic_trust_months` (``synthetic``) and
:func:`candour.web.mortality.imports.import_monthly_deaths` (``candour import shmi_monthly``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from candour.cli.django_setup import setup_django
from candour.exceptions import DataFileError, OptionError

DATASET = "shmi_monthly"
IMPORT_ACTOR = "system:candour-import"
JOB_ACTOR = "system:candour-mortality"
SYNTHETIC_SEED = 20260101  # the synthetic generator's default (candour.analytics.cusum.synthetic)
SYNTHETIC_YEARS = 3
WRITERS = (".csv", ".parquet")
ACUTE = "Acute"  # the ODS reference's type of the trusts SHMI covers
EXIT_NOT_RAISED = 3  # signals that no one could be made to own: the job must not pass quietly


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "mortality",
        help="turn O/E CUSUM signals on monthly deaths into alerts the trusts must answer",
        description=(
            "Mortality alerts. Load observed and expected deaths per trust, diagnosis group and "
            "month with 'candour import shmi_monthly FILE' (NHS Digital's SHMI layout), then run "
            "the monitoring job daily and after each import."
        ),
    )
    actions = parser.add_subparsers(dest="mortality_command", metavar="ACTION", required=True)
    job = actions.add_parser(
        "run",
        help="chart every stored series, raise alerts, escalate missed deadlines",
        description=(
            "Chart every stored series (trust and diagnosis group) with the O/E CUSUM, each "
            "threshold designed for MORTALITY_ALERTS['false_alarm_rate'] per series-year; raise "
            "an alert (a concern owned at the trust, due for a response in "
            "MORTALITY_ALERTS['response_days']) for each new signal; escalate every alert whose "
            "response is overdue; flag alerts seen MORTALITY_ALERTS['seen_without_response'] "
            "times without a response. Run it daily and after each import. Exits with status "
            f"{EXIT_NOT_RAISED} if a signal could not be raised because nobody may own it "
            "(grant a board member for the trust, or regional oversight, and run it again)."
        ),
    )
    job.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_date,
        help="the day the job runs as (default: today): deadlines are counted from it",
    )
    job.set_defaults(handler=run_job)

    synthetic = actions.add_parser(
        "synthetic",
        help="write a SYNTHETIC SHMI-layout file for trusts in the database (for the demo)",
        description=(
            "Write observed and expected deaths per trust, diagnosis group and month in the SHMI "
            "layout, made by the synthetic generator (docs/reference/cusum.md; every row marked "
            "SYNTHETIC, shown as synthetic wherever it appears) for the open trusts of a region "
            f"or the trusts named, over the {SYNTHETIC_YEARS} years to the last complete month. "
            "The planted series have their odds of death doubled from half-way. The same "
            "arguments and month give the same file."
        ),
    )
    synthetic.add_argument("file", metavar="FILE", help="where to write it (.csv or .parquet)")
    whom = synthetic.add_mutually_exclusive_group(required=True)
    whom.add_argument("--region", metavar="CODE", help="the open acute trusts of this region (Y63)")
    whom.add_argument("--trusts", nargs="+", metavar="CODE", help="these trusts' ODS codes")
    synthetic.add_argument(
        "--plant",
        nargs="*",
        default=[],
        metavar="CODE=GROUP",
        help="series to plant a doubling of odds in, e.g. R0B=Pneumonia",
    )
    synthetic.add_argument(
        "--last-month",
        metavar="YYYY-MM",
        type=_month,
        help="the last month of data (default: the last complete month)",
    )
    synthetic.add_argument(
        "--seed", type=int, default=SYNTHETIC_SEED, help=f"random seed (default {SYNTHETIC_SEED})"
    )
    synthetic.set_defaults(handler=run_synthetic)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from exc


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, not {text!r}") from exc


# --- candour import shmi_monthly FILE -----------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    """Check the file, then store it (or with ``--dry-run`` say what storing it would do)."""
    if not args.file:
        raise OptionError(f"{DATASET} needs a FILE: there is no bundled monthly deaths file")
    setup_django()
    from candour.web.mortality import imports

    try:
        imported = imports.load(args.file)
        if args.dry_run:
            summary = imports.plan_import(imported=imported)
        else:
            summary = imports.import_monthly_deaths(
                imported=imported, by=IMPORT_ACTOR, allow_shrink=args.allow_shrink
            )
    except DataFileError as error:
        raise error.with_consequence("nothing was imported") from error
    print(_describe(summary, imports.shrink_problems(summary)))
    if not summary.dry_run:
        print("Run 'candour mortality run' to chart it and raise alerts.")
    return 0


def _describe(summary, problems: list[str]) -> str:
    synthetic = f", {summary.synthetic_rows} SYNTHETIC" if summary.synthetic_rows else ""
    line = (
        f"{summary.dataset}: {summary.rows} rows{synthetic} for {summary.organisations} "
        f"organisations ({summary.created} new, {summary.replaced} replaced, {summary.removed} "
        "removed)"
    )
    if not summary.dry_run:
        return line
    verdict = (
        "would stop without --allow-shrink: " + "; and ".join(problems)
        if problems
        else "would import"
    )
    return f"dry run, nothing stored: {line}; {verdict}"


# --- candour mortality run ----------------------------------------------------------------------


def run_job(args: argparse.Namespace) -> int:
    setup_django()
    from candour.web.mortality import job

    summary = job.run(by=JOB_ACTOR, today=args.as_of)
    done = summary.run
    synthetic = f" ({done.synthetic_series} on SYNTHETIC data)" if done.synthetic_series else ""
    print(
        f"mortality: {done.series} series monitored{synthetic}; thresholds set for "
        f"{done.false_alarm_rate:g} false alarms per series-year, so about "
        f"{done.expected_false_alarms_per_year:.2g} false alarms a year are expected by chance."
    )
    print(
        f"{done.signals} signals: {done.raised} new alerts, {done.signalled_again} open alerts "
        f"signalled again; {done.escalated} escalated (response overdue); {done.flagged} "
        "flagged (seen without response)."
    )
    for alert in summary.raised:
        print(f"  raised: {alert.organisation_id} {alert.group}: {alert.sentence}")
    for line in summary.unmonitored:
        print(f"  not monitored: {line}", file=sys.stderr)
    if summary.not_raised:
        print(
            "candour mortality run: no one may own an alert for "
            + ", ".join(summary.not_raised)
            + ": grant a board member for the trust (or regional oversight) and run it again.",
            file=sys.stderr,
        )
        return EXIT_NOT_RAISED
    return 0


# --- candour mortality synthetic FILE -----------------------------------------------------------


def _plant(pairs: list[str]) -> list[tuple[str, str]]:
    planted = []
    for pair in pairs:
        code, _, group = pair.partition("=")
        if not code or not group:
            raise OptionError(f"--plant takes CODE=GROUP (e.g. R0B=Pneumonia), not {pair!r}")
        planted.append((code.strip().upper(), group.strip()))
    return planted


def _last_complete_month(today: dt.date) -> dt.date:
    from candour.analytics.cusum.synthetic import months_before

    return months_before(today.replace(day=1), 1)


def run_synthetic(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.suffix.lower() not in WRITERS:
        raise OptionError(f"FILE must end in {' or '.join(WRITERS)}, not {path.suffix!r}")
    setup_django()
    from django.utils import timezone

    from candour.analytics.cusum.synthetic import synthetic_trust_months
    from candour.web.oversight.models import Organisation

    trusts = Organisation.objects.filter(close_date__isnull=True, successor__isnull=True)
    if args.region:  # SHMI covers acute trusts (NHS Digital SHMI methodology)
        trusts = trusts.filter(region_code=args.region.upper(), org_type=ACUTE)
    else:
        codes = [code.upper() for code in args.trusts]
        trusts = trusts.filter(pk__in=codes)
        missing = sorted(set(codes) - set(trusts.values_list("pk", flat=True)))
        if missing:
            raise OptionError(f"not open organisations in the database: {', '.join(missing)}")
    names = dict(trusts.order_by("pk").values_list("pk", "name"))
    if not names:
        raise OptionError("no open organisations match: run 'candour import all' first")
    last = args.last_month or _last_complete_month(timezone.localdate())
    monthly, nation = synthetic_trust_months(
        names, plant=_plant(args.plant), last_month=last, years=SYNTHETIC_YEARS, seed=args.seed
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        monthly.write_csv(path)
    else:
        monthly.write_parquet(path)
    planted = ", ".join(f"{p.trust} {p.group} from {p.change:%B %Y}" for p in nation.planted)
    print(
        f"wrote SYNTHETIC observed and expected deaths for {len(names)} trusts ({monthly.height} "
        f"rows, {monthly['MONTH'].min()} to {monthly['MONTH'].max()}, seed {args.seed}) to "
        f"{path}; odds doubled in: {planted or 'no series'}"
    )
    return 0
