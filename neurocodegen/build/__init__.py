"""Turning generated source into a loaded extension module, through a cache."""
