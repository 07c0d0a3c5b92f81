"""How well a file's headings match a model's fields: for finding the table and proposing a mapping.

A heading matches a field for certain when it is the field's name, one of its titles
(ignoring case, spaces and a trailing colon) or is mapped to it under `columns:`. Other
headings may match *likely*: when the words of the heading are found among the words of
the field's name or titles ("Skattning slut" → "Egen skattning vid avslut"), letters with
and without accents compared alike. Each field goes to at most one heading, best match first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from isu_engine.configure.model import Model
from isu_engine.read.mapping import names_of, normalise_heading

CERTAIN = 1.0
LIKELY = 0.6  # the lowest score proposed as a match
_WORD = re.compile(r"[^\W_]+")
_SHORTEST_PART = 4  # letters a word must have to count when found inside another word
_HEADING_WEIGHT = 0.7  # how much of a heading's words the field explains, against how much of the field's


@dataclass(frozen=True)
class HeadingMatch:
    """One heading of a file and the field it would map to (None: no field), with how sure the match is."""

    position: int
    heading: str
    field: str | None
    confidence: float  # 1.0 certain; LIKELY..1 a likely match; 0 none
    source: str  # "columns" (the config says so) | "name" (name or title) | "words" (a likely match) | ""


class HeadingMatcher:
    """A model's field names, titles and words (and the config's `columns:`), prepared once for
    matching the headings of many rows: finding the heading row scores up to SEARCH_ROWS rows."""

    def __init__(self, model: Model, columns: dict[str, str] | None = None) -> None:
        self.columns = {normalise_heading(k): v for k, v in (columns or {}).items()}
        self.fields = [(field.name, names_of(field)) for field in model.fields.values()]
        self.names = {field_name for field_name, _ in self.fields}
        self.exact = {name: field_name for field_name, names in self.fields for name in names}
        self.words = {field_name: frozenset(word for name in names for word in _words(name))
                      for field_name, names in self.fields}
        self.vocabulary = frozenset().union(*self.words.values())
        self._likely: dict[str, list[tuple[float, str]]] = {}  # heading -> fields it may mean (see _likely_fields)

    def match(self, headings: list[str]) -> list[HeadingMatch]:
        """The best field for each heading: the config's `columns:` first, then names and titles, then likely words."""
        chosen = self._chosen(headings)
        return [HeadingMatch(position, heading, *chosen.get(position, (None, 0.0, "")))
                for position, heading in enumerate(headings)]

    def row_score(self, cells: list) -> float:
        """How much a row looks like the model's heading row: certain matches count 1, likely ones their score."""
        texts = [str(cell).strip() if isinstance(cell, str) else "" for cell in cells]
        chosen = self._chosen(texts)
        return sum(chosen[position][1] for position in sorted(chosen))  # (added in the order of the columns)

    def _chosen(self, headings: list[str]) -> dict[int, tuple[str, float, str]]:
        """The field matched to a heading (by position), with its confidence and source (see HeadingMatch)."""
        columns, exact = self.columns, self.exact
        chosen: dict[int, tuple[str, float, str]] = {}
        taken: set[str] = set()
        keys = [normalise_heading(heading) for heading in headings]
        for position, key in enumerate(keys):
            if key and key in columns and columns[key] in self.names and columns[key] not in taken:
                chosen[position] = (columns[key], CERTAIN, "columns")
                taken.add(columns[key])
        for position, key in enumerate(keys):
            target = exact.get(key)
            if position not in chosen and target and target not in taken and target not in columns.values():
                chosen[position] = (target, CERTAIN, "name")
                taken.add(target)
        candidates = sorted(
            ((score, -position, name)
             for position, heading in enumerate(headings) if position not in chosen
             for score, name in self._likely_fields(heading) if name not in taken),
            reverse=True,
        )
        for score, negative, name in candidates:
            position = -negative
            if position not in chosen and name not in taken:
                chosen[position] = (name, round(score, 2), "words")
                taken.add(name)
        return chosen

    def _likely_fields(self, heading: str) -> list[tuple[float, str]]:
        """(score, field) of each field whose words `heading` matches likely (LIKELY or more), in the model's order.

        Worked out once per heading: the rows scored while looking for the heading row repeat many cells. Only
        the fields with a word alike a word of the heading are scored (for the others every score is 0).
        """
        if heading not in self._likely:
            alike = frozenset().union(*(_alike(word, self.vocabulary) for word in _words(heading)))
            self._likely[heading] = [(score, name) for name, names in self.fields if alike and alike & self.words[name]
                                     for score in (word_score(heading, names),) if score >= LIKELY]
        return self._likely[heading]


@lru_cache(maxsize=4096)
def _alike(word: str, vocabulary: frozenset[str]) -> frozenset[str]:
    """The words of `vocabulary` alike `word` (remembered across files: one model reads many)."""
    return frozenset(known for known in vocabulary if _same_word(word, known))


def word_score(heading: str, names: Iterable[str]) -> float:
    """0–1: how well the words of `heading` are explained by the best of `names` (a field's name and titles)."""
    heading_words = _words(heading)
    if not heading_words:
        return 0.0
    return max((_score(heading_words, _words(name)) for name in names), default=0.0)


@lru_cache(maxsize=4096)
def _score(heading_words: tuple[str, ...], field_words: tuple[str, ...]) -> float:
    if not field_words:
        return 0.0
    explained = sum(any(_same_word(h, f) for f in field_words) for h in heading_words) / len(heading_words)
    covered = sum(any(_same_word(h, f) for h in heading_words) for f in field_words) / len(field_words)
    return _HEADING_WEIGHT * explained + (1 - _HEADING_WEIGHT) * covered


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def fold(text: str) -> str:
    """Text compared without case and accents: "Nöjdhet" and "nojdhet" are alike."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _same_word(a: str, b: str) -> bool:
    """Words alike: equal, or the shorter (of at least four letters) begins or lies inside the longer."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= _SHORTEST_PART and short in long
