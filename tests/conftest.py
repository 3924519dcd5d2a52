"""One compile cache for the whole test session, in a temporary folder."""
import os

import matplotlib
import pytest

matplotlib.use("Agg")


def pytest_configure(config):
    if "NEUROCODEGEN_CACHE_DIR" not in os.environ:
        import tempfile
        os.environ["NEUROCODEGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="ncg-test-cache-")


@pytest.fixture(autouse=True)
def fresh_scope():
    """Each test starts with an empty magic network and the default dt."""
    from neurocodegen import defaultclock, ms, start_scope
    start_scope()
    defaultclock.dt = 0.1 * ms
    yield
