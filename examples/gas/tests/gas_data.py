"""Small GAS data files for the tests: every field as heading, goals as (weight, baseline, follow-up)."""

from __future__ import annotations

GOAL_COLUMNS = [f"goal_{k}_{part}" for k in range(1, 6) for part in ("weight", "baseline", "followup")]
COLUMNS = ["case_id", "gender", "age", "unit", "start_date", "followup_date", *GOAL_COLUMNS]


def gas_csv(rows: list[dict]) -> str:
    """A semicolon CSV with every GAS field as heading; `rows` give the filled cells."""
    lines = [";".join(COLUMNS)]
    for row in rows:
        lines.append(";".join(str(row.get(column, "")) for column in COLUMNS))
    return "\n".join(lines) + "\n"


def goals(*triples) -> dict:
    """goal_k_weight/baseline/followup cells from (weight, baseline, followup) per goal; None = empty."""
    cells = {}
    for k, (weight, baseline, followup) in enumerate(triples, start=1):
        for part, value in (("weight", weight), ("baseline", baseline), ("followup", followup)):
            if value is not None:
                cells[f"goal_{k}_{part}"] = value
    return cells
