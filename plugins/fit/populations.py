"""The names of the sets of units FIT counts, one name per set and period (disclosure keys)."""

from __future__ import annotations

from dataclasses import dataclass

from isu_engine.api import Period


def period_tag(period: Period) -> str:
    return f"{period.start.isoformat()}–{period.end.isoformat()}"


@dataclass(frozen=True)
class Populations:
    """Population strings of one period: what is counted, and in which period."""

    clients: str            # clients with a session in the period
    sessions: str           # sessions in the period
    episodes: str           # episodes with a session in the period
    paired: str             # those episodes with at least two ORS up to the period end
    jt: str                 # paired episodes with a clinical cutoff (Jacobson–Truax)
    no_cutoff: str          # paired episodes without a clinical cutoff (YCORS and unknown)
    on_track: str           # paired episodes for which the local expected trajectory gives a level
    trajectory: str         # episodes with intake on or before the period end (trajectory, leave-one-episode-out)
    trajectory_history: str  # episodes that ended before the period began (trajectory from history)

    @classmethod
    def of(cls, period: Period) -> "Populations":
        tag = period_tag(period)
        return cls(
            clients=f"clients@{tag}", sessions=f"sessions@{tag}", episodes=f"episodes@{tag}",
            paired=f"ors_paired@{tag}", jt=f"ors_jt@{tag}", no_cutoff=f"ors_no_cutoff@{tag}",
            on_track=f"ors_on_track@{tag}",
            trajectory=f"trajectory_episodes@≤{period.end.isoformat()}",
            trajectory_history=f"trajectory_ended@<{period.start.isoformat()}",
        )


@dataclass(frozen=True)
class StepPopulations:
    """Population strings of one step (month or quarter) of the continuous compilation."""

    clients: str
    sessions: str
    started: str            # episodes whose first session lies in the step
    ended: str              # episodes of the period that ended in the step

    @classmethod
    def of(cls, step_label: str) -> "StepPopulations":
        return cls(clients=f"clients@{step_label}", sessions=f"sessions@{step_label}",
                   started=f"episodes_started@{step_label}", ended=f"episodes_ended@{step_label}")
