"""Errors raised on a Spark worker, brought back to the driver as the user errors they are.

A kernel's :class:`~candour.exceptions.DataFileError` or :class:`OptionError` raised on a worker
reaches the driver inside Spark's own exception, its message buried in a Python and a Java stack
trace. :func:`user_errors` finds the message and raises it as a :class:`WorkerError` (a
:class:`~candour.exceptions.UserError`: the CLI prints it and exits with status 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from candour.exceptions import UserError

# The last line of the worker's Python traceback: "candour.exceptions.DataFileError: <message>".
RAISED = re.compile(r"candour\.exceptions\.(\w+): ")


class WorkerError(UserError):
    """A user error (bad data or option) raised on a Spark worker, with its message as the
    worker wrote it. ``kind`` is the original class name, e.g. ``DataFileError``."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


def worker_error(error: BaseException) -> WorkerError | None:
    """The Candour user error reported inside ``error`` (from a Spark action), if any."""
    text = str(error)
    found = list(RAISED.finditer(text))
    if not found:
        return None
    last = found[-1]
    lines = text[last.end() :].splitlines()
    message = [lines[0]] if lines else [""]
    message += list(takewhile_indented(lines[1:]))
    return WorkerError(last.group(1), "\n".join(message).rstrip())


def takewhile_indented(lines: list[str]) -> Iterator[str]:
    """A DataFileError's problem lines: each indented by two spaces (a stack trace by a tab)."""
    for line in lines:
        if not line.startswith("  ") or line.strip().startswith("at "):
            return
        yield line


@contextmanager
def user_errors() -> Iterator[None]:
    """Run Spark actions (``.write``, ``.count``, ``.collect``) inside this to get a worker's
    data or option error as a :class:`WorkerError` instead of Spark's exception."""
    try:
        yield
    except Exception as error:
        found = worker_error(error)
        if found is None:
            raise
        raise found from None
