"""What can and cannot be compared across the datasets of a comparison, said in words.

Each aspect (who is counted, contacts, duration, ending, outcome, goal attainment, client
feedback) gets one verdict over all compared datasets — yes, partly or no — with its reason.
When some datasets do not measure an aspect, the verdict is no, and the reason also says how
the datasets that do measure it stand among themselves, so that two different definitions in
one column are never left unremarked because a third dataset lacks the measure. Every table
of the comparison that puts datasets' figures in one column carries the same statement
(`verdict_note`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from isu_engine.analyse.context import AnalysisConfig

if TYPE_CHECKING:
    from isu_engine.compare.comparison import Compared

YES, PARTLY, NO = "yes", "partly", "no"
PARTLY_WHEN_DIFFERENT = ("contacts", "duration", "ending")
"""Aspects that stay the same kind of figure under different definitions (else: not comparable)."""
REASON = "comparison.what.reason."


def joined(ctx: AnalysisConfig, items: list[str]) -> str:
    """`a, b och c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + ctx.t("comparison.and") + items[-1]


def respondent(ctx: AnalysisConfig, code: str | None) -> str:
    """Who answers, in words (– when the model does not say)."""
    return ctx.t(f"comparison.respondent.{code}") if code else "–"


def definition_text(ctx: AnalysisConfig, c: Compared, aspect: str) -> str:
    """A dataset's definition of an aspect with who answers, or "mäts inte"."""
    definition = c.definition(aspect)
    if definition is None:
        return ctx.t("comparison.not_measured")
    who = c.attrs["respondents"].get(aspect)
    if not who:
        return definition
    return f"{definition.rstrip('. ')}. {ctx.t('comparison.answered_by', who=respondent(ctx, who))}"


def measuring(aspect: str, compared: list[Compared]) -> list[Compared]:
    """The datasets that measure an aspect."""
    return [c for c in compared if c.definition(aspect) is not None]


def comparability(ctx: AnalysisConfig, aspect: str, compared: list[Compared]) -> tuple[str, str]:
    """Whether an aspect can be compared across the datasets: ("yes" | "partly" | "no", reason).

    A dataset that does not measure the aspect makes the verdict no; the reason then names it
    and, when two or more others measure it, says whether those use the same definition.
    """
    present = measuring(aspect, compared)
    missing = [c.title for c in compared if c.definition(aspect) is None]
    if not present:
        return NO, ctx.t(REASON + "none")
    if not missing:
        verdict, lead, clauses = among(ctx, aspect, present)
        return verdict, "; ".join([lead, *clauses])
    reason = ctx.t(REASON + "missing", datasets=joined(ctx, missing))
    if len(present) == 1:
        return NO, reason
    verdict, _, clauses = among(ctx, aspect, present)
    rest = ctx.t(REASON + f"among.{verdict}", datasets=joined(ctx, [c.title for c in present]))
    return NO, "; ".join([reason, rest, *clauses])


def among(ctx: AnalysisConfig, aspect: str, present: list[Compared]) -> tuple[str, str, list[str]]:
    """The verdict over datasets that all measure an aspect, its reason, and the clauses that explain it
    (different respondents; which datasets share a definition when not all do)."""
    definitions = [c.definition(aspect) for c in present]
    if aspect == "target_group":
        if len({c.attrs["unit_of_analysis"] for c in present}) > 1:
            which = [ctx.t(REASON + "counts", dataset=c.title, units=c.attrs["units"]) for c in present]
            return PARTLY, ctx.t(REASON + "target_units", which=joined(ctx, which)), []
        if len(set(definitions)) > 1:
            return PARTLY, ctx.t(REASON + "target_different"), []
        return YES, ctx.t(REASON + "same"), []
    respondents = [c.attrs["respondents"].get(aspect) for c in present]
    kinds = list(zip(definitions, respondents, strict=True))
    if len(set(kinds)) == 1:
        return YES, ctx.t(REASON + "same"), []
    clauses = []
    if len(set(respondents)) > 1:
        which = [f"{c.title}: {respondent(ctx, r)}" for c, r in zip(present, respondents, strict=True)]
        clauses.append(ctx.t(REASON + "respondents", which=", ".join(which)))
    for kind in dict.fromkeys(kinds):
        sharing = [c.title for c, k in zip(present, kinds, strict=True) if k == kind]
        if len(sharing) > 1:
            clauses.append(ctx.t(REASON + "shared", datasets=joined(ctx, sharing)))
    if aspect in PARTLY_WHEN_DIFFERENT:
        return PARTLY, ctx.t(REASON + "partly"), clauses
    return NO, ctx.t(REASON + "different"), clauses


def comparable_among(ctx: AnalysisConfig, aspect: str, compared: list[Compared]) -> bool:
    """Whether the datasets that measure an aspect all measure it the same way (and at least one does)."""
    present = measuring(aspect, compared)
    return bool(present) and among(ctx, aspect, present)[0] == YES


def verdict_note(ctx: AnalysisConfig, aspect: str, compared: list[Compared]) -> str:
    """The comparability statement of an aspect, for a table that shows it: `Jämförbart? Kontakter: …`."""
    _, reason = comparability(ctx, aspect, compared)
    return ctx.t("comparison.what.verdict_note", aspect=ctx.t(f"comparison.what.aspects.{aspect}"), reason=reason)
