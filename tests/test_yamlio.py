"""Safe YAML: plain data only, line numbers for errors, codes stay strings."""

import pytest

from isu_engine.errors import UserError
from isu_engine.i18n import set_language
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
        assert caught.value.place == f"rad {line}"


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
    assert caught.value.key == "yaml.not_utf8" and caught.value.place == "rad 2"


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
        set_language(language)
        with pytest.raises(UserError) as caught:
            load_yaml_text(text, "config.yaml")
        message = caught.value.line()
        assert message.startswith(f"config.yaml:{place}: ") and advice in message and "\n" not in message
        assert "found" not in message and "scanning" not in message  # no parser English
