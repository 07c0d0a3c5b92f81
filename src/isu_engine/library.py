"""The engine as a library: the small set of calls other programs (such as `isu serve`) use.

Everything here is a thin function over what the command line already uses — the same config
loader with the same one-line errors, the same validation, the same run and renderers, the same
reflection log. A program that calls the engine through this module gets no second copy of any
analysis, check or template. See docs/library.md.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from isu_engine import __version__
from isu_engine.configure.config import Config, load_config, parse_config
from isu_engine.configure.model import Model
from isu_engine.configure.plugins import Registry, load_registry, plugin_versions
from isu_engine.configure.schema import Document
from isu_engine.configure.yamlio import load_yaml_text
from isu_engine.check.dataset import FILE, ROW, Dataset, issues_summary
from isu_engine.errors import UserError
from isu_engine.analyse.reflection import ENTRY_KEYS, LogEntry, load_log
from isu_engine.protect.identifiers import load_key, pseudonymize
from isu_engine.read.readers import ReadOptions

__all__ = [
    "ENGINE_VERSION",
    "Config",
    "Dataset",
    "LogEntry",
    "Registry",
    "UserError",
    "audit_published",
    "build_run",
    "check_against_model",
    "check_config_text",
    "field_values",
    "issues_summary",
    "load_config",
    "load_key",
    "load_registry",
    "model_of",
    "plugin_versions",
    "propose_mapping",
    "pseudonym",
    "read_reflection_log",
    "reflection_yaml",
    "spreadsheet_safe",
    "summary_lines",
    "valid_rows",
    "validate",
    "validation_files",
    "write_comparison",
    "write_run",
]

ENGINE_VERSION = __version__


def check_config_text(text: str, folder: Path, name: str = "config.yaml") -> Config:
    """Check a config given as text, as if it were the file `folder/name` (paths relative to `folder`).

    The same checks and one-line errors as `isu validate CONFIG`; the errors name `name`.
    """
    raw = load_yaml_text(text, name)
    return parse_config(raw, Document(name), (Path(folder) / name).resolve())


def check_against_model(registry: Registry, config: Config) -> None:
    """Check each dataset's columns, values, own fields and overrides against its model (no data read)."""
    from isu_engine.check.dataset import dataset_model

    for dataset in config.datasets.values():
        dataset_model(registry, config, dataset)


def validate(config: Config, registry: Registry) -> dict[str, Dataset]:
    """Read and validate every dataset of the config (what `isu validate` does)."""
    from isu_engine.commands.run import load_all

    return load_all(config, registry)


def summary_lines(dataset: Dataset, language: str) -> list[str]:
    """The lines `isu validate` prints for a dataset, in `language`."""
    from isu_engine.commands.run import summary_lines as lines

    return lines(dataset, language)


def valid_rows(dataset: Dataset) -> pd.DataFrame:
    """The dataset's valid rows with the model's fields only (no source row numbers or file names)."""
    return dataset.frame.drop(columns=[ROW, FILE], errors="ignore")


def validation_files(datasets: dict[str, Dataset], folder: Path) -> dict[str, bytes]:
    """validation.csv and quarantine-<dataset>.csv, as `isu validate --out` writes them (internal files)."""
    from isu_engine.commands.run import write_validation_files

    return {path.name: path.read_bytes() for path in write_validation_files(datasets, Path(folder))}


def build_run(config: Config, registry: Registry):
    """Every dataset's report and, when `compare:` names two or more, the comparison, on one ledger."""
    from isu_engine.commands.run import build_run as build

    return build(config, registry)


def write_run(run, config: Config, registry: Registry, out: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write the run's reports (and comparison) in `formats` to `out`, with report.json."""
    from isu_engine.commands.run import write_comparison, write_reports

    quiet = io.StringIO()
    written = write_reports(run, config, registry, Path(out), formats, quiet)
    if run.comparison is not None:
        written += write_comparison(run, config, registry, Path(out), formats, quiet)
    return written


def write_comparison(run, config: Config, registry: Registry, out: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write only the run's comparison (comparison.html, .json, … per `formats`) to `out`; nothing when the
    config compares fewer than two datasets. The comparison was protected together with the run's reports."""
    from isu_engine.commands.run import write_comparison as write

    return write(run, config, registry, Path(out), formats, io.StringIO()) if run.comparison is not None else []


def read_reflection_log(config: Config) -> list[LogEntry]:
    """The reflection log the config names (an empty list when the file does not exist)."""
    return load_log(config)


def reflection_yaml(entries: list[dict[str, Any]]) -> str:
    """A reflection log as the YAML file `reflection_log:` names; keys outside the log's own are left out."""
    cleaned = [{key: entry[key] for key in ENTRY_KEYS if entry.get(key) not in (None, "", [])} for entry in entries]
    return yaml.safe_dump(cleaned, allow_unicode=True, sort_keys=False)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula (=, +, -, @ first) made inert, as in validation.csv."""
    from isu_engine.commands.run import inert_cells

    return inert_cells(frame)


def model_of(registry: Registry, name: str) -> Model:
    return registry.model(name)


def pseudonym(identifier: str, key: bytes) -> str:
    """The keyed pseudonym the engine stores for one identifier, written as the unit knows it."""
    return str(pseudonymize(pd.Series([identifier], dtype=object), key).iloc[0])


def propose_mapping(path: Path, model: Model, sheet: str | int | None = None, header_row: int | None = None,
                    shown_name: str | None = None):
    """What `isu inspect` finds in an unknown export and proposes for `model`: sheet, heading row, heading → field,
    value recodings and own variables (an `Inspection`, see read/inspect.py)."""
    from isu_engine.read.inspect import inspect_file

    return inspect_file(Path(path), model, shown_name or Path(path).name,
                        ReadOptions(sheet=sheet, header_row=header_row))


def field_values(config: Config, registry: Registry, dataset: str, fields: list[str]) -> dict[str, pd.Series]:
    """The distinct values of `fields` in the dataset's files as the reader reads them (trimmed, before `values:`
    recodes them), each with the number of rows that hold it, most rows first; a list field counted item by item.

    For the person who declares a field's categories (`categories:`): these are row-level values, never for a
    report or a log. A field the files have no column for is left out.
    """
    from isu_engine.check.coerce import as_text, explode_list
    from isu_engine.check.dataset import dataset_model
    from isu_engine.errors import row_place
    from isu_engine.read.headings import HeadingMatcher
    from isu_engine.read.mapping import map_columns
    from isu_engine.read.readers import read_table

    entry = config.datasets[dataset]
    model = dataset_model(registry, config, entry)
    found: dict[str, list[pd.Series]] = {}
    for path in entry.sources:
        table = read_table(path, entry.read, config.display(path),
                           score_headings=HeadingMatcher(model, entry.columns).row_score)
        positions = map_columns(table.headings, model, entry.columns, table.file, row_place(table.header_row)).positions
        for name in fields:
            if name in positions:
                text = as_text(table.frame[positions[name]]).str.strip()
                if model.fields[name].type == "list":
                    items = explode_list(text[text != ""], model.fields[name].delimiter).str.strip()
                    pairs = pd.DataFrame({"row": items.index, "value": items.to_numpy()}).drop_duplicates()
                    text = pairs["value"]  # an item written twice in one cell counts that row once
                found.setdefault(name, []).append(text[text != ""])
    return {name: pd.concat(parts).value_counts().sort_index().sort_values(ascending=False, kind="stable")
            .rename("rows")
            for name, parts in found.items()}


def audit_published(out_dirs: list[Path]) -> list:
    """Check a unit's published runs together, as `isu audit OUT [OUT …]` does: what a reader of all of them
    could pin or bound inside 1…min_cell−1. An empty list: nothing.

    This is the one call site for the audit. Folders that hold no run's output, or figures that contradict
    each other, raise (`NotARun`, `Inconsistent`): publishing then stops rather than going ahead unaudited.
    """
    from isu_engine.protect.audit import audit

    findings, _ = audit([Path(d) for d in out_dirs])
    return findings



def what_stood_out(report) -> list[dict[str, str]]:
    """The report's reflection questions with the observation behind each (figures as the report shows them)."""
    from isu_engine.render.formatting import format_cell

    language, min_cell = report.meta.language, report.meta.min_cell
    found = []
    for section in report.sections:
        for question in section.all_questions():
            observation = question.observation.fill(lambda cell: format_cell(cell, language, min_cell)) \
                if question.observation is not None else ""
            found.append({"section": section.title, "question": question.text, "observation": observation})
    return found


def figure_labels(report) -> dict[str, str]:
    """The report's key figures by report.json id, with their labels (what a decision can follow up)."""
    return {figure_id: figure.label for figure_id, figure in report.figures().items()}


def write_demo_data(registry: Registry, folder: Path) -> Path:
    """The synthetic demo data, its config and last year's reflection log (what `isu demo` writes to data/)."""
    from isu_engine.commands.demo import write_demo_config

    Path(folder).mkdir(parents=True, exist_ok=True)
    return write_demo_config(registry, Path(folder))
