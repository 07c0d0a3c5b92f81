"""`isu inspect FILE [--model M] [--out CONFIG]`: print what the reader detects, write a starting config."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

import pandas as pd

from isu_engine.configure.plugins import Registry
from isu_engine.i18n import t
from isu_engine.protect.identifiers import personal_number_mask
from isu_engine.read.inspect import Inspection, inspect_file
from isu_engine.render import atomic


def run_inspect(registry: Registry | None, file: Path, model_name: str | None, out: Path | None, stream: TextIO,
                language: str) -> int:
    """Inspect `file` (against the model when named), print the findings, and write the config to `out`."""
    inspection = inspect_file(file, model_name, display_name=str(file), registry=registry)
    for line in report_lines(inspection, language):
        stream.write(line + "\n")
    if out is not None:
        source = Path(os.path.relpath(Path(file).resolve(), Path(out).resolve().parent)).as_posix()
        extra = {"allow_outside_paths": True} if source.startswith("../") else {}
        atomic.write_text(out, inspection.config_yaml(_dataset_name(file), source, extra, language))
        stream.write(t("inspect.wrote", language, path=out) + "\n")
    return 0


def report_lines(inspection: Inspection, language: str) -> list[str]:
    """What was detected and proposed, as lines for a terminal (values only of categorical columns)."""
    shown = {None: "–", "\t": "tab"}
    lines = [t("inspect.file", language, file=inspection.file, kind=inspection.kind, rows=inspection.rows)]
    if inspection.kind == "csv":
        lines.append(t("inspect.text", language, encoding=inspection.encoding,
                       delimiter=shown.get(inspection.delimiter, inspection.delimiter),
                       decimal=inspection.decimal))
    if inspection.sheet:
        lines.append(t("inspect.sheet", language, sheet=inspection.sheet, row=inspection.header_row))
    else:
        lines.append(t("inspect.heading_row", language, row=inspection.header_row))
    lines.append(t("inspect.headings", language))
    for column in inspection.columns:
        heading = column.heading or t("inspect.no_heading", language, number=column.position + 1)
        if column.kind == "model":
            sure = (t("inspect.certain", language) if column.confidence >= 1
                    else t("inspect.likely", language, percent=round(100 * column.confidence)))
            lines.append(t("inspect.to_field", language, heading=heading, field=column.field, type=column.type,
                           sure=sure))
        elif column.kind == "own":
            lines.append(t("inspect.to_own", language, heading=heading, field=column.field, type=column.type))
        else:
            lines.append(t(f"inspect.left_out_{column.kind}", language, heading=heading))
        for value in column.values:
            if column.kind == "model" and value.needs_recoding:
                target = value.category if value.category is not None else t("inspect.no_proposal", language)
                lines.append(t("inspect.value_recoded", language, value=value.value, rows=value.rows, category=target))
            elif column.kind == "model":
                lines.append(t("inspect.value_kept", language, value=value.value, rows=value.rows))
    if inspection.missing_required:
        lines.append(t("inspect.missing_required", language, fields=", ".join(inspection.missing_required)))
    return lines


def _dataset_name(file: Path) -> str:
    """A dataset name from the file name: lower case letters, digits and _."""
    stem = Path(file).stem
    if personal_number_mask(pd.Series([stem])).any():
        return "data"
    return "".join(char if char.isalnum() else "_" for char in stem.casefold()).strip("_") or "data"
