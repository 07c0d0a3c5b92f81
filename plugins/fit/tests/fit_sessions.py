"""FIT session rows for tests: one row as written in a unit's file, and a small known period."""


def session(client, date, ors=None, srs=None, *, episode="", age=30, instrument="ORS", end="", gender="kvinna",
            unit="Vuxenteamet"):
    return {"client_id": client, "episode_id": episode, "session_date": date, "gender": gender, "age": age,
            "instrument": instrument, "unit": unit, "ors_total": ors, "srs_total": srs, "episode_end": end}


# Four clients in the period 2025 and one only in 2024 (client D).
VOLUME_ROWS = [
    session("A", "2024-11-10", 15, 38, episode="A1"),
    session("A", "2025-01-10", 18, 35, episode="A1"),
    session("A", "2025-02-10", 22, 37, episode="A1"),
    session("A", "2026-01-15", 30, 39, episode="A1"),     # after the period end
    session("B", "2025-03-01", 20, 40),                     # one ORS only, no episode_id
    session("B", "2025-03-08", None, 39),
    session("C", "2025-01-05", 10, 30, episode="C1"),
    session("C", "2025-02-05", 16, 36, episode="C1", end="planned"),
    session("C", "2025-09-01", 12, 34, episode="C2"),
    session("C", "2025-10-01", 12, 33, episode="C2", end="unplanned"),
    session("D", "2024-03-01", 10, 35, episode="D1"),       # no session in the period
    session("D", "2024-04-01", 20, 35, episode="D1"),
    session("E", "2025-06-01"),                             # a session without any measure
]
