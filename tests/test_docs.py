"""Every ```python block of README.md and docs/*.md runs.

The blocks of one file run in order in one namespace (a page builds on its
earlier blocks), in a fresh Python process per file, in a temporary folder,
with ``MPLBACKEND=Agg`` (so ``show()`` does nothing) and the test session's
compile cache.

* A block whose lines start with ``>>>`` is a REPL transcript and is checked
  as a doctest: the output must match what is written. An expected output
  that is only ``SomeError: message`` (as a REPL shows it, without the
  traceback) means that the statement raises that error with that message.
* A block right after a line ``<!-- skip-test -->`` is not run (for example
  notebook magics such as ``%matplotlib inline``).

``python tests/test_docs.py FILE.md`` runs one file's blocks the same way.
"""
import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_MARKER = "<!-- skip-test -->"
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.S | re.M)
SHORT_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Warning|Interrupt|Exit)"
                             r"(: .*)?\s*$", re.S)


def markdown_files():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def python_blocks(text):
    """[(first line number of the code, code, kind)] of the ```python blocks;
    kind is 'script', 'doctest' or 'skip'."""
    blocks = []
    for match in FENCE.finditer(text):
        if match.group("info").strip().split(" ")[0].lower() not in ("python", "py",
                                                                     "pycon"):
            continue
        start = text.count("\n", 0, match.start()) + 1     # line of the opening fence
        before = text[:match.start()].rstrip().splitlines()
        indent = len(match.group("indent"))
        body = "\n".join(line[indent:] for line in match.group("body").splitlines())
        if before and before[-1].strip() == SKIP_MARKER:
            kind = "skip"
        elif any(line.lstrip().startswith(">>>") for line in body.splitlines()):
            kind = "doctest"
        else:
            kind = "script"
        blocks.append((start + 1, body, kind))
    return blocks


class _Parser(doctest.DocTestParser):
    """Doctest parser that also reads a bare ``Error: message`` as an
    expected exception."""

    def parse(self, string, name="<string>"):
        parts = super().parse(string, name)
        for part in parts:
            if isinstance(part, doctest.Example) and part.exc_msg is None \
                    and SHORT_EXCEPTION.match(part.want):
                part.exc_msg = part.want
                part.want = "Traceback (most recent call last):\n" + part.want
        return parts


class _Checker(doctest.OutputChecker):
    """Compares exception names without their module
    (``neurocodegen.errors.DimensionMismatchError`` reads as
    ``DimensionMismatchError``, as a REPL user sees it)."""

    _module = re.compile(r"^(?:\w+\.)+(?=\w*(?:Error|Exception|Warning)\b)")

    def check_output(self, want, got, optionflags):
        return super().check_output(self._module.sub("", want),
                                    self._module.sub("", got), optionflags)


def run_file(path):
    """Run the blocks of one markdown file; exit status 1 on the first failure."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    namespace = {"__name__": "__main__"}
    for lineno, code, kind in python_blocks(text):
        where = f"{path.name}, block at line {lineno}"
        if kind == "skip":
            print(f"{where}: skipped")
            continue
        if kind == "script":
            # pad so that tracebacks give the line numbers of the markdown file
            compiled = compile("\n" * (lineno - 1) + code + "\n", str(path), "exec")
            exec(compiled, namespace)
        else:
            test = _Parser().get_doctest(code, namespace, where, str(path), lineno - 1)
            runner = doctest.DocTestRunner(checker=_Checker(),
                                            optionflags=doctest.NORMALIZE_WHITESPACE)
            result = runner.run(test, clear_globs=False)
            if result.failed:
                print(f"{where}: {result.failed} of {result.attempted} examples failed",
                      file=sys.stderr)
                return 1
        print(f"{where}: ok ({kind})")
    return 0


def test_blocks_are_found():
    readme = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    kinds = [kind for _, _, kind in readme]
    assert "script" in kinds and "doctest" in kinds
    docs = {p.name: python_blocks(p.read_text(encoding="utf-8"))
            for p in markdown_files()[1:]}
    assert {"quickstart.md", "coming-from-brian.md", "compile-cache.md"} <= set(docs)
    assert any(kind == "skip" for _, _, kind in docs["quickstart.md"])


def test_short_exception_doctest():
    parts = [p for p in _Parser().parse(">>> 1/0\nZeroDivisionError: division by zero\n")
             if isinstance(p, doctest.Example)]
    assert parts[0].exc_msg == "ZeroDivisionError: division by zero\n"
    assert parts[0].want.startswith("Traceback (most recent call last):")
    test = _Parser().get_doctest(">>> 1/0\nZeroDivisionError: division by zero\n",
                                 {}, "t", "t", 0)
    assert doctest.DocTestRunner().run(test).failed == 0
    wrong = _Parser().get_doctest(">>> 1/0\nZeroDivisionError: something else\n",
                                  {}, "t", "t", 0)
    assert doctest.DocTestRunner().run(wrong, out=lambda s: None).failed == 1
    # an exception from a module matches the bare name a REPL shows
    import json
    decode = _Parser().get_doctest(
        ">>> json.loads('')\nJSONDecodeError: Expecting value: line 1 column 1 (char 0)\n",
        {"json": json}, "t", "t", 0)
    assert doctest.DocTestRunner(checker=_Checker()).run(decode, out=lambda s: None) \
        .failed == 0


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.name)
def test_markdown_code_runs(path, tmp_path):
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["NEUROCODEGEN_CACHE_DIR"] = os.environ["NEUROCODEGEN_CACHE_DIR"]
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), str(path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, f"{path.name}:\n{proc.stdout}\n{proc.stderr}"
    assert "ok" in proc.stdout


if __name__ == "__main__":
    sys.exit(run_file(sys.argv[1]))
