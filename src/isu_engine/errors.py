"""Errors a user can fix, and the exit codes of every command (DESIGN §5)."""

from __future__ import annotations

import re
from pathlib import Path

from isu_engine.i18n import t

EXIT_OK = 0
EXIT_FINISHED_WITH_PROBLEMS = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3  # a bug in the engine or a plugin: one line, the traceback only with --debug
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


class UserError(Exception):
    """A problem in the user's files or command: printed as one line, exit code 2.

    `key` names a message in the catalogue; `file` and `place` (line, row, column)
    say where the problem is.
    """

    def __init__(self, key: str, *, file: str | Path | None = None, place: str | None = None, **params):
        self.key = key
        self.file = str(file) if file is not None else None
        self.place = place
        self.params = params
        super().__init__(self.line())

    def problem(self) -> str:
        return t(self.key, **self.params)

    def line(self) -> str:
        """`file:place: problem` on one line, leaving out what is not known (line breaks in values become spaces)."""
        where = ":".join(part for part in (self.file, self.place) if part)
        text = f"{where}: {self.problem()}" if where else self.problem()
        return _LINE_BREAKS.sub(" ", text)

    def __str__(self) -> str:
        return self.line()


def line_place(line: int | None) -> str | None:
    """The place string for a line number in a text file."""
    return t("place.line", line=line) if line else None


def row_place(row: int, column: str | None = None) -> str:
    """The place string for a row (and optionally a column) in a data file."""
    if column is None:
        return t("place.row", row=row)
    return t("place.row_column", row=row, column=column)
