"""Cython to C++, then the C++ compiler, in one directory. The only module
that imports Cython."""
import logging
import os
import subprocess
import time

from ..errors import CompilationError

logger = logging.getLogger("neurocodegen.jit")


def cythonize(pyx_path):
    """Translate ``pyx_path`` to C++ beside it; returns the .cpp path."""
    from Cython.Compiler import Errors
    from Cython.Compiler.Main import CompilationOptions, compile_single, default_options

    options = CompilationOptions(default_options, cplus=True, language_level=3,
                                 compiler_directives={"embedsignature": False})
    Errors.init_thread()
    result = compile_single(pyx_path, options,
                            full_module_name=os.path.basename(pyx_path)[:-4])
    if result.num_errors:
        raise CompilationError(
            f"Cython failed on generated module {pyx_path} ({result.num_errors} errors);"
            " this is a bug in neurocodegen, please report it.",
            command=["cython", pyx_path], source_path=pyx_path)
    return result.c_file


def build_extension(pyx_path, output_path, toolchain):
    """Cythonize ``pyx_path`` and compile it into the extension ``output_path``.

    Raises :class:`CompilationError` carrying the command line, the generated
    source path and the compiler's output.
    """
    start = time.perf_counter()
    cpp_path = cythonize(pyx_path)
    cython_done = time.perf_counter()
    command = toolchain.compile_command(cpp_path, output_path)
    result = subprocess.run(command, capture_output=True, text=True,
                            cwd=os.path.dirname(pyx_path))
    if result.returncode != 0:
        log_path = os.path.join(os.path.dirname(pyx_path), "compiler.log")
        with open(log_path, "w") as f:
            f.write(result.stdout + result.stderr)
        raise CompilationError(
            "The C++ compiler failed on generated code.\n"
            f"  command: {' '.join(command)}\n"
            f"  source:  {cpp_path}\n"
            f"  log:     {log_path}\n"
            f"{result.stderr.strip()[-4000:]}",
            command=command, source_path=cpp_path, log=result.stdout + result.stderr)
    end = time.perf_counter()
    logger.info("Compiled %s in %.2f s (Cython %.2f s, C++ %.2f s)",
                os.path.basename(output_path), end - start,
                cython_done - start, end - cython_done)
