"""Reading a user's file whole, with one clear error for each way it can fail."""

from __future__ import annotations

from pathlib import Path

from isu_engine.errors import UserError


def read_file_bytes(path: Path, display: str | Path | None = None) -> bytes:
    """The bytes of `path`; a missing, unreadable or folder path is a UserError naming `display`."""
    display = display or path
    if path.is_dir():
        raise UserError("file.is_directory", file=display)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError("file.missing", file=display) from None
    except PermissionError:
        raise UserError("file.no_permission", file=display) from None
    except OSError as error:
        raise UserError("file.unreadable", file=display, reason=error.strerror or str(error)) from None
