"""Build script. All metadata lives in pyproject.toml.

The top-level ``templates/`` folder is mapped into the wheel as the package
``neurocodegen.templates`` (see ``[tool.setuptools.package-dir]``), so the
installed code finds its Jinja templates with ``importlib.resources``.
"""
from setuptools import setup

setup()
