"""Safe YAML: plain data only, line numbers for errors, codes stay strings."""

import pytest

from isu_engine.errors import UserError
from isu_engine.configure.yamlio import MAX_ALIASES, load_yaml_file, load_yaml_text


def test_codes_and_words_stay_strings():
    data = load_yaml_text("code: 0114\nanswer: yes\nday: 2025-01-01\nn: 12\nx: 1.5\nok: true\nnothing: ~\n", "a.yaml")
    assert data == {"code": "0114", "answer": "yes", "day": "2025-01-01", "n": 12, "x": 1.5, "ok": True, "nothing": None}


def test_lines_are_remembered():
    data = load_yaml_text("a: 1\nb:\n  c: [1, 2]\n", "a.yaml")
    assert data.line_of("b") == 2
    assert data["b"].line_of("c") == 3


@pytest.mark.parametrize("text, key, line", [
    ("a: !!python/object/apply:os.system [echo hi]\n", "yaml.tag_not_allowed", 1),
    ("a: 1\nb: 2\na: 3\n", "yaml.duplicate_key", 3),
    ("a: [1, 2\nb: 3\n", "yaml.structure", 2),
    ("a: " + "[" * 60 + "]" * 60 + "\n", "yaml.too_deep", 1),
])
def test_unsafe_or_broken_yaml_is_a_user_error(text, key, line):
    with pytest.raises(UserError) as caught:
        load_yaml_text(text, "bad.yaml")
    assert caught.value.key == key
    assert caught.value.file == "bad.yaml"
    if line:
        assert caught.value.place_text() == f"rad {line}"


def test_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [f"b{i}: [*a, *a, *a]" for i in range(MAX_ALIASES)]
    with pytest.raises(UserError) as caught:
        load_yaml_text("\n".join(lines), "bomb.yaml")
    assert caught.value.key == "yaml.too_many_aliases"


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(UserError) as caught:
        load_yaml_file(tmp_path / "nope.yaml")
    assert caught.value.key == "file.missing"
    path = tmp_path / "latin.yaml"
    path.write_bytes("a: 1\nort: G\u00e4vle\n".encode("cp1252"))
    with pytest.raises(UserError) as caught:
        load_yaml_file(path)
    assert caught.value.key == "yaml.not_utf8" and caught.value.place_text() == "rad 2"


CONFIG_MISTAKES = [  # (what a person writes, line, Swedish advice, English advice)
    ("datasets:\n  a:\n\tmodel: fit\n", 3, "byt tabben mot mellanslag", "replace the tab with spaces"),
    ('datasets:\n  a: {model: fit, source: "C:\\data\\sessioner.csv"}\n', 2, "skriv sökvägar med /",
     "write paths with /"),
    ("unit: Öppenvården: Violalund\n", 1, "sätt värdet inom citattecken", "put the value in quotes"),
    ('unit: "Öppenvården\nlanguage: sv\n', 1, "stängs aldrig", "never closed"),
    ("datasets:\n  a:\n    model: fit\n   source: x.csv\n", 4, "indraget", "indentation"),
]


@pytest.mark.parametrize(("text", "line", "swedish", "english"), CONFIG_MISTAKES)
def test_yaml_mistakes_are_one_line_in_the_users_language_with_what_to_do(text, line, swedish, english):
    for language, advice, place in (("sv", swedish, f"rad {line}"), ("en", english, f"line {line}")):
        with pytest.raises(UserError) as caught:
            load_yaml_text(text, "config.yaml")
        message = caught.value.line(language)
        assert message.startswith(f"config.yaml:{place}: ") and advice in message and "\n" not in message
        assert "found" not in message and "scanning" not in message  # no parser English


# --- libyaml and the pure-Python parser read alike ------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from isu_engine.configure import yamlio  # noqa: E402


def _pure(text: str):
    loader = yamlio._Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _shape(value):
    """The data with every line number the engine keeps, for comparing two loads."""
    if isinstance(value, yamlio.Mapping):
        return ("map", value.line, sorted(value.key_lines.items(), key=repr), {k: _shape(v) for k, v in value.items()})
    if isinstance(value, yamlio.Sequence):
        return ("seq", value.line, value.item_lines, [_shape(v) for v in value])
    return (type(value).__name__, value)


_WORDS = st.sampled_from(["0114", "yes", "no", "on", "2025-01-01", "1.5", "1e3", "~", "null", "true", "Ärende",
                          "a: b", "- x", "'q'", '"q"', "#", "&a", "*a", "!!str x", "!!binary aGk=", "[1,", "{",
                          "\t", "  ", "x", "12", "-3", ".5", "å ä ö"])


@st.composite
def _documents(draw):
    """YAML text as people write it, and as they break it: blocks, flow collections, anchors, odd scalars."""
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        indent = "  " * draw(st.integers(0, 2))
        key = draw(st.sampled_from(["a", "b", "name", "fields", "0114", "- ", "- {x: 1}", "? k"]))
        value = " ".join(draw(st.lists(_WORDS, min_size=0, max_size=3)))
        lines.append(f"{indent}{key}: {value}" if not key.startswith(("-", "?")) else f"{indent}{key} {value}")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


needs_libyaml = pytest.mark.skipif(not yamlio.yaml.__with_libyaml__, reason="PyYAML built without libyaml")


@needs_libyaml
@settings(max_examples=6 * settings.default.max_examples, deadline=None)  # 600 in the thorough profile
@given(_documents())
def test_libyaml_gives_the_same_data_lines_and_errors_as_the_pure_parser(text):
    try:
        expected = ("data", _shape(_pure(text)))
    except Exception as error:  # noqa: BLE001 - whatever the pure parser refuses, the engine refuses the same way
        expected = ("error", type(error).__name__)
    done, data = yamlio._fast_load(text)  # not done: the pure parser reads it again, so that is always safe
    if expected[0] == "data":
        assert not done or _shape(data) == expected[1]
    else:
        assert not done, "libyaml read a document the pure parser refuses"


@needs_libyaml
def test_libyaml_reads_every_model_and_config_of_the_project_as_the_pure_parser_does():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("plugins/*/model.yaml"), *root.glob("examples/*/*/model.yaml"), *root.glob("configs/**/*.yaml")]
    assert len(files) >= 4
    for path in files:
        text = path.read_text("utf-8-sig")
        done, data = yamlio._fast_load(text)
        assert done and _shape(data) == _shape(_pure(text)), path
