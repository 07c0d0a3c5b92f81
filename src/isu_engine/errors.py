"""Errors a user can fix, and the exit codes of every command (DESIGN §5)."""

from __future__ import annotations

import re
from pathlib import Path

from isu_engine.i18n import DEFAULT_LANGUAGE, Message, t

EXIT_OK = 0
EXIT_FINISHED_WITH_PROBLEMS = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3  # a bug in the engine or a plugin: one line, the traceback only with --debug
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


class UserError(Exception):
    """A problem in the user's files or command: printed as one line, exit code 2.

    `key` names a message in the catalogue; `file` and `place` (line, row, column)
    say where the problem is. The words are chosen when the error is shown, in the
    language the caller passes (Swedish unless told otherwise).
    """

    def __init__(self, key: str, *, file: str | Path | None = None, place: str | Message | None = None, **params):
        self.key = key
        self.file = str(file) if file is not None else None
        self.place = place
        self.params = params
        super().__init__(key)

    def problem(self, language: str = DEFAULT_LANGUAGE) -> str:
        return t(self.key, language, **self.params)

    def place_text(self, language: str = DEFAULT_LANGUAGE) -> str | None:
        return self.place.text(language) if isinstance(self.place, Message) else self.place

    def line(self, language: str = DEFAULT_LANGUAGE) -> str:
        """`file:place: problem` on one line, leaving out what is not known (line breaks in values become spaces)."""
        where = ":".join(part for part in (self.file, self.place_text(language)) if part)
        text = f"{where}: {self.problem(language)}" if where else self.problem(language)
        return _LINE_BREAKS.sub(" ", text)

    def __str__(self) -> str:
        return self.line()


def line_place(line: int | None) -> Message | None:
    """The place of a line in a text file (worded when shown)."""
    return Message("place.line", {"line": line}) if line else None


def row_place(row: int, column: str | None = None) -> Message:
    """The place of a row (and optionally a column) in a data file (worded when shown)."""
    if column is None:
        return Message("place.row", {"row": row})
    return Message("place.row_column", {"row": row, "column": column})
