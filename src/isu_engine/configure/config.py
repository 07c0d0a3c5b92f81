"""A municipality's config file (DESIGN §4): checked key by key, paths resolved.

Only `datasets` (each with `model` and `source`) is required. Unknown keys are
errors that name the file, the line and the nearest known key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import glob
import hashlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isu_engine.configure.model import Field, parse_fields
from isu_engine.read.options import ReadOptions
from isu_engine.configure.schema import Document, display_path
from isu_engine.configure.yamlio import load_yaml_file

TOP_KEYS = (
    "municipality", "unit", "period", "period_step", "language", "disclosure", "groups", "age_bands",
    "internal", "plugins_dirs", "templates_dir", "reflection_log", "pseudonymize", "datasets", "compare",
    "allow_outside_paths",
)
DATASET_KEYS = ("model", "source", "read", "columns", "values", "categories", "fields", "title", "parameters",
                "scales", "period")
READ_KEYS = ("sheet", "header_row", "header_rows", "encoding", "delimiter", "decimal", "missing_values")
DEFAULT_AGE_BANDS = ((0, 5), (6, 12), (13, 17), (18, 120))
DEFAULT_REFLECTION_LOG = "reflektion.yaml"
DEFAULT_KEY_ENV = "ISU_PSEUDONYM_KEY"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    explicit: bool = True

    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class GroupSettings:
    min_group: int = 20
    min_difference: float = 10.0
    max_q: float = 0.05


@dataclass(frozen=True)
class Pseudonymize:
    columns: tuple[str, ...] = ()
    key_env: str = DEFAULT_KEY_ENV
    key_file: Path | None = None


@dataclass
class DatasetConfig:
    name: str
    title: str
    model: str
    sources: list[Path]
    read: ReadOptions = field(default_factory=ReadOptions)
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, Any] = field(default_factory=dict)   # field -> the unit's own categories (parsed on load)
    fields: list[Field] = field(default_factory=list)
    model_keys: dict = field(default_factory=dict)  # keys for the model to check (LOKE's `idea:`), as written
    parameters: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    missing_values: tuple[str, ...] = ()
    period: Period | None = None
    raw: Any = None
    skipped_sources: list[Path] = field(default_factory=list)  # owner and lock files a glob matched


@dataclass
class Config:
    path: Path
    doc: Document
    datasets: dict[str, DatasetConfig]
    municipality: str = ""
    unit: str = ""
    period: Period | None = None
    period_step: str = "quarter"
    language: str = "sv"
    min_cell: int = 5
    min_quantile_n: int = 10
    all_or_none: bool = False
    groups: GroupSettings = field(default_factory=GroupSettings)
    age_bands: tuple[tuple[int, int], ...] = DEFAULT_AGE_BANDS
    internal: bool = False
    plugins_dirs: list[Path] = field(default_factory=list)
    templates_dir: Path | None = None
    reflection_log: Path | None = None
    pseudonymize: Pseudonymize = field(default_factory=Pseudonymize)
    compare: list[str] = field(default_factory=list)
    allow_outside_paths: bool = False
    raw: Any = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def display(self, path: Path) -> str:
        """A data or template path as written relative to the config's folder."""
        return display_path(path, self.folder)


def load_config(path: Path) -> Config:
    """Read and check a config file; every problem is a one-line UserError."""
    path = Path(path)
    shown = display_path(path)
    raw = load_yaml_file(path, shown)
    return parse_config(raw, Document(shown), path.resolve())


def parse_config(raw: Any, doc: Document, path: Path) -> Config:
    raw = doc.mapping(raw, "config")
    doc.known_keys(raw, TOP_KEYS, "config")
    datasets_raw = doc.mapping(doc.required(raw, "datasets", "config"), "datasets", raw, "datasets")
    if not datasets_raw:
        raise doc.error("config.no_datasets", raw, "datasets")
    config = Config(path=path, doc=doc, datasets={}, raw=raw)
    config.allow_outside_paths = doc.boolean(raw, "allow_outside_paths", "config")
    config.municipality = doc.text(raw, "municipality", "config", "") or ""
    config.unit = doc.text(raw, "unit", "config", "") or ""
    config.period = _period(raw, doc)
    config.period_step = doc.choice(raw, "period_step", ("month", "quarter", "none"), "config", "quarter")
    config.language = doc.choice(raw, "language", ("sv", "en"), "config", "sv")
    disclosure = doc.mapping(raw.get("disclosure"), "disclosure", raw, "disclosure")
    doc.known_keys(disclosure, ("min_cell", "min_quantile_n", "all_or_none"), "disclosure")
    config.min_cell = _whole(doc, disclosure, "min_cell", "disclosure", 5, minimum=1)
    config.min_quantile_n = _whole(doc, disclosure, "min_quantile_n", "disclosure", 10, minimum=1)
    config.all_or_none = doc.boolean(disclosure, "all_or_none", "disclosure")
    groups = doc.mapping(raw.get("groups"), "groups", raw, "groups")
    doc.known_keys(groups, ("min_group", "min_difference", "max_q"), "groups")
    config.groups = GroupSettings(
        min_group=_whole(doc, groups, "min_group", "groups", 20, minimum=1),
        min_difference=float(doc.number(groups, "min_difference", "groups", 10.0)),
        max_q=float(doc.number(groups, "max_q", "groups", 0.05)),
    )
    config.age_bands = _age_bands(raw, doc)
    config.internal = doc.boolean(raw, "internal", "config")
    config.plugins_dirs = [config_path(config, item, raw.get("plugins_dirs"), i)
                           for i, item in enumerate(doc.sequence(raw.get("plugins_dirs"), "plugins_dirs", raw,
                                                                 "plugins_dirs"))]
    for index, folder in enumerate(config.plugins_dirs):
        _no_links_outside(config, folder, raw.get("plugins_dirs"), index)
    templates = doc.text(raw, "templates_dir", "config")
    config.templates_dir = config_path(config, templates, raw, "templates_dir") if templates else None
    if config.templates_dir is not None:
        _no_links_outside(config, config.templates_dir, raw, "templates_dir")
    reflection = doc.text(raw, "reflection_log", "config") if raw.get("reflection_log") is not None else None
    if "reflection_log" not in raw:
        reflection = DEFAULT_REFLECTION_LOG
    config.reflection_log = config_path(config, reflection, raw, "reflection_log") if reflection else None
    config.pseudonymize = _pseudonymize(raw, doc, config)
    for name, value in datasets_raw.items():
        config.datasets[str(name)] = _dataset(str(name), value, datasets_raw, doc, config)
    compare = doc.sequence(raw.get("compare"), "compare", raw, "compare")
    for index, name in enumerate(compare):
        if isinstance(name, (list, dict)) or str(name) not in config.datasets:
            raise doc.error("config.unknown_dataset", compare, index, name=name, known=", ".join(config.datasets))
    config.compare = [str(name) for name in compare] if compare else list(config.datasets)
    return config


def _whole(doc: Document, mapping: dict, key: str, where: str, default: int, minimum: int) -> int:
    value = mapping.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise doc.error("config.bad_whole", mapping, key, name=key, where=where, minimum=minimum, value=value)
    return value


def parse_date(value: Any, doc: Document, container: Any, key: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise doc.error("config.bad_date", container, key, value=value) from None


def _categories(doc: Document, raw: dict, where: str) -> dict[str, Any]:
    """`categories:` — the unit's own categories for model fields that declare none (its interventions,
    methods, referral sources, units), so that they can be tabulated: a report never shows a field's
    observed values. Each entry is a list like a model field's `categories`."""
    from isu_engine.configure.model import parse_categories

    given = doc.mapping(raw.get("categories"), f"{where}.categories", raw, "categories")
    return {str(name): parse_categories({"categories": items}, doc, f"{where}.categories.{name}")
            for name, items in given.items()}


def _period(raw: dict, doc: Document) -> Period | None:
    if raw.get("period") is None:
        return None
    period = doc.mapping(raw["period"], "period", raw, "period")
    doc.known_keys(period, ("start", "end"), "period")
    start = parse_date(doc.required(period, "start", "period"), doc, period, "start")
    end = parse_date(doc.required(period, "end", "period"), doc, period, "end")
    if end < start:
        raise doc.error("config.period_order", period, "end")
    return Period(start, end)


def _age_bands(raw: dict, doc: Document) -> tuple[tuple[int, int], ...]:
    if raw.get("age_bands") is None:
        return DEFAULT_AGE_BANDS
    items = doc.sequence(raw["age_bands"], "age_bands", raw, "age_bands")
    bands = []
    for index, item in enumerate(items):
        if (not isinstance(item, list) or len(item) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in item) or item[0] > item[1]):
            raise doc.error("config.bad_age_band", items, index)
        bands.append((item[0], item[1]))
    ordered = sorted(bands)
    if any(a[1] >= b[0] for a, b in itertools.pairwise(ordered)):
        raise doc.error("config.overlapping_age_bands", raw, "age_bands")
    return tuple(bands)


def _pseudonymize(raw: dict, doc: Document, config: Config) -> Pseudonymize:
    value = doc.mapping(raw.get("pseudonymize"), "pseudonymize", raw, "pseudonymize")
    doc.known_keys(value, ("columns", "key_env", "key_file"), "pseudonymize")
    columns = tuple(str(c) for c in doc.sequence(value.get("columns"), "pseudonymize.columns", value, "columns"))
    key_file = doc.text(value, "key_file", "pseudonymize")
    return Pseudonymize(
        columns=columns,
        key_env=doc.text(value, "key_env", "pseudonymize", DEFAULT_KEY_ENV),
        key_file=(config.folder / key_file).resolve() if key_file else None,
    )


def config_path(config: Config, value: Any, container: Any, key: Any) -> Path:
    """A path from the config, relative to its folder; outside it only when allowed."""
    if not isinstance(value, str) or not value.strip():
        raise config.doc.error("config.bad_path", container, key)
    path = (config.folder / value).resolve()
    if not config.allow_outside_paths and not path.is_relative_to(config.folder):
        raise config.doc.error("config.outside_folder", container, key, path=value)
    return path


def _no_links_outside(config: Config, folder: Path, container: Any, key: Any) -> None:
    """No file or folder under `folder` may be a link that leads outside the config's folder, unless allowed."""
    if config.allow_outside_paths or not folder.is_dir():
        return
    for root, folders, files in os.walk(folder):
        for name in (*folders, *files):
            path = Path(root, name)
            if not path.resolve().is_relative_to(config.folder):
                raise config.doc.error("config.link_outside", container, key,
                                       path=str(path.relative_to(config.folder)))


def _refuse_near_misses(raw: dict, doc: Document, where: str) -> None:
    """A key the engine does not know that looks like one it does (`sourse:`) is an error at once.

    Every other unknown key is left for the dataset's model, which may declare it (LOKE's
    `idea:`); when it does not, that check names the file and line too.
    """
    for key in raw:
        close = [] if key in DATASET_KEYS else difflib.get_close_matches(str(key), DATASET_KEYS, n=1, cutoff=0.8)
        if close:
            raise doc.error("schema.unknown_key_suggest", raw, key, name=key, where=where, suggestion=close[0])


def _dataset(name: str, raw: Any, container: dict, doc: Document, config: Config) -> DatasetConfig:
    where = f"datasets.{name}"
    raw = doc.mapping(raw, where, container, name)
    _refuse_near_misses(raw, doc, where)
    model = doc.text(raw, "model", where)
    if model is None:
        raise doc.error("schema.missing_key", container, name, name="model", where=where)
    source = raw.get("source")
    if source is None:
        raise doc.error("schema.missing_key", container, name, name="source", where=where)
    patterns = source if isinstance(source, list) else [source]
    sources: list[Path] = []
    skipped: list[Path] = []
    for index, pattern in enumerate(patterns):
        line_container, line_key = (source, index) if isinstance(source, list) else (raw, "source")
        found = _expand_source(config, pattern, line_container, line_key)
        if glob.has_magic(pattern):
            skipped.extend(path for path in found if is_lock_file(path))
            found = [path for path in found if not is_lock_file(path)]
            if not found:
                raise doc.error("config.only_lock_files", line_container, line_key, pattern=pattern)
        sources.extend(found)
    read = doc.mapping(raw.get("read"), f"{where}.read", raw, "read")
    doc.known_keys(read, READ_KEYS, f"{where}.read")
    sheet = read.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
        raise doc.error("schema.not_text", read, "sheet", name="sheet", where=f"{where}.read")
    options = ReadOptions(
        sheet=sheet,
        header_row=_whole(doc, read, "header_row", f"{where}.read", 1, minimum=1) if "header_row" in read else None,
        header_rows=_whole(doc, read, "header_rows", f"{where}.read", 1, minimum=1),
        encoding=doc.text(read, "encoding", f"{where}.read", "auto"),
        delimiter=_delimiter(doc, read, where),
        decimal=doc.choice(read, "decimal", ("auto", ",", "."), f"{where}.read", "auto"),
    )
    _check_encoding(doc, read, where, options.encoding)
    columns = doc.mapping(raw.get("columns"), f"{where}.columns", raw, "columns")
    for heading, target in columns.items():
        if not isinstance(target, str):
            raise doc.error("config.bad_column_target", columns, heading, heading=heading)
    values = doc.mapping(raw.get("values"), f"{where}.values", raw, "values")
    for field_name, recode in values.items():
        doc.mapping(recode, f"{where}.values.{field_name}", values, field_name)
    own = parse_fields(doc.sequence(raw.get("fields"), f"{where}.fields", raw, "fields"), doc, own=True)
    return DatasetConfig(
        name=name,
        title=doc.text(raw, "title", where, name),
        model=model,
        sources=sources,
        read=options,
        columns={str(k): str(v) for k, v in columns.items()},
        values={str(k): dict(v) for k, v in values.items()},
        categories=_categories(doc, raw, where),
        fields=list(own.values()),
        model_keys={key: value for key, value in raw.items() if key not in DATASET_KEYS},
        parameters=dict(doc.mapping(raw.get("parameters"), f"{where}.parameters", raw, "parameters")),
        scales=dict(doc.mapping(raw.get("scales"), f"{where}.scales", raw, "scales")),
        missing_values=tuple(str(v) for v in doc.sequence(read.get("missing_values"), f"{where}.read.missing_values",
                                                          read, "missing_values")),
        period=_period(raw, doc),
        raw=raw,
        skipped_sources=skipped,
    )


def is_lock_file(path: Path) -> bool:
    """An office program's owner or lock file beside an open workbook (Excel's ~$name.xlsx,
    LibreOffice's .~lock.name#)."""
    name = path.name
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))


def _delimiter(doc: Document, read: dict, where: str) -> str:
    value = read.get("delimiter", "auto")
    aliases = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}
    value = aliases.get(value, value)
    if value not in ("auto", ";", ",", "\t", "|"):
        raise doc.error("schema.bad_choice", read, "delimiter", name="delimiter", where=f"{where}.read",
                        value=value, choices="auto | ; | , | tab | |")
    return value


def _check_encoding(doc: Document, read: dict, where: str, encoding: str) -> None:
    if encoding == "auto":
        return
    import codecs
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise doc.error("config.bad_encoding", read, "encoding", value=encoding) from None


def _expand_source(config: Config, pattern: Any, container: Any, key: Any) -> list[Path]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise config.doc.error("config.bad_path", container, key)
    if glob.has_magic(pattern):
        matches = sorted(Path(p) for p in glob.glob(str(config.folder / pattern), recursive=True))
        if not matches:
            raise config.doc.error("config.no_match", container, key, pattern=pattern)
        paths = [m.resolve() for m in matches if m.is_file()]
    else:
        paths = [(config.folder / pattern).resolve()]
    if not config.allow_outside_paths:
        for path in paths:
            if not path.is_relative_to(config.folder):
                raise config.doc.error("config.outside_folder", container, key, path=pattern)
    return paths
