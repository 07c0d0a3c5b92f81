"""Reading a tagged PDF as a screen reader does: the structure tree (pikepdf), its text in
reading order (poppler's `pdfinfo -struct-text`), and the marked content of each page."""

from __future__ import annotations

import functools
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

_ELEMENT_LINE = re.compile(r"^(?P<role>[A-Za-z]\w*)(?: <[^>]*>)?(?: \((?:block|inline)\))?:?$")
"""A structure element as pdfinfo prints it: "H1 (block)", "TD:" (attributes follow), "TH <12-0-1>:" (with its ID)."""


@dataclass
class Node:
    """One structure element: its role (H1, P, TD …) and its kids, text pieces or elements, in order."""

    role: str
    kids: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(kid if isinstance(kid, str) else kid.text() for kid in self.kids)

    def walk(self) -> Iterator["Node"]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.walk()


def struct_text_tree(path: Path) -> Node:
    """The structure tree with the text of its marked content, as `pdfinfo -struct-text` prints it.

    Read once per file version: several tests read the same demo PDF, and poppler takes seconds
    for a long one. The tree is shared, so a test must not change it.
    """
    stat = path.stat()
    return _struct_text_tree(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _struct_text_tree(path: str, mtime_ns: int, size: int) -> Node:
    lines = subprocess.run(["pdfinfo", "-struct-text", path], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    root = Node("StructTreeRoot")
    stack: list[tuple[int, Node]] = [(-1, root)]
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(stripped)
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if stripped.startswith('"'):
            parent.kids.append(stripped[1:-1])
        elif (match := _ELEMENT_LINE.match(stripped)) and not stripped.startswith("Object "):
            node = Node(match["role"])
            parent.kids.append(node)
            stack.append((indent, node))
    return root


def struct_elements(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    """Every structure element with its depth, depth first in the tree's (reading) order."""

    def walk(node: pikepdf.Dictionary, depth: int) -> Iterator[tuple[int, pikepdf.Dictionary]]:
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield depth, kid
                yield from walk(kid, depth + 1)

    yield from walk(pdf.Root.StructTreeRoot, 0)


def role(element: pikepdf.Dictionary) -> str:
    return str(element.S)[1:]


def attribute(element: pikepdf.Dictionary, name: str):
    """An attribute of the element's attribute dictionary (or dictionaries), None when absent."""
    attributes = element.get("/A")
    for owner in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
        if isinstance(owner, pikepdf.Dictionary) and name in owner:
            return owner[name]
    return None


def marked_content(page: pikepdf.Page) -> list[tuple[str, pikepdf.Object | None]]:
    """The tag and properties of every marked-content sequence the page's content stream opens."""
    found = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC":
            found.append((str(operands[0]), operands[1]))
        elif str(operator) == "BMC":
            found.append((str(operands[0]), None))
    return found


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, list]:
    """The parent tree's entries: key -> structure element (or array of them, per MCID of a page)."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
