"""The command line starts without the heavy libraries, and a report run without scipy.stats."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.stats.groups import chi_square_p
from isu_engine.stats.proportions import _z, wilson_interval


def loaded_after(code: str) -> set[str]:
    """The heavy modules imported after running `code` in a fresh interpreter."""
    heavy = ("pandas", "scipy", "scipy.stats", "weasyprint", "openpyxl", "jinja2")
    script = f"import sys\n{code}\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_parsing_the_command_line_loads_no_heavy_library():
    code = ("from isu_engine.commands.cli import build_parser\n"
            "build_parser().parse_args(['report', 'c.yaml', '--out', 'o', '--format', 'json,xlsx'])")
    assert loaded_after(code) == set()


@pytest.mark.plugins("fit", "loke", "gas")  # each loaded model's file name is shown, masked where it must be
def test_listing_the_models_loads_no_heavy_library():
    code = ("import contextlib, io\nfrom isu_engine.commands.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['models']) == 0")
    assert loaded_after(code) == set()


def test_the_report_path_does_not_load_scipy_stats_or_the_renderers():
    code = "import isu_engine.commands.run, isu_engine.analyse.report, isu_engine.render.outputs, isu_engine.compare.comparison"
    assert not loaded_after(code) & {"scipy.stats", "weasyprint", "openpyxl"}


@pytest.mark.plugins("fit")
def test_a_fit_report_loads_no_scipy_stats(tmp_path):
    code = ("import contextlib, io\nfrom pathlib import Path\nfrom isu_fit.demo import generate\n"
            "from isu_engine.commands.cli import main\n"
            f"folder = Path({str(tmp_path)!r})\n"
            "generate(40, seed=1).to_csv(folder / 'sessions.csv', sep=';', index=False)\n"
            "(folder / 'c.yaml').write_text('datasets:\\n  f: {model: fit, source: sessions.csv}\\n')\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "    assert main(['report', str(folder / 'c.yaml'), '--out', str(folder / 'out'), '--format', 'json']) in (0, 1)")
    assert "scipy.stats" not in loaded_after(code)


@pytest.mark.scipy
@settings(deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=4, max_size=4))
def test_chi_square_p_is_scipys(cells):
    from scipy import stats

    table = np.array(cells, dtype="int64").reshape(2, 2)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return
    assert chi_square_p(table) == float(stats.chi2_contingency(table, correction=False).pvalue)


@pytest.mark.scipy
@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99])
def test_wilson_interval_uses_the_normal_quantile(confidence):
    from scipy import stats

    k, n = 7, 31
    z = stats.norm.ppf(0.5 + confidence / 2)
    assert _z(confidence) == z
    share = k / n
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert wilson_interval(k, n, confidence) == pytest.approx((centre - half, centre + half), rel=1e-12)
