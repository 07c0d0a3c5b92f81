"""Disclosure control: primary and secondary suppression over a ledger of counts."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.protect.disclosure import Ledger, hidden_text


def frequency_table(ledger: Ledger, name: str, counts: dict, *, total_key=None) -> tuple:
    """Register one frequency table with its total; return the total's key."""
    total_key = total_key or (name, "total")
    keys = [ledger.count((name, category), value) for category, value in counts.items()]
    ledger.count(total_key, sum(counts.values()))
    ledger.equation(total_key, keys)
    return total_key


def cross_table(ledger: Ledger, name: str, cells: list[list[int]], row_keys=None, grand_key=None) -> None:
    """Register a rows × columns table with row, column and grand totals and all their equations."""
    n_rows, n_columns = len(cells), len(cells[0])
    row_keys = row_keys or [(name, "row", i) for i in range(n_rows)]
    grand_key = grand_key or (name, "all")
    column_keys = [(name, "column", j) for j in range(n_columns)]
    for i, j in itertools.product(range(n_rows), range(n_columns)):
        ledger.count((name, "cell", i, j), cells[i][j])
    for i, key in enumerate(row_keys):
        ledger.count(key, sum(cells[i]))
        ledger.equation(key, [(name, "cell", i, j) for j in range(n_columns)])
    for j, key in enumerate(column_keys):
        ledger.count(key, sum(row[j] for row in cells))
        ledger.equation(key, [(name, "cell", i, j) for i in range(n_rows)])
    ledger.count(grand_key, sum(map(sum, cells)))
    ledger.equation(grand_key, row_keys)
    ledger.equation(grand_key, column_keys)


# --- an independent check: exact rational elimination ---------------------------------


def recoverable(ledger: Ledger, equations: list[tuple], keys: list) -> set:
    """Keys among `keys` whose value follows uniquely from the visible values and `equations`.

    Exact Gaussian elimination over the rationals: the unknowns are the hidden keys; a key is
    determined when its unit vector is one of the rows of the reduced row echelon form.
    """
    unknowns = sorted({k for total, parts in equations for k in (total, *parts) if ledger.is_hidden(k)}, key=repr)
    column = {k: j for j, k in enumerate(unknowns)}
    rows = []
    for total, parts in equations:
        row = [Fraction(0)] * len(unknowns)
        for key, sign in [(total, 1), *((p, -1) for p in parts)]:
            if key in column:
                row[column[key]] += sign
        if any(row):
            rows.append(row)
    pivots = []
    for j in range(len(unknowns)):
        r = len(pivots)
        pivot = next((i for i in range(r, len(rows)) if rows[i][j] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [x / rows[r][j] for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][j] != 0:
                factor = rows[i][j]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r])]
        pivots.append(j)
    determined = {unknowns[j] for r, j in enumerate(pivots) if sum(x != 0 for x in rows[r]) == 1}
    return determined & set(keys)


# --- hand-worked cases ---------------------------------------------------------------


def test_hidden_text():
    assert hidden_text(5) == "<5"
    assert hidden_text(10) == "<10"


def test_one_small_cell_hides_the_smallest_other_positive_cell():
    ledger = Ledger()
    total = frequency_table(ledger, "referral", {"self": 12, "school": 3, "police": 7, "other": 20})
    hidden = ledger.resolve()
    assert hidden == {("referral", "school"), ("referral", "police")}
    assert not ledger.is_hidden(total)
    assert ledger.primary() == {("referral", "school")}
    assert ledger.secondary() == {("referral", "police")}


def test_19_of_20_improved_hides_the_one_and_one_more():
    ledger = Ledger()
    jt = {"recovered": 0, "improved": 19, "unchanged": 1, "deteriorated": 0, "harmed": 0}
    n = frequency_table(ledger, "ors", jt, total_key=("ors", "n_paired"))
    assert ledger.resolve() == {("ors", "unchanged"), ("ors", "improved")}
    assert not ledger.is_hidden(n)
    assert not ledger.is_hidden(("ors", "recovered"))


def test_proportion_shown_alone_hides_k_when_the_rest_is_small():
    ledger = Ledger()
    k = ledger.count("ended_as_planned", 18)
    n = ledger.count("ended", 20)
    rest = ledger.count("ended_otherwise", 2, published=False)
    ledger.equation(n, [k, rest])
    assert ledger.resolve() == {k, rest}
    assert not ledger.is_hidden(n)
    assert ledger.primary() == frozenset()
    assert ledger.secondary() == {k}


def test_unpublished_complement_that_is_not_small_needs_no_protection():
    ledger = Ledger()
    with_x = ledger.count("with_x", 10)
    total = ledger.count("cases", 50)
    without_x = ledger.count("without_x", 40, published=False)
    ledger.equation(total, [with_x, without_x])
    assert ledger.resolve() == {without_x}
    assert ledger.secondary() == frozenset()


def test_zero_cells_are_never_primary():
    ledger = Ledger()
    frequency_table(ledger, "a", {"x": 0, "y": 0, "z": 10, "w": 12})
    assert ledger.resolve() == frozenset()

    ledger = Ledger()
    frequency_table(ledger, "b", {"x": 0, "y": 3, "z": 10})
    # the 3 is primary; the positive 10 is preferred over the zero and the total
    assert ledger.resolve() == {("b", "y"), ("b", "z")}


def test_min_cell_1_hides_no_published_count():
    ledger = Ledger(min_cell=1)
    frequency_table(ledger, "a", {"x": 1, "y": 2, "z": 0})
    rest = ledger.count("rest", 1, published=False)
    ledger.count("n", 4)
    ledger.equation("n", [("a", "total"), rest])
    assert ledger.resolve() == {rest}
    assert ledger.primary() == ledger.secondary() == frozenset()


def test_a_key_shared_by_two_tables_is_hidden_in_both():
    ledger = Ledger()
    gender = {"flicka": 3, "pojke": 10, "kvinna": 20, "man": 15}
    frequency_table(ledger, "gender", gender)
    # a breakdown improved yes / no by gender whose row totals are the same gender keys
    improved = {"flicka": (2, 1), "pojke": (6, 4), "kvinna": (12, 8), "man": (9, 6)}
    for g, (yes, no) in improved.items():
        ledger.count(("improved", g, True), yes)
        ledger.count(("improved", g, False), no)
        ledger.equation(("gender", g), [("improved", g, True), ("improved", g, False)])
    ledger.resolve()
    assert ledger.is_hidden(("gender", "flicka"))
    equations = [(("gender", "total"), [("gender", g) for g in gender])] + [
        (("gender", g), [("improved", g, True), ("improved", g, False)]) for g in gender
    ]
    sensitive = [key for key in ledger.resolve() if 1 <= ledger.value(key) < 5]
    assert ("improved", "flicka", True) in sensitive
    assert recoverable(ledger, equations, sensitive) == set()
    # the secondary cell in the gender table opens its own breakdown row too
    for g in gender:
        row = [("gender", g), ("improved", g, True), ("improved", g, False)]
        assert sum(ledger.is_hidden(key) for key in row) != 1


def test_cross_table_with_one_small_cell_hides_a_rectangle():
    ledger = Ledger()
    cells = [[2, 9, 30], [8, 25, 40], [35, 12, 50]]
    cross_table(ledger, "t", cells)
    # row 0's smallest other cell is 9, column 0's is 8; the cell where row 1 and
    # column 1 meet closes both, completing the rectangle.
    expected = {("t", "cell", 0, 0), ("t", "cell", 0, 1), ("t", "cell", 1, 0), ("t", "cell", 1, 1)}
    assert ledger.resolve() == expected
    equations = [(("t", "row", i), [("t", "cell", i, j) for j in range(3)]) for i in range(3)]
    equations += [(("t", "column", j), [("t", "cell", i, j) for i in range(3)]) for j in range(3)]
    assert recoverable(ledger, equations, list(expected)) == set()


def test_problem_areas_hide_an_area_held_by_all_but_three():
    ledger = Ledger()
    n = ledger.count("cases", 30)
    areas = {"missbruk": 27, "skola": 12, "familj": 8}
    for area, k in areas.items():
        ledger.count(("area", area), k)
        ledger.count(("no_area", area), 30 - k, published=False)
        ledger.equation(n, [("area", area), ("no_area", area)])
    hidden = ledger.resolve()
    assert hidden - {("no_area", area) for area in areas} == {("area", "missbruk")}
    assert not ledger.is_hidden(n)


def test_verification_hides_more_when_equations_together_pin_a_cell():
    # a + b = 12, b + c = 17, a + c = 9: after hiding a (2), b and c, every equation has two
    # unknowns, yet the three together give a = 2. One total more must go: the smaller, t3.
    ledger = Ledger()
    for key, value in {"a": 2, "b": 10, "c": 7, "t1": 12, "t2": 17, "t3": 9}.items():
        ledger.count(key, value)
    equations = [("t1", ["a", "b"]), ("t2", ["b", "c"]), ("t3", ["a", "c"])]
    for total, parts in equations:
        ledger.equation(total, parts)
    assert ledger.resolve() == {"a", "b", "c", "t3"}
    assert recoverable(ledger, equations, ["a", "b", "c", "t3"]) == set()


# --- errors --------------------------------------------------------------------------


def test_registering_a_key_again_with_another_value_raises():
    ledger = Ledger()
    ledger.count("n", 10)
    ledger.count("n", 10)
    with pytest.raises(ValueError):
        ledger.count("n", 11)


def test_registering_again_as_published_upgrades_an_unpublished_key():
    ledger = Ledger()
    ledger.count("rest", 3, published=False)
    ledger.count("rest", 3)
    ledger.count("other", 20, published=False)
    ledger.count("other", 20, published=False)
    ledger.resolve()
    assert ledger.primary() == {"rest"}
    assert ledger.is_hidden("other")


def test_published_key_stays_published():
    ledger = Ledger()
    ledger.count("n", 20)
    ledger.count("n", 20, published=False)
    assert not ledger.resolve()


def test_equation_that_does_not_add_up_raises():
    ledger = Ledger()
    ledger.count("n", 10)
    ledger.count("a", 4)
    ledger.count("b", 5)
    with pytest.raises(ValueError):
        ledger.equation("n", ["a", "b"])


def test_equation_with_an_unregistered_key_raises():
    ledger = Ledger()
    ledger.count("n", 10)
    with pytest.raises(KeyError):
        ledger.equation("n", ["a"])


def test_registering_after_resolve_raises():
    ledger = Ledger()
    ledger.count("n", 10)
    ledger.resolve()
    with pytest.raises(RuntimeError):
        ledger.count("m", 3)
    with pytest.raises(RuntimeError):
        ledger.equation("n", [])


def test_asking_before_resolve_raises():
    ledger = Ledger()
    ledger.count("n", 3)
    with pytest.raises(RuntimeError):
        ledger.is_hidden("n")
    with pytest.raises(RuntimeError):
        ledger.primary()


def test_resolve_is_idempotent():
    ledger = Ledger()
    frequency_table(ledger, "a", {"x": 1, "y": 9, "z": 12})
    first = ledger.resolve()
    assert ledger.resolve() == first == {("a", "x"), ("a", "y")}


@pytest.mark.parametrize("value", [-1, 2.0, True, "3"])
def test_counts_must_be_whole_non_negative_numbers(value):
    with pytest.raises((TypeError, ValueError)):
        Ledger().count("n", value)


@pytest.mark.parametrize("min_cell", [0, -5])
def test_min_cell_must_be_at_least_one(min_cell):
    with pytest.raises(ValueError):
        Ledger(min_cell=min_cell)


# --- properties ----------------------------------------------------------------------


@st.composite
def tables(draw):
    """A cross table, sometimes with a second one sharing its row totals and grand total."""
    n_rows = draw(st.integers(2, 5))
    n_columns = draw(st.integers(2, 5))
    cells = draw(st.lists(st.lists(st.integers(0, 30), min_size=n_columns, max_size=n_columns),
                          min_size=n_rows, max_size=n_rows))
    second = None
    if draw(st.booleans()):
        n_columns_2 = draw(st.integers(2, 4))
        second = []
        for row in cells:
            cuts = sorted(draw(st.lists(st.integers(0, sum(row)), min_size=n_columns_2 - 1,
                                        max_size=n_columns_2 - 1)))
            bounds = [0, *cuts, sum(row)]
            second.append([b - a for a, b in zip(bounds, bounds[1:])])
    min_cell = draw(st.sampled_from([2, 3, 5, 10]))
    return cells, second, min_cell


def table_registrations(cells, second) -> tuple[dict, list]:
    """Every count and equation of the tables, as plain data."""
    counts, equations = {}, []

    def add(name, table, row_keys):
        n_rows, n_columns = len(table), len(table[0])
        for i, j in itertools.product(range(n_rows), range(n_columns)):
            counts[(name, "cell", i, j)] = table[i][j]
        for i, key in enumerate(row_keys):
            counts[key] = sum(table[i])
            equations.append((key, [(name, "cell", i, j) for j in range(n_columns)]))
        for j in range(n_columns):
            counts[(name, "column", j)] = sum(row[j] for row in table)
            equations.append(((name, "column", j), [(name, "cell", i, j) for i in range(n_rows)]))
        counts[("all",)] = sum(map(sum, table))
        equations.append((("all",), list(row_keys)))
        equations.append((("all",), [(name, "column", j) for j in range(n_columns)]))

    row_keys = [("row", i) for i in range(len(cells))]
    add("t1", cells, row_keys)
    if second is not None:
        add("t2", second, row_keys)
    return counts, equations


def register(counts, equations, min_cell, order) -> Ledger:
    ledger = Ledger(min_cell=min_cell)
    keys = list(counts)
    for i in order(len(keys)):
        ledger.count(keys[i], counts[keys[i]])
    for i in order(len(equations)):
        ledger.equation(*equations[i])
    return ledger


@settings(deadline=None)
@given(tables(), st.randoms(use_true_random=False))
def test_random_cross_tables_are_protected(table, random):
    cells, second, min_cell = table
    counts, equations = table_registrations(cells, second)
    ledger = register(counts, equations, min_cell, lambda n: range(n))
    hidden = ledger.resolve()

    sensitive = {key for key, value in counts.items() if 1 <= value < min_cell}
    # (a) no small published count is shown
    assert sensitive <= hidden
    assert ledger.primary() == sensitive
    assert ledger.secondary() == hidden - sensitive
    # (b) no hidden count can be worked out from the visible ones
    assert recoverable(ledger, equations, list(hidden)) == set()
    # (c) what is shown is shown as registered
    for key, value in counts.items():
        if key not in hidden:
            assert ledger.value(key) == value
    # (d) the same counts registered in another order give the same decision
    shuffled = register(counts, equations, min_cell, lambda n: random.sample(range(n), n))
    assert shuffled.resolve() == hidden


@settings(deadline=None)
@given(
    st.integers(0, 40).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n), min_size=1, max_size=6))
    ),
    st.sampled_from([3, 5]),
)
def test_random_multi_valued_tables_protect_unpublished_complements(case, min_cell):
    n, areas = case
    ledger = Ledger(min_cell=min_cell)
    ledger.count("cases", n)
    equations = []
    for i, k in enumerate(areas):
        ledger.count(("area", i), k)
        ledger.count(("no_area", i), n - k, published=False)
        equations.append(("cases", [("area", i), ("no_area", i)]))
        ledger.equation(*equations[-1])
    hidden = ledger.resolve()
    protected = [key for key in hidden if 1 <= ledger.value(key) < min_cell]
    assert all(ledger.is_hidden(("no_area", i)) for i in range(len(areas)))
    assert recoverable(ledger, equations, protected + list(ledger.secondary())) == set()
    for i, k in enumerate(areas):
        small = 1 <= k < min_cell or 1 <= n - k < min_cell
        if small:
            assert ledger.is_hidden(("area", i)) or ledger.is_hidden("cases")
