"""examples/tutorial_synapses.ipynb (the story of Brian's tutorial part 2,
Synapses) runs top to bottom in a real Jupyter kernel, with its figures and
Brian2's values."""
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tutorial_synapses.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)                  # %matplotlib inline decides
    workdir = tmp_path_factory.mktemp("notebook-synapses")
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name=NATIVE_KERNEL_NAME, allow_errors=False,
        resources={"metadata": {"path": str(workdir)}})
    client.execute(env=env)
    return nb


def test_notebook_is_valid_and_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert sources[0] == "from neurocodegen import *"
    assert not any("brian2" in s for s in sources)
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_values_and_figures(executed):
    cells = [c for c in executed.cells if c.cell_type == "code"]
    out = "".join(o.get("text", "") for c in cells for o in c.outputs
                  if o.output_type == "stream" and o.name == "stdout")
    assert "v of neuron 1 after 100 ms: 0.3788\n" in out           # Brian2 2.9: 0.3788
    assert "weights: [0.2 0.4] delays: [2. 4.] ms\n" in out
    assert "none from a neuron to itself: True\n" in out
    assert "neighbours within 3: 48 synapses\n" in out
    assert "generator: 48 synapses\n" in out
    assert "one to one: [(0, 0), (1, 1), (2, 2)] ...\n" in out
    assert "the weight of neighbours: 0.991\n" in out               # Brian2 2.9: 0.99115
    assert "w after the pairing: 0.006065\n" in out                 # 0.01*exp(-10/20)
    assert "potentiation for post after pre: True, depression for pre after post: True" \
        in out
    figures = sum(1 for c in cells for o in c.outputs
                  if o.output_type == "display_data" and "image/png" in o.get("data", {}))
    assert figures >= 8
