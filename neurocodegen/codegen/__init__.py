"""Printing kernels: sympy expressions to C++, contexts to source via Jinja."""
