"""Safe YAML loading that remembers line numbers, for one-line errors that say where.

Only plain data is accepted: no Python tags, a bounded number of aliases, bounded
nesting and size. Codes such as `0114` stay strings; `yes`/`no`/`on`/`off` stay
strings; dates stay strings (the engine parses them where it expects a date).

libyaml's parser (PyYAML's C extension) reads a document when it is installed; any
problem is read again by the pure-Python parser, whose messages and lines the errors
are made from, so both give the same data and the same errors.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from isu_engine.errors import UserError, line_place
from isu_engine.read.files import read_file_bytes

MAX_BYTES = 5_000_000
MAX_ALIASES = 200
MAX_DEPTH = 40


class Mapping(dict):
    """A dict that knows the line of each of its keys (1-based) and its own line."""

    line: int | None = None
    key_lines: dict

    def line_of(self, key) -> int | None:
        return self.key_lines.get(key, self.line)


class Sequence(list):
    """A list that knows the line of each item (1-based) and its own line."""

    line: int | None = None
    item_lines: list

    def line_of(self, index: int) -> int | None:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2-like scalars: true/false, null, decimal ints without leading zeros, floats."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)$"),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _Constructor(yaml.constructor.SafeConstructor):
    """Plain data with the line of every key and item; anything else is refused with its line."""

    def construct_line_mapping(self, node):
        data = Mapping()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise _LimitError("yaml.bad_key", key_node.start_mark.line + 1)
            if key in data.key_lines:
                raise _LimitError("yaml.duplicate_key", key_node.start_mark.line + 1, name=key)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    def construct_line_sequence(self, node):
        data = Sequence()
        data.line = node.start_mark.line + 1
        data.item_lines = [child.start_mark.line + 1 for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)

    def construct_undefined(self, node):
        raise _LimitError("yaml.tag_not_allowed", node.start_mark.line + 1, tag=node.tag)


# PyYAML's stubs accept only constructors of a whole loader class, not of a constructor mixed into two loaders.
_Constructor.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_line_mapping)  # type: ignore[type-var]
_Constructor.add_constructor("tag:yaml.org,2002:seq", _Constructor.construct_line_sequence)  # type: ignore[type-var]
_Constructor.add_constructor(None, _Constructor.construct_undefined)  # type: ignore[type-var]
for _tag in ("str", "int", "float", "bool", "null"):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                 yaml.constructor.SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{_tag}"])


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              _Constructor, _Resolver):
    """The pure-Python loader: limits checked while the document is composed, errors with their lines."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.events.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                event = self.peek_event()
                raise _LimitError("yaml.too_many_aliases", event.start_mark.line + 1, limit=MAX_ALIASES)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            event = self.peek_event()
            raise _LimitError("yaml.too_deep", event.start_mark.line + 1, limit=MAX_DEPTH)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_FastLoader: type[_LibyamlLoader] | None = None  # None: PyYAML built without libyaml
if yaml.__with_libyaml__:
    from yaml._yaml import CParser  # libyaml's parser, which yaml.cyaml's loaders are built on

    class _LibyamlLoader(CParser, _Constructor, _Resolver):
        """libyaml's parser with the same constructor and resolver (no limits while composing: see `_within_limits`)."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver.__init__(self)

    _FastLoader = _LibyamlLoader


def _within_limits(root) -> bool:
    """Whether a composed document keeps the alias and nesting limits the pure-Python loader enforces.

    libyaml gives an alias as the anchored node itself: each later visit of a node seen before is an alias.
    """
    seen: set[int] = set()
    aliases = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                return False
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in reversed(node.value) for child in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in reversed(node.value))
    return True


def _fast_load(text: str) -> tuple[bool, Any]:
    """(True, data) when libyaml reads the document without any problem; (False, None) otherwise.

    A text with a tab is left to the pure-Python parser: libyaml takes some tabs that it refuses.
    """
    if _FastLoader is None or "\t" in text:
        return False, None
    loader = _FastLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return True, None
        if not _within_limits(root):
            return False, None
        return True, loader.construct_document(root)
    except Exception:  # any problem: the pure-Python loader reads it again and says what and where
        return False, None
    finally:
        loader.dispose()


_SYNTAX_PROBLEMS = (  # what the YAML parser found -> the message that says what to do
    (re.compile(r"found character '\\t'"), "yaml.tab"),
    (re.compile(r"unknown escape character|expected escape sequence"), "yaml.backslash"),
    (re.compile(r"mapping values are not allowed"), "yaml.colon"),
    (re.compile(r"unexpected end of stream"), "yaml.unclosed_quote"),
    (re.compile(r"expected <block end>|did not find expected|expected ',' or"), "yaml.structure"),
    (re.compile(r"undefined alias"), "yaml.undefined_alias"),
)


class _LimitError(Exception):
    def __init__(self, key: str, line: int, **params):
        self.key, self.line, self.params = key, line, params


def load_yaml_text(text: str, file: str | Path) -> Any:
    """Parse YAML text safely; problems raise UserError naming file and line."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise UserError("yaml.too_large", file=file, limit=MAX_BYTES)
    done, data = _fast_load(text)
    if done:
        return data
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except _LimitError as error:
        raise UserError(error.key, file=file, place=line_place(error.line), **error.params) from None
    except yaml.MarkedYAMLError as error:
        key = next((key for pattern, key in _SYNTAX_PROBLEMS if pattern.search(error.problem or "")), "yaml.syntax")
        at_start = key == "yaml.unclosed_quote" and error.context_mark is not None
        mark = error.context_mark if at_start else error.problem_mark or error.context_mark
        raise UserError(key, file=file, place=line_place(mark.line + 1 if mark else None)) from None
    except yaml.YAMLError:
        raise UserError("yaml.syntax", file=file) from None
    except RecursionError:
        raise UserError("yaml.too_deep", file=file, limit=MAX_DEPTH) from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, display: str | Path | None = None) -> Any:
    """Read and parse a YAML file; a missing or unreadable file is a UserError."""
    display = display or path
    return load_yaml_bytes(read_file_bytes(path, display), display)


def load_yaml_bytes(raw: bytes, display: str | Path) -> Any:
    """Parse a YAML file's bytes (UTF-8, a BOM allowed); problems name `display` and the line."""
    if len(raw) > MAX_BYTES:
        raise UserError("yaml.too_large", file=display, limit=MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise UserError("yaml.not_utf8", file=display, place=line_place(line)) from None
    return load_yaml_text(text, display)


def line_of(container: Any, key: Any) -> int | None:
    """The line of `key` in a loaded mapping or sequence, when known."""
    if isinstance(container, (Mapping, Sequence)):
        return container.line_of(key)
    return None
