"""isu-engine: reports for individbaserad systematisk uppföljning (ISU)."""

from importlib.metadata import PackageNotFoundError, version

from isu_engine.hookspecs import hookimpl

try:
    __version__ = version("isu-engine")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__", "hookimpl"]
