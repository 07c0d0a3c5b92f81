"""Work the tests share across the xdist workers of one run: made by the first worker that needs it."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock


def made_once(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder that `make(folder)` fills once per test run, shared by the xdist workers of the run.

    The first worker to ask makes it while the others wait for it; treat the files as read-only.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's own
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@contextlib.contextmanager
def every_plugin() -> Iterator[None]:
    """A context in which every installed plugin loads, whatever the asking test's `plugins` marker says."""
    from isu_engine.configure.plugins import LOAD_PLUGINS_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(LOAD_PLUGINS_ENV, raising=False)
        yield
