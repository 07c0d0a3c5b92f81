"""The sets of units FIT counts, one stable name per set and period (shown in report.json's definitions).

Sessions are counted as the dataset's rows (the row labels the data-quality section counts
too), episodes by their episode key, clients by their client code.
"""

from __future__ import annotations

from dataclasses import dataclass

from isu_engine.api import Period, Population

SESSIONS = "rows"
EPISODES = "episodes"
CLIENTS = "clients"


def period_tag(period: Period) -> str:
    return f"{period.start.isoformat()}–{period.end.isoformat()}"


@dataclass(frozen=True)
class Populations:
    """The populations of one period: what is counted, and in which period."""

    clients: Population         # clients with a session in the period
    sessions: Population        # sessions in the period
    episodes: Population        # episodes with a session in the period
    paired: Population          # those episodes with at least two ORS up to the period end
    jt: Population              # paired episodes with a clinical cutoff (Jacobson–Truax)
    no_cutoff: Population       # paired episodes without a clinical cutoff (YCORS and unknown)
    on_track: Population        # paired episodes for which the local expected trajectory gives a level
    trajectory: Population      # episodes with intake on or before the period end (trajectory, leave-one-episode-out)
    trajectory_history: Population  # episodes that ended before the period began (trajectory from history)

    @classmethod
    def of(cls, period: Period) -> Populations:
        tag = period_tag(period)
        return cls(
            clients=Population(CLIENTS, f"clients@{tag}"), sessions=Population(SESSIONS, f"sessions@{tag}"),
            episodes=Population(EPISODES, f"episodes@{tag}"), paired=Population(EPISODES, f"ors_paired@{tag}"),
            jt=Population(EPISODES, f"ors_jt@{tag}"), no_cutoff=Population(EPISODES, f"ors_no_cutoff@{tag}"),
            on_track=Population(EPISODES, f"ors_on_track@{tag}"),
            trajectory=Population(EPISODES, f"trajectory_episodes@≤{period.end.isoformat()}"),
            trajectory_history=Population(EPISODES, f"trajectory_ended@<{period.start.isoformat()}"),
        )


@dataclass(frozen=True)
class StepPopulations:
    """The populations of one step (month or quarter) of the continuous compilation."""

    clients: Population
    sessions: Population
    started: Population     # episodes whose first session lies in the step
    ended: Population       # episodes of the period that ended in the step

    @classmethod
    def of(cls, step_label: str) -> StepPopulations:
        return cls(clients=Population(CLIENTS, f"clients@{step_label}"),
                   sessions=Population(SESSIONS, f"sessions@{step_label}"),
                   started=Population(EPISODES, f"episodes_started@{step_label}"),
                   ended=Population(EPISODES, f"episodes_ended@{step_label}"))
