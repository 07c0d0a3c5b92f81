"""`isu audit OUT [OUT …]`: list every hidden cell a reader of the published files can pin (DESIGN §5)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from isu_engine.errors import EXIT_FINISHED_WITH_PROBLEMS, EXIT_OK, UserError
from isu_engine.i18n import t
from isu_engine.protect.audit import Inconsistent, NotARun, audit


def audit_runs(folders: list[Path], min_cell: int | None, stream: TextIO, language: str) -> int:
    """Exit 0 when nothing can be pinned, 1 when something can, 2 (a user error) when OUT is not a run's output."""
    try:
        findings, used = audit(folders, min_cell)
    except NotARun as error:
        raise UserError("audit.not_a_run", path=str(error)) from None
    except Inconsistent:
        stream.write(t("audit.inconsistent", language) + "\n")
        return EXIT_FINISHED_WITH_PROBLEMS
    for finding in findings:
        stream.write(t("audit.finding", language, line=finding.line()) + "\n")
    stream.write(t("audit.summary" if findings else "audit.nothing", language, n=len(findings), min_cell=used,
                   most=used - 1, runs=len(folders)) + "\n")
    return EXIT_FINISHED_WITH_PROBLEMS if findings else EXIT_OK
