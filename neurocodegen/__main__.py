"""``python -m neurocodegen``: command-line utilities (see ``neurocodegen.build.cli``)."""
import sys

from .build.cli import main

sys.exit(main())
