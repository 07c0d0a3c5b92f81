"""Personal identity numbers: detection, masking, pseudonyms and the pseudonymisation key."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from isu_engine.errors import UserError
from isu_engine.i18n import catalogue, t
from isu_engine.protect.number_shape import CANDIDATE
from isu_engine.protect.identifiers import (
    MASK,
    _candidate_positions,
    digit_counts,
    load_key,
    mask_personal_numbers,
    personal_number_mask,
    pseudonymize,
)

KEY = b"a test key of more than sixteen bytes"
OTHER_KEY = b"another test key, also long enough"
TODAY = dt.date(2025, 6, 15)


# --- an independent reference for building valid numbers -------------------------------


def check_digit(nine: str) -> int:
    """Luhn check digit for YYMMDDNNN: weights 2,1,2,1,… from the left, digit sums of products."""
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def number_digits(birth: dt.date, serial: int, coordination: bool = False) -> tuple[str, str]:
    """(century, YYMMDDNNNC) of the number for a birth date and a 3-digit serial."""
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return f"{birth.year // 100:02d}", nine + str(check_digit(nine))


def writings(century: str, ten: str, plus: bool = False) -> list[str]:
    """Every accepted way to write the number."""
    date, tail = ten[:6], ten[6:]
    twelve = [f"{century}{date}-{tail}", f"{century}{date}{tail}", f"{century}{date} - {tail}"]
    if plus:  # 100 years or older: a 10-digit writing needs the "+"
        return twelve + [f"{date}+{tail}", f"{date} + {tail}"]
    return twelve + [f"{date}-{tail}", f"{date}{tail}", f"{date} - {tail}", f"{date} {tail}"]


def with_check(ten: str, digit: int) -> str:
    return ten[:9] + str(digit)


def detected(*cells) -> list[bool]:
    return personal_number_mask(pd.Series(list(cells), dtype=object)).tolist()


def test_reference_check_digit_matches_hand_computation():
    # 1·2,2·1,1·2,2·1,1·2,2·1,1·2,2·1,1·2 -> 2+2+2+2+2+2+2+2+2 = 18 -> check 2 (Skatteverket's 121212-1212)
    assert check_digit("121212121") == 2
    # 7·2=14->5, 0, 1·2=2, 0, 6·2=12->3, 3, 2·2=4, 3, 9·2=18->9 -> 29 -> check 1
    assert check_digit("701063239") == 1


# --- detection ---------------------------------------------------------------------------


def test_skatteverket_test_numbers():
    assert detected("19121212-1212", "19121212-1213") == [True, False]


@pytest.mark.parametrize(
    "cell",
    [
        "19121212-1212",
        "191212121212",
        "121212-1212",
        "121212+1212",
        "1212121212",
        "121212 - 1212",
        "19121212 -1212",
        "121212 1212",
        "Klient 19121212-1212 ringde",
        "pnr:121212-1212.",
        "x1212121212x",
        "(19121212-1212)",
    ],
)
def test_every_writing_is_detected(cell):
    assert detected(cell) == [True]


@pytest.mark.parametrize(
    "cell",
    [
        "1191212121212",  # inside a longer run of digits
        "19121212-12120",
        "0-121212-12123",
        "99121212-1212",  # a 4-digit year must start with 18, 19 or 20
        "070-123 45 67",  # a telephone number
        "121212-121",
        "12121-21212",
        "",
        "ingen siffra här",
    ],
)
def test_non_numbers_are_not_detected(cell):
    assert detected(cell) == [False]


def test_case_number_failing_luhn_is_not_detected():
    century, ten = number_digits(dt.date(2024, 1, 15), 1)
    wrong = with_check(ten, (int(ten[-1]) + 1) % 10)
    assert detected(century + ten, century + wrong) == [True, False]


def test_coordination_number():
    assert detected("701063-2391", "19701063-2391", "701063-2392") == [True, True, False]
    century, ten = number_digits(dt.date(1985, 1, 31), 123, coordination=True)
    assert ten[4:6] == "91"
    assert detected(f"{century}{ten}", ten) == [True, True]


@pytest.mark.parametrize("yymmdd", ["990230", "990431", "991301", "990001", "990100", "990132", "990160", "990192"])
def test_impossible_dates_are_not_detected_even_with_right_check_digit(yymmdd):
    nine = yymmdd + "123"
    ten = nine + str(check_digit(nine))
    assert detected(ten, "19" + ten) == [False, False]


def test_leap_days():
    leap_2000 = "000229123"
    leap_2000 += str(check_digit(leap_2000))
    not_leap = "010229123"
    not_leap += str(check_digit(not_leap))
    # 2000 was a leap year, 1900 was not; without a century 29 February 00 can be a real date
    assert detected("20" + leap_2000, "19" + leap_2000, leap_2000, not_leap) == [True, False, True, False]


def test_one_valid_number_among_invalid_ones_is_enough():
    assert detected("19121212-1213 eller 19121212-1212", "19121212-1213 eller 070-123 45 67") == [True, False]


def test_missing_and_non_text_cells():
    values = pd.Series([None, np.nan, 191212121212, 42, pd.NA, "19121212-1212"], dtype=object)
    assert personal_number_mask(values).tolist() == [False, False, True, False, False, True]
    integers = pd.Series([191212121212, 191212121213], dtype="int64")
    assert personal_number_mask(integers).tolist() == [True, False]


def test_result_keeps_index_and_name():
    values = pd.Series(["19121212-1212", "nej", "121212-1212"], index=[7, 7, 3], name="ärende")
    mask = personal_number_mask(values)
    assert mask.index.tolist() == [7, 7, 3]
    assert mask.name == "ärende"
    assert mask.dtype == bool
    assert mask.tolist() == [True, False, True]


def test_string_dtype_column():
    values = pd.Series(["19121212-1212", None, "x"], dtype="string")
    assert personal_number_mask(values).tolist() == [True, False, False]


# --- masking -----------------------------------------------------------------------------


def test_mask_keeps_the_rest_of_the_text():
    values = pd.Series(
        [
            "Klient 19121212-1212 ringde",
            "121212-1212 och 701063-2391",
            "19121212-1213 och 19121212 - 1212 i samma cell",
            "070-123 45 67",
            None,
            42,
        ],
        dtype=object,
    )
    masked = mask_personal_numbers(values)
    assert masked.iloc[0] == f"Klient {MASK} ringde"
    assert masked.iloc[1] == f"{MASK} och {MASK}"
    assert masked.iloc[2] == f"19121212-1213 och {MASK} i samma cell"
    assert masked.iloc[3] == "070-123 45 67"
    assert masked.iloc[4] is None
    assert masked.iloc[5] == 42
    assert MASK == "********-****"


def test_mask_keeps_index_and_string_dtype():
    values = pd.Series(["a 19121212-1212", pd.NA, "b"], index=["x", "y", "x"], dtype="string")
    masked = mask_personal_numbers(values)
    assert masked.index.tolist() == ["x", "y", "x"]
    assert masked.dtype == values.dtype
    assert masked.iloc[0] == f"a {MASK}"
    assert pd.isna(masked.iloc[1])
    assert masked.iloc[2] == "b"


# --- pseudonyms ----------------------------------------------------------------------------


def reference_pseudonym(key: bytes, normalised: str) -> str:
    return "p_" + hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def test_pseudonym_is_keyed_hash_of_normalised_value():
    values = pd.Series(["19121212-1212", " kund 7 "], dtype=object)
    assert pseudonymize(values, KEY, today=TODAY).tolist() == [
        reference_pseudonym(KEY, "191212121212"),
        reference_pseudonym(KEY, "kund 7"),
    ]


def test_all_writings_of_one_number_share_a_pseudonym():
    writings_of_one = ["19121212-1212", "191212121212", "121212+1212", " 19121212 - 1212 ", 191212121212]
    values = pd.Series(writings_of_one, dtype=object)
    result = pseudonymize(values, KEY, today=TODAY)
    assert result.nunique() == 1
    assert result.iloc[0] == reference_pseudonym(KEY, "191212121212")


def test_century_rule_for_ten_digit_numbers():
    # today 2025-06-15: 121212-1212 is a 12-year-old (2012); with "+" a person born 1912
    cases = {}
    for birth in (dt.date(2012, 12, 12), dt.date(1912, 12, 12), dt.date(2025, 6, 15), dt.date(1925, 6, 16)):
        century, ten = number_digits(birth, 456)
        cases[birth] = (century + ten, ten)
    values = pd.Series(
        [
            cases[dt.date(2012, 12, 12)][1][:6] + "-" + cases[dt.date(2012, 12, 12)][1][6:],
            cases[dt.date(1912, 12, 12)][1][:6] + "+" + cases[dt.date(1912, 12, 12)][1][6:],
            cases[dt.date(2025, 6, 15)][1],  # born today: 0 years old
            cases[dt.date(1925, 6, 16)][1],  # 16 June 2025 has not come yet: born 1925
        ]
    )
    expected = [
        reference_pseudonym(KEY, cases[birth][0])
        for birth in (dt.date(2012, 12, 12), dt.date(1912, 12, 12), dt.date(2025, 6, 15), dt.date(1925, 6, 16))
    ]
    assert pseudonymize(values, KEY, today=TODAY).tolist() == expected


def test_coordination_number_gets_its_century():
    result = pseudonymize(pd.Series(["701063-2391"]), KEY, today=TODAY)
    assert result.iloc[0] == reference_pseudonym(KEY, "197010632391")


def test_invalid_numbers_lose_only_separator_and_other_values_are_only_stripped():
    values = pd.Series(["121212-1213", "1212121213", "19121212-1213", "A-12", "A12"], dtype=object)
    result = pseudonymize(values, KEY, today=TODAY).tolist()
    assert result[0] == result[1] == reference_pseudonym(KEY, "1212121213")
    assert result[2] == reference_pseudonym(KEY, "191212121213")
    assert result[3] == reference_pseudonym(KEY, "A-12")
    assert result[3] != result[4]


def test_missing_stays_missing_and_empty_stays_empty():
    values = pd.Series(["19121212-1212", None, np.nan, "", "  "], index=[4, 3, 2, 1, 0], dtype=object)
    result = pseudonymize(values, KEY, today=TODAY)
    assert result.index.tolist() == [4, 3, 2, 1, 0]
    assert result.iloc[0].startswith("p_")
    assert result.iloc[1] is None
    assert pd.isna(result.iloc[2])
    assert result.iloc[3] == "" and result.iloc[4] == ""


def test_pseudonym_format():
    result = pseudonymize(pd.Series(["a", "b", 17]), KEY)
    assert all(re.fullmatch(r"p_[0-9a-f]{16}", value) for value in result)


# --- properties ------------------------------------------------------------------------------

no_ascii_digit = st.characters(blacklist_characters="0123456789", blacklist_categories=("Cs",))
no_digit_text = st.text(alphabet=no_ascii_digit, max_size=15)
birth_dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31))


@st.composite
def written_numbers(draw) -> tuple[str, str]:
    """(prefix + number + suffix, the number) for a random valid number in a random writing."""
    birth = draw(birth_dates)
    century, ten = number_digits(birth, draw(st.integers(0, 999)), draw(st.booleans()))
    number = draw(st.sampled_from(writings(century, ten, plus=draw(st.booleans()))))
    return draw(no_digit_text) + number + draw(no_digit_text), number


@hypothesis_settings(deadline=None)
@given(written_numbers())
def test_property_valid_numbers_are_detected_in_any_text(cell_and_number):
    cell, number = cell_and_number
    assert detected(cell) == [True]
    assert number not in mask_personal_numbers(pd.Series([cell])).iloc[0]


@hypothesis_settings(deadline=None)
@given(birth_dates, st.integers(0, 999), st.booleans(), st.integers(1, 9), no_digit_text, no_digit_text, st.data())
def test_property_wrong_check_digit_is_not_detected(birth, serial, coordination, shift, prefix, suffix, data):
    century, ten = number_digits(birth, serial, coordination)
    wrong = with_check(ten, (int(ten[-1]) + shift) % 10)
    number = data.draw(st.sampled_from(writings(century, wrong)))
    cell = prefix + number + suffix
    assert detected(cell) == [False]
    assert mask_personal_numbers(pd.Series([cell])).iloc[0] == cell


@hypothesis_settings(deadline=None)
@given(st.lists(st.one_of(written_numbers().map(lambda pair: pair[0]), st.text(max_size=30)), max_size=20))
def test_property_masking_removes_every_valid_number(cells):
    values = pd.Series(cells, dtype=object)
    masked = mask_personal_numbers(values)
    assert not personal_number_mask(masked).any()
    untouched = ~personal_number_mask(values)
    assert masked[untouched].tolist() == values[untouched].tolist()


cells_with_digits = st.lists(
    st.one_of(st.none(), written_numbers().map(lambda pair: pair[0]), st.text(max_size=30),
              st.text(alphabet=st.sampled_from("0123456789 -+\u00a0\u202f\tåx٣"), max_size=24)),
    max_size=30)


@hypothesis_settings(deadline=None)
@given(cells_with_digits, st.integers(0, 5), st.booleans())
def test_property_digit_counts_read_from_the_bytes_are_the_digits_of_each_cell(cells, start, large):
    strings = pa.array(cells, type=pa.large_string() if large else pa.string()).slice(min(start, len(cells)))
    chunked = pa.chunked_array([strings, strings[: len(strings) // 2]], type=strings.type)
    expected = [sum(character in "0123456789" for character in cell) if cell is not None else 0
                for cell in chunked.to_pylist()]
    assert digit_counts(chunked).tolist() == expected
    assert digit_counts(strings).tolist() == expected[: len(strings)]


@hypothesis_settings(deadline=None)
@given(cells_with_digits)
def test_property_cells_passed_over_for_too_few_digits_are_those_the_pattern_cannot_match(cells):
    values = pd.Series(cells, dtype=pd.StringDtype("pyarrow"))
    everywhere = pc.fill_null(pc.match_substring_regex(pa.array(cells, type=pa.string()), CANDIDATE), False)
    assert _candidate_positions(values).tolist() == np.flatnonzero(everywhere.to_numpy(zero_copy_only=False)).tolist()


@hypothesis_settings(deadline=None)
@given(st.dates(min_value=TODAY.replace(year=TODAY.year - 199), max_value=TODAY), st.integers(0, 999), st.booleans())
def test_property_every_writing_gives_the_pseudonym_of_the_twelve_digit_form(birth, serial, coordination):
    century, ten = number_digits(birth, serial, coordination)
    hundred_or_older = birth <= TODAY.replace(year=TODAY.year - 100)
    values = pd.Series(writings(century, ten, plus=hundred_or_older))
    result = pseudonymize(values, KEY, today=TODAY)
    assert result.tolist() == [reference_pseudonym(KEY, century + ten)] * len(values)


twelve_digit_numbers = st.lists(st.from_regex(r"[0-9]{12}", fullmatch=True), min_size=1, max_size=50, unique=True)


@hypothesis_settings(deadline=None)
@given(twelve_digit_numbers, st.randoms(use_true_random=False))
def test_property_pseudonyms_deterministic_keyed_and_injective(numbers, random):
    values = pd.Series(numbers)
    first = pseudonymize(values, KEY, today=TODAY)
    assert first.is_unique
    shuffled = list(range(len(numbers)))
    random.shuffle(shuffled)
    again = pseudonymize(values.iloc[shuffled].reset_index(drop=True), KEY, today=TODAY)
    assert again.tolist() == first.iloc[shuffled].tolist()
    other = pseudonymize(values, OTHER_KEY, today=TODAY)
    assert (other != first).all()


# --- the key ------------------------------------------------------------------------------


def test_key_from_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("ISU_TEST_KEY", "  sixteen-byte-key-from-env \n")
    key_file = tmp_path / "key.txt"
    key_file.write_bytes(b"a different key in a file")
    assert load_key("ISU_TEST_KEY", key_file, []) == b"sixteen-byte-key-from-env"


def test_key_from_file_when_environment_is_empty(monkeypatch, tmp_path):
    monkeypatch.setenv("ISU_TEST_KEY", "   ")
    key_file = tmp_path / "keys" / "key.txt"
    key_file.parent.mkdir()
    key_file.write_bytes(b"\n  0123456789abcdef  \n")
    data = tmp_path / "data"
    data.mkdir()
    assert load_key("ISU_TEST_KEY", key_file, [data]) == b"0123456789abcdef"
    assert load_key(None, key_file, [data]) == b"0123456789abcdef"


def error_key(call) -> UserError:
    with pytest.raises(UserError) as caught:
        call()
    return caught.value


def test_no_key(monkeypatch):
    monkeypatch.delenv("ISU_TEST_KEY", raising=False)
    error = error_key(lambda: load_key("ISU_TEST_KEY", None, []))
    assert error.key == "identifiers.no_key_env"
    assert "ISU_TEST_KEY" in str(error)
    assert error_key(lambda: load_key(None, None, [])).key == "identifiers.no_key"


def test_key_file_missing_or_a_folder(tmp_path):
    assert error_key(lambda: load_key(None, tmp_path / "nothing.key", [])).key == "identifiers.key_file_missing"
    assert error_key(lambda: load_key(None, tmp_path, [])).key == "identifiers.key_file_missing"


def test_key_file_inside_data_folder(tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    key_file = data / "sub" / "key.txt"
    key_file.write_bytes(b"0123456789abcdef0123")
    error = error_key(lambda: load_key(None, key_file, [tmp_path / "elsewhere", data]))
    assert error.key == "identifiers.key_in_data_folder"
    assert error.file == str(key_file)


def test_key_file_link_into_data_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "key.txt").write_bytes(b"0123456789abcdef0123")
    link = tmp_path / "key-link.txt"
    link.symlink_to(data / "key.txt")
    assert error_key(lambda: load_key(None, link, [data])).key == "identifiers.key_in_data_folder"
    linked_data = tmp_path / "data-link"
    linked_data.symlink_to(data)
    assert error_key(lambda: load_key(None, data / "key.txt", [linked_data])).key == "identifiers.key_in_data_folder"


def test_key_too_short(monkeypatch, tmp_path):
    key_file = tmp_path / "key.txt"
    key_file.write_bytes(b"  0123456789abcde  \n")  # 15 bytes once stripped
    error = error_key(lambda: load_key(None, key_file, []))
    assert error.key == "identifiers.key_too_short"
    assert error.params["length"] == 15
    monkeypatch.setenv("ISU_TEST_KEY", "short")
    assert error_key(lambda: load_key("ISU_TEST_KEY", key_file, [])).key == "identifiers.env_key_too_short"


def test_messages_exist_in_both_languages():
    keys = {key for key in catalogue("sv") if key.startswith("identifiers.")}
    assert keys == {key for key in catalogue("en") if key.startswith("identifiers.")}
    assert {
        "identifiers.no_key",
        "identifiers.no_key_env",
        "identifiers.key_file_missing",
        "identifiers.key_file_unreadable",
        "identifiers.key_in_data_folder",
        "identifiers.key_too_short",
        "identifiers.env_key_too_short",
    } <= keys
    params = {"env_var": "X", "folder": "data", "length": 3, "minimum": 16, "reason": "r"}
    for key in keys:
        assert t(key, "sv", **params) != t(key, "en", **params)


@given(st.text(alphabet=st.sampled_from("0123456789-+ \u00a0x/."), max_size=30))
def test_a_text_without_the_shape_of_a_number_is_passed_over_and_holds_none(text):
    from isu_engine.protect.identifiers import mask_text
    from isu_engine.protect.number_shape import may_hold_one

    if not may_hold_one(text):
        assert not personal_number_mask(pd.Series([text], dtype=object)).iloc[0]
        assert mask_text(text) == text
