"""Write docs/reference/cli.md from the CLI's own help text (a test checks it is current).

Usage: .venv/bin/python scripts/cli_docs.py
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from candour.cli import build_parser

DOC = Path(__file__).resolve().parents[1] / "docs" / "reference" / "cli.md"
HEADER = """# Command-line reference

Generated from `candour --help` by `scripts/cli_docs.py`; `tests/unit/cli/test_cli_docs.py` fails
if this file and the help text differ. Every command exits 0 on success and 2 on a user error
(bad file or option), printing what was wrong and where.
"""


def _subcommands(parser: argparse.ArgumentParser, prefix: str):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subcommands(sub, f"{prefix} {name}")


def render() -> str:
    os.environ["COLUMNS"] = "100"
    parts = [HEADER]
    for name, parser in _subcommands(build_parser(), "candour"):
        parts.append(f"\n## `{name}`\n\n```text\n{parser.format_help().rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
