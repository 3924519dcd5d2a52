"""``prefs``: Brian's preference tree; the settings we use are checked, the
others are kept with one INFO line instead of an AttributeError."""
import logging

import pytest

from neurocodegen import prefs


@pytest.fixture(autouse=True)
def fresh_prefs():
    prefs.reset_to_defaults()
    yield
    prefs.reset_to_defaults()


def test_target_default_and_choices():
    assert prefs.codegen.target == "cython"
    prefs.codegen.target = "numpy"
    assert prefs["codegen.target"] == "numpy"
    with pytest.raises(ValueError, match="prefs.codegen.target must be 'cython', 'cpp' or "
                                         "'numpy', got 'cuda'"):
        prefs.codegen.target = "cuda"
    assert prefs.codegen.target == "numpy"


def test_a_brian_setting_we_do_not_use_is_kept_with_an_info_line(caplog):
    caplog.set_level(logging.INFO, logger="neurocodegen.prefs")
    prefs.codegen.cpp.extra_compile_args = ["-O2"]
    prefs["core.default_float_dtype"] = "float64"
    assert prefs.codegen.cpp.extra_compile_args == ["-O2"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("prefs.codegen.cpp.extra_compile_args" in m and "no effect" in m
               for m in messages)
    assert len(messages) == 2
