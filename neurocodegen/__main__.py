"""``python -m neurocodegen``: command-line utilities (see ``neurocodegen.jit.cli``)."""
import sys

from .jit.cli import main

sys.exit(main())
