"""``prefs``: Brian's preference tree; the settings we use are checked, the
others are kept with one INFO line instead of an AttributeError."""
import logging

import numpy as np
import pytest

from neurocodegen import PreferenceError, prefs


@pytest.fixture(autouse=True)
def fresh_prefs():
    prefs.reset_to_defaults()
    yield
    prefs.reset_to_defaults()


def test_target_default_and_choices():
    assert prefs.codegen.target == "cython"
    prefs.codegen.target = "numpy"
    assert prefs["codegen.target"] == "numpy"
    with pytest.raises(ValueError, match="prefs.codegen.target must be 'cython', 'cpp', "
                                         "'auto' or 'numpy', got 'cuda'"):
        prefs.codegen.target = "cuda"
    assert prefs.codegen.target == "numpy"


def test_a_brian_setting_we_do_not_use_is_kept_with_an_info_line(caplog):
    caplog.set_level(logging.INFO, logger="neurocodegen.prefs")
    assert prefs.codegen.cpp.extra_compile_args is None          # Brian's default
    prefs.codegen.cpp.extra_compile_args = ["-O2"]
    prefs.codegen.cpp.extra_compile_args = ["-O2"]                 # the same again: no line
    prefs["core.default_float_dtype"] = "float64"                  # what we do: no line
    prefs.core.default_float_dtype = np.float32
    prefs.logging.file_log = False
    assert prefs.codegen.cpp.extra_compile_args == ["-O2"]
    assert prefs.core.default_float_dtype is np.float32
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "prefs.codegen.cpp.extra_compile_args = ['-O2'] is a Brian setting without effect "
        "here: neurocodegen compiles with its own compiler flags (-O3 -march=native ..., "
        "neurocodegen/jit/toolchain.py) and compile cache (NEUROCODEGEN_CACHE_DIR).",
        "prefs.core.default_float_dtype = <class 'numpy.float32'> is a Brian setting without "
        "effect here: neurocodegen computes in float64.",
        "prefs.logging.file_log = False is a Brian setting without effect here: neurocodegen "
        "logs through Python's logging module (loggers under 'neurocodegen'), configured as "
        "any Python logging."]


def test_every_brian_preference_reads_its_default():
    assert prefs.codegen.target == "cython"
    assert prefs.devices.cpp_standalone.openmp_threads == 0
    assert prefs.core.default_float_dtype is np.float64
    assert prefs["codegen.cpp.extra_link_args"] == []
    assert "cpp_standalone" in dir(prefs.devices)
    prefs.codegen.target = "auto"                                 # Brian's default value
    assert prefs.codegen.target == "auto"


@pytest.mark.parametrize("set_it, fragment", [
    (lambda: setattr(prefs.codegen, "targt", "numpy"), "prefs.codegen.targt is not a "
     "preference; did you mean prefs.codegen.target"),
    (lambda: prefs.__setitem__("devices.cpp_standalone.threads", 2),
     "did you mean prefs.devices.cpp_standalone.openmp_threads"),
    (lambda: prefs.nothing, "prefs.nothing is not a preference (the preferences are Brian 2's"),
    (lambda: prefs.codegen.cpp.foo, "prefs.codegen.cpp.foo is not a preference"),
])
def test_a_name_that_is_not_a_preference_is_an_error(set_it, fragment):
    with pytest.raises(PreferenceError) as info:
        set_it()
    assert fragment in str(info.value)


def test_openmp_threads_must_be_a_count():
    with pytest.raises(ValueError, match="openmp_threads must be a whole number of threads"):
        prefs.devices.cpp_standalone.openmp_threads = 1.5
