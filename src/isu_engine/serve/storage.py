"""Where things live: the data folder's layout, the pseudonym key, and stored rows as Parquet bytes."""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path

import pandas as pd
from django.conf import settings

KEY_ENV = "ISU_PSEUDONYM_KEY"


def folder(*parts: str) -> Path:
    path = Path(settings.DATA_DIR, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def key_file() -> Path:
    """The pseudonym key file (outside the database and outside every data folder); made once.

    When the environment variable ISU_PSEUDONYM_KEY is set, the engine takes the key from it instead.
    """
    path = folder("keys") / "pseudonym.key"
    if not path.exists() and not os.environ.get(KEY_ENV):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path


def pseudonym_key() -> bytes:
    from isu_engine import library

    return library.load_key(KEY_ENV, key_file(), [folder("uploads"), folder("work")])


def rows_to_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def rows_from_bytes(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(bytes(data)))


def engine_csv(frames: list[pd.DataFrame], path: Path) -> Path:
    """Stored rows of several periods as one CSV the engine reads (headings are the model's field names)."""
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame.to_csv(path, index=False, sep=",", date_format="%Y-%m-%d")
    return path
