"""The templates ship inside the package, and an installed copy finds them."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(p.relative_to(ROOT / "templates").as_posix()
                   for p in (ROOT / "templates").rglob("*")
                   if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.parts)


def test_installed_copy_finds_its_templates(tmp_path):
    code = ("import neurocodegen.backends.cpu.templates as r; root = r.template_root(); "
            "print(root); print(sorted(p.name for p in (root / 'cpp').iterdir()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout
    for name in ("network.cpp.j2", "ncg_support.hpp", "threshold.cpp.j2", "standalone_main.cpp"):
        assert name in out


@pytest.mark.slow
def test_wheel_contains_every_template(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("neurocodegen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in TEMPLATES:
        assert f"neurocodegen/templates/{template}" in names, template


def test_version_is_the_projects_not_numpys():
    import re
    import neurocodegen
    pyproject = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert neurocodegen.__version__ == version
    namespace = {}
    exec("from neurocodegen import *", namespace)
    assert "__version__" not in namespace
