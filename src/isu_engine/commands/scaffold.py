"""`isu new-model`: a plugin package for a new follow-up model, ready to install and test.

The package is written from the files in `scaffold_files/` (each ends in `.tmpl`;
`package/` becomes the package folder `isu_<name>`), with `{{name}}`, `{{package}}`,
`{{project}}` and `{{title}}` filled in.
"""

from __future__ import annotations

import importlib.util
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from isu_engine.render import atomic
from isu_engine.errors import UserError
from isu_engine.configure.model import NAME_PATTERN

TEMPLATE_FOLDER = "scaffold_files"
SUFFIX = ".tmpl"
PACKAGE_FOLDER = "package"


def package_name(name: str) -> str:
    return f"isu_{name}"


def scaffold(name: str, out: Path) -> list[Path]:
    """Write the plugin package for model `name` into the new or empty folder `out`; return the files."""
    out = Path(out)
    if not NAME_PATTERN.match(name):
        raise UserError("scaffold.bad_name", name=name)
    package = package_name(name)
    if importlib.util.find_spec(package) is not None:
        raise UserError("scaffold.package_exists", name=name, package=package)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError("scaffold.not_empty", file=out)
    values = {
        "name": name,
        "package": package,
        "project": f"isu-{name.replace('_', '-')}",
        "title": name.replace("_", " ").capitalize(),
    }
    written = []
    for relative, source in sorted(_template_files(resources.files("isu_engine.commands") / TEMPLATE_FOLDER)):
        parts = [package if part == PACKAGE_FOLDER else part for part in relative]
        target = out.joinpath(*parts)
        atomic.write_text(target, fill(source.read_text(encoding="utf-8"), values))
        written.append(target)
    return written


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every `{{key}}` replaced; a placeholder left over is a bug in the template."""
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled placeholder near {text[text.index('{{'):][:30]!r}")
    return text


def _template_files(folder: Traversable, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Traversable]]:
    """(path parts without the .tmpl suffix, file) for every template file under `folder`."""
    found = []
    for entry in folder.iterdir():
        if entry.is_dir():
            found.extend(_template_files(entry, (*prefix, entry.name)))
        elif entry.name.endswith(SUFFIX):
            found.append(((*prefix, entry.name[: -len(SUFFIX)]), entry))
    return found
