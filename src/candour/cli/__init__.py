"""The ``candour`` command. ``main(argv)`` is callable from tests and returns the exit code.

Each sub-command lives in its own module with ``register(subparsers)``; that function adds its
parser and sets ``handler`` to a callable taking the parsed arguments and returning an exit code.
User errors (:class:`candour.exceptions.UserError`) become a message on stderr and their exit code;
anything else is a bug and raises.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from candour import __version__
from candour.exceptions import UserError

# Sub-command modules, in the order `candour --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "candour.cli.importing",
    "candour.cli.targets",
    "candour.cli.audit",
    "candour.cli.demo",
    "candour.cli.assess",
    "candour.cli.boardpack",
    "candour.cli.charts",
    "candour.cli.backtest",
    "candour.cli.spc",
    "candour.cli.cusum",
    "candour.cli.mortality",
    "candour.cli.speakup",
    "candour.cli.leadership",
    "candour.cli.requests",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="candour",
        description="Candour: open-source oversight for NHS organisations.",
    )
    parser.add_argument("--version", action="version", version=f"candour {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"candour {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped to a reader that stopped early (| head): not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
