"""Write output files atomically: a crash or Ctrl-C never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from collections.abc import Iterator

from isu_engine.errors import UserError


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`; it replaces `target` only if the block succeeds.

    A file system that refuses (no space left, no permission, a file where a folder should
    be) is a UserError naming `target` and the reason.
    """
    target = Path(target)
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(handle)
        temporary = Path(name)
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as error:
        raise write_error(target, error) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def write_error(target: Path, error: OSError) -> UserError:
    """The one-line error for a file that could not be written."""
    return UserError("file.write_failed", file=target, reason=error.strerror or str(error))


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
