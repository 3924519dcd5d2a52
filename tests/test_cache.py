"""The compile cache: hits without compiling, one build under concurrency,
clear errors when the compiler fails."""
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor

import pytest

from neurocodegen import *  # noqa: F401,F403
from neurocodegen.jit import cache
from neurocodegen.errors import CompilationError

SCRIPT = textwrap.dedent('''
    import json, time
    from neurocodegen import *
    from neurocodegen.jit import cache
    tau = {tau}*ms
    G = NeuronGroup(3, 'dv/dt = ({drive}-v)/tau : 1', threshold='v>0.5', reset='v=0',
                    method='exact')
    M = SpikeMonitor(G)
    start = time.perf_counter()
    run(20*ms)
    import sys
    print(json.dumps({{"stats": cache.stats, "spikes": M.num_spikes,
                      "seconds": time.perf_counter() - start,
                      "generator_loaded": [m for m in ("sympy", "jinja2", "Cython")
                                           if m in sys.modules],
                      "metadata_loaded": "importlib.metadata" in sys.modules}}))
''')


def _run_script(cache_dir, tau=10, drive=1):
    env = {**os.environ, "NEUROCODEGEN_CACHE_DIR": str(cache_dir)}
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(tau=tau, drive=drive)],
                         capture_output=True, text=True, env=env, check=True)
    import json
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_second_process_loads_from_disk_without_compiling(tmp_path):
    first = _run_script(tmp_path)
    second = _run_script(tmp_path)
    assert first["stats"]["compiled"] == 1
    assert second["stats"]["compiled"] == 0 and second["stats"]["loaded_from_disk"] == 1
    assert first["spikes"] == second["spikes"] > 0
    # the lowering memo: a warm run needs neither sympy nor Jinja, nor Cython
    # nor importlib.metadata (35 ms): the toolchain's fingerprint reads
    # Cython's version from its Shadow.py
    assert first["generator_loaded"] == ["sympy", "jinja2", "Cython"]
    assert second["generator_loaded"] == [] and not second["metadata_loaded"]


def test_the_toolchain_fingerprint_names_the_cython_that_builds():
    import Cython

    from neurocodegen.jit.toolchain import default_toolchain
    fingerprint = default_toolchain().fingerprint()
    assert fingerprint["cython"] == Cython.__version__
    fingerprint["cython"] = "changed"             # a copy: the next one is whole again
    assert default_toolchain().fingerprint()["cython"] == Cython.__version__


def test_damaged_memo_is_regenerated(tmp_path):
    _run_script(tmp_path)
    for memo in (tmp_path / "sources").glob("*.json"):
        memo.write_text("{not json")
    again = _run_script(tmp_path)
    assert again["generator_loaded"] and again["stats"]["compiled"] == 0
    assert again["spikes"] > 0


def test_changing_a_constant_does_not_recompile(tmp_path):
    _run_script(tmp_path, tau=10)
    other = _run_script(tmp_path, tau=5)
    assert other["stats"]["compiled"] == 0


def test_a_different_model_gets_its_own_entry(tmp_path):
    _run_script(tmp_path)
    other = _run_script(tmp_path, drive=2)
    assert other["stats"]["compiled"] == 1
    entries = [p for p in tmp_path.glob("??/*") if (p / "manifest.json").is_file()]
    assert len(entries) == 2


def _build_in_process(cache_dir):
    return _run_script(cache_dir)["stats"]["compiled"]


def test_concurrent_processes_compile_the_same_model_once(tmp_path):
    with ProcessPoolExecutor(max_workers=4) as pool:
        compiled = list(pool.map(_build_in_process, [tmp_path] * 4))
    assert sum(compiled) == 1


def test_compiler_failure_names_command_source_and_message(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCODEGEN_CACHE_DIR", str(tmp_path))
    sources = {"network.cpp": "static long ncg_run(void**, const double*, unsigned long,"
                              " long, long) { return this_is_not_cpp; }\n",
               "module.pyx": cache_module_pyx()}
    with pytest.raises(CompilationError) as err:
        cache.get_module(sources, "module.pyx")
    message = str(err.value)
    assert "this_is_not_cpp" in message and "command:" in message
    assert os.path.isfile(err.value.source_path)
    assert not [p for p in tmp_path.glob("??/*") if (p / "manifest.json").exists()]


def cache_module_pyx():
    from neurocodegen.backends.cpu.contexts import ModuleSource
    from neurocodegen.backends.cpu.templates import render
    return render("cython/module.pyx.j2", ModuleSource("network.cpp"))


def test_show_source_returns_the_generated_cpp():
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", method="euler")  # noqa: F841
    run(1 * ms)
    source = show_source()
    assert "ncg_run" in source and "state update of" in source


def test_template_fingerprint_follows_every_change_of_a_template(tmp_path, monkeypatch):
    """The fingerprint (part of the lowering memo's key) is remembered while
    the files' sizes and times stay; an edited template changes it."""
    import shutil
    from neurocodegen.backends.cpu import templates
    root = tmp_path / "templates"
    shutil.copytree(templates.template_root(), root)
    monkeypatch.setattr(templates, "template_root", lambda: root)
    first = templates.template_fingerprint()
    assert templates.template_fingerprint() == first
    edited = root / "cpp" / "reset.cpp.j2"
    edited.write_text(edited.read_text() + "\n")
    second = templates.template_fingerprint()
    assert second != first
    stamp = edited.stat()
    edited.write_text(edited.read_text()[:-1] + "x")      # same size: the time tells
    os.utime(edited, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
    assert templates.template_fingerprint() not in (first, second)
