"""How the standalone program chooses its threads (``ThreadChoice`` in
templates/cpp/standalone_main.cpp), driven by made-up step times: its code
is cut out of the driver and compiled with a loop that plays the program."""
import re
import subprocess

import pytest

from neurocodegen.backends.cpu.templates import template_root
from neurocodegen.jit.toolchain import default_toolchain

PLAY = r'''
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>
%(choice)s
// argv: seconds per step on 1 thread, on 2 threads, steps; a step's time
// grows with the activity, which rises over the first `rise` steps (a
// network's first volley) from a tenth to all of it
int main(int argc, char** argv)
{
    const double one = std::atof(argv[1]), two = std::atof(argv[2]);
    const int64_t steps = std::atoll(argv[3]), rise = std::atoll(argv[4]);
    ThreadChoice choice(2, false, 0);
    for (int64_t step = 0; step < steps;) {
        const Stretch s = choice.upcoming();
        const int64_t last = std::min(steps, step + s.steps);
        double seconds = 0;
        for (int64_t k = step; k < last; ++k)
            seconds += (s.threads == 1 ? one : two) * (k < rise ? 0.1 + 0.9 * k / rise : 1.0);
        std::printf("%%d %%lld\n", s.threads, (long long)(last - step));
        choice.record(s, last - step, seconds);
        step = last;
    }
}
'''


@pytest.fixture(scope="module")
def play(tmp_path_factory):
    source = (template_root() / "cpp" / "standalone_main.cpp").read_text()
    choice = re.search(r"^struct Stretch \{.*?^\};\n.*?^struct ThreadChoice \{.*?^\};\n",
                       source, re.S | re.M).group(0)
    folder = tmp_path_factory.mktemp("choice")
    (folder / "play.cpp").write_text(PLAY % {"choice": choice})
    tc = default_toolchain()
    subprocess.run([tc.compiler, "-std=c++17", "-O1", str(folder / "play.cpp"), "-o",
                    str(folder / "play")], check=True)

    def run(one, two, steps, rise=0):
        out = subprocess.run([str(folder / "play"), str(one), str(two), str(steps), str(rise)],
                             capture_output=True, text=True, check=True).stdout
        return [tuple(int(x) for x in line.split()) for line in out.splitlines()]
    return run


def _steps_on(runs, threads):
    return sum(n for t, n in runs if t == threads)


def test_long_steps_probe_more_threads_no_longer_than_one(play):
    """Steps of 30-80 ms (2e9 synapses): probes of 1 thread take 2 steps, so
    those of 2 threads take no more, even in a round's first turn; with the
    activity rising over the first 40 steps, 2 threads (2.7 times faster)
    still run almost every step."""
    runs = play(0.08, 0.03, 1000, rise=40)
    at = next(k for k, (t, _) in enumerate(runs) if t == 2)
    probe, first_two = runs[at - 1][1], runs[at][1]      # 1 thread's, doubled to 20 ms
    assert probe == 2 and first_two == 2
    assert _steps_on(runs, 2) >= 950


def test_short_steps_probe_more_threads_on_a_quarter(play):
    """Steps of microseconds where 2 threads are 3 times slower (CUBA, 4000
    neurons, on a busy machine): the first probe of 2 threads is a quarter
    of 1 thread's (at least 16 steps) and 1 thread runs almost every step."""
    runs = play(3e-6, 9e-6, 100000)
    at = next(k for k, (t, _) in enumerate(runs) if t == 2)
    probe, first_two = runs[at - 1][1], runs[at][1]      # 1 thread's, doubled to 0.5 ms
    assert probe == 256 and first_two == 64
    assert _steps_on(runs, 1) >= 0.95 * 100000
