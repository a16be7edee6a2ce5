"""docs/reference/cli.md is the CLI's help text, so the docs cannot drift from the code."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "cli_docs.py"


def load_script():
    spec = importlib.util.spec_from_file_location("cli_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_matches_help_text():
    cli_docs = load_script()
    assert cli_docs.DOC.read_text(encoding="utf-8") == cli_docs.render(), (
        "docs/reference/cli.md is out of date: run .venv/bin/python scripts/cli_docs.py"
    )


def test_every_command_is_documented():
    cli_docs = load_script()
    text = cli_docs.DOC.read_text(encoding="utf-8")
    for name, _parser in cli_docs._subcommands(cli_docs.build_parser(), "candour"):
        assert f"## `{name}`" in text
