"""The words of disclosure control that every output shares."""

from __future__ import annotations


def hidden_text(min_cell: int) -> str:
    """The text printed for every hidden cell, e.g. ``"<5"`` for ``min_cell`` 5 (DESIGN §5)."""
    return f"<{min_cell}"
