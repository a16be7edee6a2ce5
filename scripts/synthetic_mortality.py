"""Write a synthetic national mortality extract (labelled synthetic everywhere) for trying
``candour cusum``: see candour.analytics.cusum.synthetic and docs/reference/cusum.md.

Usage: .venv/bin/python scripts/synthetic_mortality.py OUTDIR [--trusts 40] [--planted 4]
       [--years 3] [--seed 20260101]

Writes OUTDIR/synthetic_patients.csv (trust, group, date, outcome, risk, score, synthetic),
OUTDIR/synthetic_shmi_monthly.csv (NHS Digital SHMI layout, one row per trust, group and month),
OUTDIR/synthetic_planted.csv (which series had their odds doubled, and from when) and
OUTDIR/README.txt describing the data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from candour.analytics.cusum.synthetic import (
    GROUPS,
    SYNTHETIC_NOTE,
    monthly_observed_expected,
    synthetic_nation,
)

README = """{note}

Made by scripts/synthetic_mortality.py (seed {seed}; {trusts} trusts; {years:g} years; {planted}
planted series). The model is documented in docs/reference/cusum.md: Parsonnet-like scores,
p = logistic(-3.68 + group offset + 0.077 score), outcomes Bernoulli(p), except that the planted
series have their odds of death doubled from {change}.

synthetic_patients.csv      one row per (synthetic) patient: trust, group, date, outcome, risk
synthetic_shmi_monthly.csv  observed/expected deaths per trust, group and month (SHMI layout)
synthetic_planted.csv       the planted series: the answer the charts should find
Groups: {groups}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--trusts", type=int, default=40)
    parser.add_argument("--planted", type=int, default=4)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    nation = synthetic_nation(
        trusts=args.trusts, planted=args.planted, years=args.years, seed=args.seed
    )
    args.outdir.mkdir(parents=True, exist_ok=True)
    nation.patients.write_csv(args.outdir / "synthetic_patients.csv")
    monthly_observed_expected(nation.patients).write_csv(args.outdir / "synthetic_shmi_monthly.csv")
    nation.planted_frame().write_csv(args.outdir / "synthetic_planted.csv")
    (args.outdir / "README.txt").write_text(
        README.format(
            note=SYNTHETIC_NOTE,
            seed=args.seed,
            trusts=args.trusts,
            years=args.years,
            planted=args.planted,
            change=nation.planted[0].change if nation.planted else "-",
            groups=", ".join(g for g, _, _ in GROUPS),
        ),
        encoding="utf-8",
    )
    print(f"wrote {nation.patients.height} synthetic patients to {args.outdir}")


if __name__ == "__main__":
    main()
