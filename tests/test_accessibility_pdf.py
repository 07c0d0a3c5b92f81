"""The demo's PDFs are tagged PDF/UA-1 documents a screen reader can follow (issue 19).

Checked with pikepdf and poppler (veraPDF is not installable here): the document is marked
and tagged, has its language, title and PDF/UA identifier; headings never skip a level and
come in the HTML's order; table header cells have a scope; figures have alternative text
with their numbers; page furniture is an artifact and all other content is tagged.
docs/accessibility.md lists the PDF/UA checkpoints that no test here can decide.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from accessibility_support import REPORTS
from pdf_structure import Node, attribute, marked_content, parent_tree, role, struct_elements, struct_text_tree

pytestmark = [pytest.mark.slow, pytest.mark.plugins("fit", "loke", "gas")]  # renders every demo PDF twice

HEADINGS = ("H1", "H2", "H3", "H4", "H5", "H6")
XMP = {"dc": "http://purl.org/dc/elements/1.1/", "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
       "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


class _HtmlOutline(HTMLParser):
    """The document title, the headings (level, text), the charts' text alternatives and the
    table header cells of an HTML report, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.headings: list[tuple[int, str]] = []
        self.chart_titles: list[str] = []
        self.header_cells: list[tuple[bool, str]] = []  # (in the table head, text)
        self._in_head = False
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "title" and self.title:  # a chart's <title>, its text alternative
            self._open = "chart-title"
            self.chart_titles.append("")
        elif tag == "title" or re.fullmatch(r"h[1-6]", tag):
            self._open = tag
            if tag != "title":
                self.headings.append((int(tag[1]), ""))
        elif tag == "thead":
            self._in_head = True
        elif tag == "th":
            self._open = "th"
            self.header_cells.append((self._in_head, ""))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        if tag == self._open or (tag == "title" and self._open == "chart-title"):
            self._open = None

    def handle_data(self, data):
        if self._open == "title":
            self.title += data
        elif self._open == "chart-title":
            self.chart_titles[-1] += data
        elif self._open == "th":
            in_head, text = self.header_cells[-1]
            self.header_cells[-1] = (in_head, text + data)
        elif self._open:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)


def html_outline(path: Path) -> _HtmlOutline:
    outline = _HtmlOutline()
    outline.feed(path.read_text(encoding="utf-8"))
    return outline


def squeezed(text: str) -> str:
    """Text without white space: line breaks in the PDF drop the space between words."""
    return re.sub(r"\s+", "", text)


def pdf_path(demo_outputs, language: str, report: str) -> Path:
    return demo_outputs[language] / f"{report}.pdf"


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("report", REPORTS)
def test_pdf_is_a_tagged_pdf_ua_document_with_language_and_title(demo_outputs, language, report):
    path = pdf_path(demo_outputs, language, report)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == language
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == html_outline(path.with_suffix(".html")).title
            assert xmp["pdfuaid:part"] == "1"


@pytest.mark.parametrize("report", REPORTS)
def test_headings_start_at_h1_never_skip_a_level_and_follow_the_html(demo_outputs, report):
    path = pdf_path(demo_outputs, "sv", report)
    tree = struct_text_tree(path)
    headings = [(int(node.role[1]), node.text()) for node in tree.walk() if node.role in HEADINGS]
    levels = [level for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:])), levels
    expected = html_outline(path.with_suffix(".html")).headings
    assert [(level, squeezed(text)) for level, text in headings] == [(level, squeezed(text)) for level, text in expected]


def header_cells_in_order(tree: Node) -> list[tuple[bool, Node]]:
    """Every TH of the tag tree in reading order, with whether it is in a table head."""
    found = []

    def walk(node: Node, in_head: bool) -> None:
        for kid in node.kids:
            if isinstance(kid, Node):
                if kid.role == "TH":
                    found.append((in_head, kid))
                walk(kid, in_head or kid.role == "THead")

    walk(tree, False)
    return found


def header_rows(cells: list[tuple[bool, str]]) -> list[tuple[str, ...]]:
    """Header cells as rows: a table head as one row, each row header alone. A table head equal to
    the last one is left out, on both sides: a table that breaks across pages repeats its head."""
    rows: list[tuple[str, ...]] = []
    previous_in_head = False
    for in_head, text in cells:
        if in_head and previous_in_head:
            rows[-1] = (*rows[-1], squeezed(text))
        else:
            rows.append(("head" if in_head else "row", squeezed(text)))
        previous_in_head = in_head
    kept: list[tuple[str, ...]] = []
    last_head = None
    for row in rows:
        if row[0] == "head":
            if row == last_head:
                continue
            last_head = row
        kept.append(row)
    return kept


@pytest.mark.parametrize("report", REPORTS)
def test_table_header_cells_have_a_scope_and_data_cells_name_their_headers(demo_outputs, report):
    path = pdf_path(demo_outputs, "sv", report)
    in_pdf = [(in_head, node.text()) for in_head, node in header_cells_in_order(struct_text_tree(path))]
    assert header_rows(in_pdf) == header_rows(html_outline(path.with_suffix(".html")).header_cells)
    with pikepdf.open(path) as pdf:
        elements = [element for _, element in struct_elements(pdf)]
        header_cells = [element for element in elements if role(element) == "TH"]
        data_cells = [element for element in elements if role(element) == "TD"]
        assert header_cells and data_cells
        scopes = {str(attribute(cell, "/Scope")) for cell in header_cells}
        assert scopes == {"/Column", "/Row"}
        assert all(attribute(cell, "/Headers") for cell in data_cells)


@pytest.mark.parametrize("report", REPORTS)
def test_every_figure_has_the_html_charts_text_alternative_with_its_numbers(demo_outputs, report):
    path = pdf_path(demo_outputs, "sv", report)
    in_html = html_outline(path.with_suffix(".html")).chart_titles
    with pikepdf.open(path) as pdf:
        figures = [element for _, element in struct_elements(pdf) if role(element) == "Figure"]
    assert figures and [str(figure.get("/Alt", "")) for figure in figures] == in_html
    for alt in in_html:
        assert re.search(r"\d+,\d|dold uppgift", alt), f"a figure without numbers in its alternative text: {alt!r}"


def test_hidden_cells_are_read_by_their_name(demo_outputs):
    hidden = []
    for report in REPORTS:
        tree = struct_text_tree(pdf_path(demo_outputs, "sv", report))
        hidden += [node.text() for node in tree.walk() if node.role == "TD" and "<5" in node.text()]
    assert hidden and set(hidden) == {"<5dold uppgift (färre än 5 eller skyddar en annan)"}


@pytest.mark.parametrize("report", REPORTS)
def test_links_describe_where_they_lead(demo_outputs, report):
    path = pdf_path(demo_outputs, "sv", report)
    headings = {squeezed(text) for level, text in html_outline(path.with_suffix(".html")).headings if level == 2}
    with pikepdf.open(path) as pdf:
        descriptions = [str(link.Contents) for page in pdf.pages for link in page.get("/Annots", [])
                        if link.Subtype == pikepdf.Name.Link]
    assert descriptions
    assert {squeezed(text) for text in descriptions} <= headings  # the contents' section titles, not "section-3"


@pytest.mark.parametrize("report", REPORTS)
def test_page_furniture_is_an_artifact_and_all_other_content_is_tagged(demo_outputs, report):
    path = pdf_path(demo_outputs, "sv", report)
    with pikepdf.open(path) as pdf:
        in_tree = {element.objgen for _, element in struct_elements(pdf)}
        mapped = parent_tree(pdf)
        for number, page in enumerate(pdf.pages):
            sequences = marked_content(page)
            assert ("/Artifact", pikepdf.Dictionary(Type=pikepdf.Name.Pagination)) in [
                (tag, props) for tag, props in sequences], f"page {number + 1} has no pagination artifact"
            for tag, props in sequences:
                if props is not None and "/MCID" in props:
                    owner = mapped[int(page.obj.StructParents)][int(props.MCID)]
                    assert owner.objgen in in_tree, f"page {number + 1}: MCID {props.MCID} outside the tree"
    pages = int(re.search(r"^Pages:\s+(\d+)$", subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout, re.MULTILINE)[1])
    text = struct_text_tree(path).text()
    assert f"Sida 2 av {pages}" not in text and "Exempelkommun · " not in text
    printed = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Sida 2 av {pages}" in printed  # drawn on the page, only not read as content


def page_images(pdf: bytes, folder: Path, name: str) -> list[bytes]:
    """Every page of the PDF as PNG bytes (poppler, 60 dpi)."""
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(folder / name)], check=True)
    return [image.read_bytes() for image in sorted(folder.glob(f"{name}-*.png"))]


def test_tagging_and_text_for_screen_readers_change_nothing_visible(demo_outputs, tmp_path):
    """The larkan report (tables, charts, hidden cells) drawn three ways is the same, pixel for pixel:
    tagged as published, untagged, and tagged without the text meant only for screen readers."""
    from isu_engine.render.pdf import render_pdf     # here: the fast run collects this module but renders no PDF

    html = (demo_outputs["sv"] / "larkan.html").read_text(encoding="utf-8")
    assert 'class="visually-hidden"' in html
    without_hidden_text = html.replace("</head>", "<style>.visually-hidden { display: none; }</style></head>", 1)
    published = page_images((demo_outputs["sv"] / "larkan.pdf").read_bytes(), tmp_path, "published")
    untagged = page_images(render_pdf(html, tagged=False), tmp_path, "untagged")
    unnamed = page_images(render_pdf(without_hidden_text), tmp_path, "unnamed")
    assert len(published) == len(untagged) == len(unnamed) > 1
    assert [i for i, (a, b) in enumerate(zip(published, untagged), 1) if a != b] == []
    assert [i for i, (a, b) in enumerate(zip(published, unnamed), 1) if a != b] == []
