"""Compiling generated C++ into a loaded Python extension: toolchain, compile cache, Cython glue."""
