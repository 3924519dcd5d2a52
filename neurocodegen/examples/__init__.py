"""Runnable examples: ``python -m neurocodegen.examples.tutorial``."""
