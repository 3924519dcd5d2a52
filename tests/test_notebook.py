"""examples/tutorial.ipynb runs top to bottom in a real Jupyter kernel and
shows the tutorial's values and figures."""
import os
import re
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tutorial.ipynb"
PLOTTING = re.compile(r"(^|[^\w.])(plot|plot_raster|plot_state|plot_rate|plot_if_curve|"
                      r"hist|subplots)\(", re.M)


def stream_text(cell, name="stdout"):
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.name == name)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)                  # %matplotlib inline decides
    env["NEUROCODEGEN_CACHE_DIR"] = os.environ["NEUROCODEGEN_CACHE_DIR"]
    workdir = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name=NATIVE_KERNEL_NAME, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return nb


def test_notebook_is_valid_and_uses_star_import():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sources[0] == "from neurocodegen import *"
    assert "%matplotlib inline" in sources
    assert not any("brian2" in s for s in sources)
    # stored without outputs: the test (and the reader) runs it
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_values(executed):
    cells = [c for c in executed.cells if c.cell_type == "code"]
    out = "".join(stream_text(c) for c in cells)
    assert "Before v = 0.0\n" in out
    assert "After v = 0.9999546000702376\n" in out
    assert "Spike times: [16.  32.1 48.2] ms" in out
    assert "Spike times: [16. 37.] ms" in out
    assert "Spike times: [ 8. 23. 38.] ms" in out
    assert "Neurons without spikes have v0 <= 1.000" in out
    assert "exact integration does not apply to stochastic equations" in out
    # the quantities of the units section are shown in their best unit
    html = [c.outputs[0]["data"].get("text/html", "") for c in cells
            if c.outputs and c.outputs[0].output_type == "execute_result"]
    for shown in ("20. V", "1. kA", "1. MV", "1. uA", "50. mV"):
        assert shown in html
    # the progress bar of the long run went to stderr
    assert any("100%" in stream_text(c, "stderr") for c in cells)
    # the INFO message says which method was chosen
    assert any("using method 'exact'" in stream_text(c, "stderr") for c in cells)


def test_expected_errors_only(executed):
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        assert bool(errors) == tagged, cell.source
        if tagged:
            assert errors[0].ename == "DimensionMismatchError"
            if "run(" in cell.source:
                message = errors[0].evalue
                assert "'v'" in message and "1-v" in message and "Hz" in message


def test_every_plotting_cell_shows_a_figure(executed):
    plotting = [c for c in executed.cells
                if c.cell_type == "code" and PLOTTING.search(c.source)]
    assert len(plotting) >= 14
    for cell in plotting:
        images = [o for o in cell.outputs if o.output_type == "display_data"
                  and "image/png" in o.get("data", {})]
        assert len(images) == 1, cell.source


def test_equations_display(executed):
    tables = [o["data"]["text/html"] for c in executed.cells if c.cell_type == "code"
              for o in c.outputs if "text/html" in o.get("data", {})
              and "<table" in o["data"]["text/html"]]
    assert tables and "differential" in tables[0]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
