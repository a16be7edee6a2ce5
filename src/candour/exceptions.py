"""Every error a user can cause, and the exit code each maps to.

A user's mistake (bad file, bad option) raises a subclass of :class:`UserError`; the CLI prints its
message without a traceback and exits with :attr:`UserError.exit_code`. Anything else is a bug and
is allowed to raise.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_USER_ERROR = 2  # as argparse does for bad usage


class CandourError(Exception):
    """Base class for errors raised deliberately by Candour."""


class UserError(CandourError):
    """The user gave input Candour cannot use. The message says what was expected."""

    exit_code = EXIT_USER_ERROR


class ConfigurationError(UserError):
    """A setting a command needs is missing or malformed (a key, a path). Names the setting."""


class OptionError(UserError):
    """An option (keyword argument or CLI flag) is invalid on its own or against the data."""


class ImportRefused(UserError):
    """A valid file whose import would change stored data in a way that needs confirming (or
    that Candour does not allow), so nothing was imported."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    message: str
    # A file's rows are numbered as a spreadsheet shows them (the header is row 1); a frame's
    # rows from 1.
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.message


class DataFileError(UserError):
    """A data file failed validation. Carries every problem found (up to a limit)."""

    def __init__(
        self,
        path: str,
        problems: list[Problem],
        *,
        consequence: str = "",
        rows_in_file: bool = False,
    ):
        self.path = str(path)
        self.problems = list(problems)
        self.consequence = consequence
        # True when the rows are already numbered as in the file (the reader found them).
        self.rows_in_file = rows_in_file
        super().__init__(self._render())

    def in_file(self, *, header_rows: int = 1, consequence: str = "") -> DataFileError:
        """The same problems with frame rows (first data row = 1) renumbered as a spreadsheet
        shows the file they were read from (the header is row 1)."""
        if self.rows_in_file:
            return self.with_consequence(consequence or self.consequence)
        shifted = [
            Problem(p.message, row=None if p.row is None else p.row + header_rows, column=p.column)
            for p in self.problems
        ]
        return DataFileError(
            self.path, shifted, consequence=consequence or self.consequence, rows_in_file=True
        )

    def with_consequence(self, consequence: str) -> DataFileError:
        """The same problems, saying what followed from them (e.g. "nothing was imported")."""
        return DataFileError(
            self.path, self.problems, consequence=consequence, rows_in_file=self.rows_in_file
        )

    def _render(self) -> str:
        ending = f"; {self.consequence}." if self.consequence else "."
        lines = [f"{self.path}: {len(self.problems)} problem(s) found{ending}"]
        shown = self.problems[:20]
        lines += [f"  {self.path}, {p.describe()}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)
