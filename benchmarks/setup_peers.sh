#!/usr/bin/env bash
# Create the virtual environments of the peer simulators used by benchmarks/run.py.
#
#   bash benchmarks/setup_peers.sh            # Brian2 (and try NEST and ANNarchy)
#   SKIP_NEST=1 SKIP_ANNARCHY=1 bash benchmarks/setup_peers.sh
#
# Each peer lives in its own venv under benchmarks/ (git-ignored by `.venv*/`),
# because Brian2 2.9 needs numpy < 2.4 while neurocodegen uses the system numpy.
# A failed install is reported and skipped; run.py skips peers that are missing.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-python3}"

make_venv() {  # make_venv NAME PACKAGES...
    local dir="$HERE/.venv-$1"; shift
    if [ ! -x "$dir/bin/python" ]; then
        "$PY" -m venv "$dir" || { echo "setup_peers: could not create $dir" >&2; return 1; }
    fi
    "$dir/bin/python" -m pip install --quiet --upgrade pip || true
    "$dir/bin/python" -m pip install --quiet "$@"
}

echo "== Brian2 -> $HERE/.venv-brian2"
if make_venv brian2 "brian2==2.9.*" "numpy<2.4" cython setuptools; then
    "$HERE/.venv-brian2/bin/python" -c "import brian2, numpy, Cython; print('brian2', brian2.__version__, 'numpy', numpy.__version__, 'cython', Cython.__version__)"
else
    echo "setup_peers: Brian2 install failed; run.py will skip Brian2" >&2
fi

if [ -z "${SKIP_NEST:-}" ]; then
    echo "== NEST -> $HERE/.venv-nest (at most 5 minutes)"
    if timeout 300 bash -c "$(declare -f make_venv); HERE='$HERE' PY='$PY' make_venv nest nest-simulator" \
        && "$HERE/.venv-nest/bin/python" -c "import nest" >/dev/null 2>&1; then
        echo "NEST installed"
    else
        echo "setup_peers: NEST (pip install nest-simulator) not available or took too long; skipped" >&2
    fi
fi

if [ -z "${SKIP_ANNARCHY:-}" ]; then
    # ANNarchy builds from source (Cython); at run time it compiles each network with
    # g++ and CMake, so the check compiles and runs tutorial-small once.
    echo "== ANNarchy -> $HERE/.venv-annarchy (at most 5 minutes)"
    if timeout 300 bash -c "$(declare -f make_venv); HERE='$HERE' PY='$PY' make_venv annarchy 'ANNarchy==5.0.*'" \
        && "$HERE/.venv-annarchy/bin/python" "$HERE/_worker_annarchy.py" tutorial-small \
            --duration 0.01 | grep -q '"spikes"'; then
        echo "ANNarchy installed"
    else
        echo "setup_peers: ANNarchy (pip install ANNarchy; needs g++ and cmake) not available," \
            "took too long or cannot compile; skipped" >&2
    fi
fi
echo "done"
