"""Finishing touches to the structure tree that WeasyPrint writes for a PDF/UA-1 document.

WeasyPrint tags the report from its HTML (headings, lists, tables, figures with the SVG's
<title> as alternative text, links). Two things PDF/UA-1 asks for it leaves undone, and
`finish_tags` (a WeasyPrint *finisher*, run on the PDF's objects before they are written)
does them:

- **Page furniture is an artifact.** The running header, the page numbers and the
  internal-use line live in the page margins. WeasyPrint marks their text as content but
  leaves it out of the structure tree; here it becomes `/Artifact` of type `/Pagination`, so
  a screen reader skips it and no content is left untagged.
- **Every table header cell has a scope.** A `TH` in the table head gets `/Scope /Column`,
  a `TH` starting a body row gets `/Scope /Row`, as the `scope` attributes of the HTML say.
- **A link says where it leads.** PDF/UA asks for a link's description in its `/Contents`;
  WeasyPrint writes the target's anchor there ("section-3"), here it becomes the link's
  text ("Resultat").

Nothing here changes what is drawn: only marked-content tags and structure attributes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pydyf

_PAGE_FURNITURE = pydyf.Dictionary({"Type": "/Pagination"})


def finish_tags(document, pdf: pydyf.PDF) -> None:
    """Turn untagged page furniture into artifacts, give table header cells their scope and links their text."""
    root = _get(pdf, pdf.catalog.get("StructTreeRoot"))
    if root is None:  # not a tagged PDF
        return
    reachable = set(_reachable(pdf, root))
    _furniture_as_artifacts(pdf, _get(pdf, root["ParentTree"]), reachable)
    _scope_header_cells(pdf, reachable)
    _describe_links(document)


def _furniture_as_artifacts(pdf: pydyf.PDF, parent_tree: pydyf.Dictionary, reachable: set[int]) -> None:
    """Marked content whose structure element hangs outside the tree becomes a pagination artifact."""
    nums = parent_tree["Nums"]
    pages = [_get(pdf, reference) for reference in pdf.page_references]
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        if not isinstance(value, pydyf.Array) or key >= len(pages):
            continue  # an annotation's entry, not a page's list of marked content
        outside = {mcid for mcid, reference in enumerate(value) if _number(reference) not in reachable}
        if not outside:
            continue
        _mark_as_artifacts(_get(pdf, pages[key]["Contents"]), outside)
        for mcid in outside:
            value[mcid] = "null"


def _mark_as_artifacts(stream: pydyf.Stream, mcids: set[int]) -> None:
    """Rewrite `/Tag <</MCID n>> BDC` as `/Artifact <</Type /Pagination>> BDC` for the given MCIDs."""
    operations = stream.stream
    for index, operation in enumerate(operations):
        if isinstance(operation, pydyf.Dictionary) and operation.get("MCID") in mcids and index > 0:
            operations[index - 1] = "/Artifact"
            operations[index] = _PAGE_FURNITURE


def _scope_header_cells(pdf: pydyf.PDF, reachable: set[int]) -> None:
    """`/Scope /Column` for header cells in the table head, `/Scope /Row` for those in the body."""
    for number in reachable:
        element = pdf.objects[number]
        if element.get("S") != "/TH":
            continue
        row = _get(pdf, element["P"])
        group = _get(pdf, row["P"]) if row is not None else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope


def _describe_links(document) -> None:
    """Each link annotation's `/Contents` is the text of its HTML link."""
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None and box.element is not None:
                text = " ".join("".join(box.element.itertext()).split())
                if text:
                    annotation["Contents"] = pydyf.String(text)
            stack.extend(getattr(box, "children", ()))


def _reachable(pdf: pydyf.PDF, root: pydyf.Dictionary) -> Iterator[int]:
    """The object numbers of every structure element under the root."""
    stack = [root]
    while stack:
        kids = stack.pop().get("K", ())
        for kid in kids if isinstance(kids, list) else [kids]:
            number = _number(kid)
            element = pdf.objects[number] if number is not None else None
            if number is not None and isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem":
                yield number
                stack.append(element)


def _number(reference) -> int | None:
    """The object number of an indirect reference (`b"12 0 R"`), None for anything else."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return int(reference.split()[0])
    return None


def _get(pdf: pydyf.PDF, reference):
    """The object an indirect reference points at (None for no reference)."""
    number = _number(reference)
    return pdf.objects[number] if number is not None else None
