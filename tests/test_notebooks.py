"""The notebooks in notebooks/ run top to bottom, in a real kernel, on a fresh build of the
seed pages (rules only, so no trained model is needed)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120  # seconds per cell; the whole notebook takes a few seconds


@pytest.fixture(scope="session")
def notebook_graph(tmp_path_factory) -> Path:
    """The seed pages built with the rule pipeline into a fresh folder."""
    from kg.build import build

    out = tmp_path_factory.mktemp("notebook-graph")
    build([ROOT / "seeds"], out, rules_only=True)
    return out


@pytest.fixture(scope="session")
def notebook_env(notebook_graph, tmp_path_factory):
    """KG_OUTPUT pointing at the build, and a ``python3`` kernel that is this interpreter.

    The kernel spec is installed into a temporary prefix put first on JUPYTER_PATH, so the
    notebooks run with the packages of the test run whatever kernels the user has."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name="python3", prefix=str(prefix))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_OUTPUT", str(notebook_graph))
        patch.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [str(prefix / "share" / "jupyter"), os.environ.get("JUPYTER_PATH")])))
        patch.delenv("MPLBACKEND", raising=False)  # let the kernel draw inline
        yield notebook_graph


def run_notebook(name: str) -> nbformat.NotebookNode:
    """Execute a notebook from notebooks/ (with that folder as working directory) and
    return it with its outputs; any cell error fails with the cell and its traceback."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    errors = [out for cell in notebook.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors, errors
    return notebook


def outputs(notebook, kind: str) -> list:
    """Outputs of code cells holding ``kind`` data (``image/png``, ``text/html``)."""
    return [out for cell in notebook.cells for out in cell.get("outputs", []) if kind in out.get("data", {})]


def text(notebook) -> str:
    """All printed and displayed plain text."""
    parts = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_tour_notebook_runs_top_to_bottom(notebook_env):
    notebook = run_notebook("01_tour.ipynb")
    shown = text(notebook)
    assert f"Graph folder: {os.path.relpath(notebook_env, NOTEBOOKS)}" in shown  # the graph it was pointed at
    assert "医养中心建设" in shown  # what the graph says about 焦作市
    assert "mentions match their surface form" in shown
    assert len(outputs(notebook, "text/html")) >= 5  # the DataFrames


def test_city_comparison_notebook_runs_and_draws_its_charts(notebook_env):
    notebook = run_notebook("02_city_comparison.ipynb")
    assert len(outputs(notebook, "image/png")) >= 3  # programs, money, accreditations
    assert "焦作市" in text(notebook)


def test_network_notebook_runs_and_draws_the_largest_component(notebook_env):
    notebook = run_notebook("03_network_analysis.ipynb")
    assert len(outputs(notebook, "image/png")) >= 2  # the largest component and 焦作市's neighbourhood
    assert "betweenness" in text(notebook)
