"""Declarative rules on small hand-built tables: exactly the rows that break a rule are quarantined.

Each test writes a YAML-only model with one rule, a CSV whose rows are chosen by hand
(header = row 1, so the first data row is row 2), and runs the public validation path
(`load_config` → `load_dataset`). The rule's `id` is the check name in the issues.
"""

import pandas as pd

from isu_engine import hookimpl
from isu_engine.configure.config import load_config
from isu_engine.check.dataset import load_dataset
from isu_engine.configure.plugins import load_registry
from isu_engine.check.rules import Failure, RuleKind

MODEL = """
name: regler
title: {{sv: Regler, en: Rules}}
version: "1.0"
fields:
  - {{name: id, type: string, role: subject, constraints: {{required: true}}}}
  - {{name: visit, type: integer}}
  - {{name: status, type: string}}
  - {{name: cause, type: string}}
  - {{name: a, type: number}}
  - {{name: b, type: number}}
  - {{name: total, type: number}}
  - {{name: start, type: date}}
  - {{name: end, type: date}}
rules:
{rules}
"""
HEADER = "id;visit;status;cause;a;b;total;start;end\n"
CONFIG = "datasets:\n  t: {model: regler, source: data.csv}\n"


def validate(write, tmp_path, rules: str, rows: str, extra_plugins=()):
    """Validate `rows` against the model with `rules`; the Dataset."""
    write("models/regler/model.yaml", MODEL.format(rules=rules))
    write("data.csv", HEADER + rows)
    registry = load_registry([tmp_path / "models"], extra_plugins=extra_plugins)
    assert "regler" in registry.models, registry.problems
    config = load_config(write("config.yaml", CONFIG))
    return load_dataset(config, config.datasets["t"], registry)


def issue_rows(dataset) -> list[tuple[int, str, str]]:
    """(row, field, check) of every issue, sorted."""
    return sorted(zip(dataset.issues["row"].astype(int), dataset.issues["field"], dataset.issues["check"]))


def test_sum_equals_with_tolerance(write, tmp_path):
    dataset = validate(write, tmp_path, "  - {type: sum_equals, id: summa, fields: [a, b], total: total, tolerance: 0.5}", (
        "K1;1;;;2;3;5;;\n"       # row 2: 2 + 3 = 5, difference 0            -> valid
        "K2;1;;;2;3;5,5;;\n"     # row 3: |5 - 5.5| = 0.5 = tolerance        -> valid (at the limit)
        "K3;1;;;2;3;5,6;;\n"     # row 4: |5 - 5.6| = 0.6 > 0.5               -> broken
        "K4;1;;;2;3;4,4;;\n"     # row 5: |5 - 4.4| = 0.6 > 0.5 (too low)     -> broken
        "K5;1;;;2;;9;;\n"        # row 6: b missing, nothing to add up        -> valid
        "K6;1;;;2;3;;;\n"        # row 7: total missing                       -> valid
        "K7;1;;;1,25;2,25;3,5;;\n"  # row 8: 1.25 + 2.25 = 3.5              -> valid
    ))
    assert issue_rows(dataset) == [(4, "total", "summa"), (5, "total", "summa")]
    assert list(dataset.quarantine["row"]) == [4, 5]
    assert dataset.frame["_row"].tolist() == [2, 3, 6, 7, 8]
    assert dataset.rows_in == dataset.rows_valid + dataset.rows_quarantined == 7


def test_sum_equals_without_tolerance_is_exact_up_to_rounding_noise(write, tmp_path):
    dataset = validate(write, tmp_path, "  - {type: sum_equals, fields: [a, b], total: total}", (
        "K1;1;;;0,1;0,2;0,3;;\n"   # row 2: 0.1 + 0.2 = 0.30000000000000004 in binary; equal within 1e-9 -> valid
        "K2;1;;;1;1;2,1;;\n"       # row 3: 1 + 1 = 2 ≠ 2.1 and the default tolerance is 0           -> broken
    ))
    # without an id the check is named <type>_<number>: the first rule is sum_equals_1
    assert issue_rows(dataset) == [(3, "total", "sum_equals_1")]


def test_required_if(write, tmp_path):
    rule = "  - {type: required_if, id: orsak_kravs, field: cause, when: {status: [avbrutet, flytt]}}"
    dataset = validate(write, tmp_path, rule, (
        "K1;1;avbrutet;tidsbrist;;;;;\n"  # row 2: condition holds, reason given   -> valid
        "K2;1;avbrutet;;;;;;\n"           # row 3: condition holds, reason missing -> broken
        "K3;1;planerat;;;;;;\n"           # row 4: condition does not hold          -> valid
        "K4;1;;;;;;;\n"                   # row 5: status missing, no condition     -> valid
        "K5;1;flytt;;;;;;\n"              # row 6: second accepted value, missing   -> broken
    ))
    assert issue_rows(dataset) == [(3, "cause", "orsak_kravs"), (6, "cause", "orsak_kravs")]
    assert dataset.frame["id"].tolist() == ["K1", "K3", "K4"]


def test_required_if_present_condition(write, tmp_path):
    rule = "  - {type: required_if, id: slut_kravs, field: end, when: {status: present, cause: missing}}"
    dataset = validate(write, tmp_path, rule, (
        "K1;1;avslutat;;;;;2025-01-01;\n"            # row 2: status present, reason missing, end missing -> broken
        "K2;1;avslutat;;;;;2025-01-01;2025-02-01\n"  # row 3: end given                                  -> valid
        "K3;1;avslutat;flytt;;;;2025-01-01;\n"       # row 4: reason present, condition fails            -> valid
        "K4;1;;;;;;2025-01-01;\n"                    # row 5: status missing, condition fails            -> valid
    ))
    assert issue_rows(dataset) == [(2, "end", "slut_kravs")]


def test_unique_together(write, tmp_path):
    dataset = validate(write, tmp_path, "  - {type: unique_together, id: besok, fields: [id, visit]}", (
        "K1;1;;;;;;;\n"  # row 2: (K1, 1) also on row 4  -> broken
        "K1;2;;;;;;;\n"  # row 3: (K1, 2) once           -> valid
        "K1;1;;;;;;;\n"  # row 4: (K1, 1) also on row 2  -> broken
        "K2;1;;;;;;;\n"  # row 5: (K2, 1) once           -> valid
        "K2;2;;;;;;;\n"  # row 6: (K2, 2) also on row 7  -> broken
        "K2;2;;;;;;;\n"  # row 7                          -> broken
    ))
    # filed under the first field of the combination, every copy of a duplicate (not only the later ones)
    assert issue_rows(dataset) == [(r, "id", "besok") for r in (2, 4, 6, 7)]
    assert dataset.frame["_row"].tolist() == [3, 5]


def test_compare_two_date_fields(write, tmp_path):
    dataset = validate(write, tmp_path, "  - {type: compare, id: start_fore_slut, field: start, op: '<=', other: end}", (
        "K1;1;;;;;;2025-01-01;2025-03-01\n"  # row 2: start before end      -> valid
        "K2;1;;;;;;2025-03-01;2025-03-01\n"  # row 3: equal, <= holds        -> valid
        "K3;1;;;;;;2025-03-02;2025-03-01\n"  # row 4: start after end        -> broken
        "K4;1;;;;;;2025-03-02;\n"            # row 5: end missing, no check  -> valid
    ))
    assert issue_rows(dataset) == [(4, "start", "start_fore_slut")]


def test_compare_with_a_value_and_a_strict_operator(write, tmp_path):
    dataset = validate(write, tmp_path, "  - {type: compare, id: positiv, field: a, op: '>', value: 0}", (
        "K1;1;;;1;;;;\n"     # row 2: 1 > 0     -> valid
        "K2;1;;;0;;;;\n"     # row 3: 0 > 0 is false -> broken
        "K3;1;;;-2,5;;;;\n"  # row 4: -2.5 > 0 is false -> broken
        "K4;1;;;;;;;\n"      # row 5: a missing -> valid
    ))
    assert issue_rows(dataset) == [(3, "a", "positiv"), (4, "a", "positiv")]
    assert dataset.frame["_row"].tolist() == [2, 5]


def test_rules_together_quarantine_the_union_of_their_rows(write, tmp_path):
    rules = ("  - {type: compare, id: ordning, field: start, op: '<=', other: end}\n"
             "  - {type: sum_equals, id: summa, fields: [a, b], total: total}\n"
             "  - {type: required_if, id: orsak, field: cause, when: {status: avbrutet}}\n")
    dataset = validate(write, tmp_path, rules, (
        "K1;1;avbrutet;;1;1;3;2025-02-01;2025-01-01\n"  # row 2: breaks all three
        "K2;1;avbrutet;x;1;1;2;2025-01-01;2025-02-01\n"  # row 3: valid
        "K3;1;;;1;1;3;;\n"                               # row 4: breaks summa only
    ))
    assert issue_rows(dataset) == [(2, "cause", "orsak"), (2, "start", "ordning"), (2, "total", "summa"),
                                   (4, "total", "summa")]
    assert list(dataset.quarantine["row"]) == [2, 4]
    assert dataset.rows_quarantined == 2 and dataset.rows_valid == 1


def _multiple_of(frame: pd.DataFrame, rule) -> list[Failure]:
    """Rows whose value is not a whole multiple of `step`."""
    values = frame[rule.params["field"]]
    broken = values.notna() & ((values % rule.params["step"]) != 0)
    return [Failure(broken, rule.params["field"], "rule.custom", {"text": f"inte en multipel av {rule.params['step']}"})]


class MultipleOfRules:
    @hookimpl
    def isu_rule_types(self, register):
        register(RuleKind("multiple_of", ("field", "step"), ("field",), _multiple_of, ("field", "step")))


def test_a_rule_kind_from_a_plugin_is_applied_in_validation(write, tmp_path):
    dataset = validate(write, tmp_path, "  - {type: multiple_of, id: halvtimmar, field: a, step: 0.5}", (
        "K1;1;;;1,5;;;;\n"   # row 2: 1.5 = 3 × 0.5     -> valid
        "K2;1;;;1,25;;;;\n"  # row 3: 1.25 = 2.5 × 0.5  -> broken
        "K3;1;;;;;;;\n"      # row 4: missing          -> valid
        "K4;1;;;7;;;;\n"     # row 5: 7 = 14 × 0.5      -> valid
    ), extra_plugins=[("halvtimmar", MultipleOfRules())])
    assert issue_rows(dataset) == [(3, "a", "halvtimmar")]
    assert dataset.issues["message"].tolist() == ["Rad 3: inte en multipel av 0.5"]
    assert dataset.frame["_row"].tolist() == [2, 4, 5]


def test_rule_messages_write_numbers_as_the_report_language_does(write, tmp_path):
    rule = "  - {type: sum_equals, id: summa, fields: [a, b], total: total, tolerance: 0.2}"
    dataset = validate(write, tmp_path, rule, "K1;1;;;1,5;1,5;3,5;;\n")  # 1.5 + 1.5 = 3, given 3.5
    message = dataset.issues["message"].tolist()[0]
    assert "summerar till 3 (tolerans 0,2)" in message, message
