"""Tests of neurocodegen.integrators: each scheme is turned into numpy code
with sympy.lambdify, iterated, and compared with an analytic solution."""

import logging
import math
import re

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from neurocodegen.errors import IntegrationError
from neurocodegen.integrators import (ExplicitScheme, ODESystem, StateUpdate,
                                      available_methods, base, get_scheme, integrate,
                                      register)


# -- helpers -------------------------------------------------------------------

def R(name):
    return sympy.Symbol(name, real=True)


def make(eqs, noise=None):
    """ODESystem from strings: make({'v': '(1-v)/tau'}, {'v': {'xi': 'sigma'}})."""
    rhs = {x: sympy.sympify(e) for x, e in eqs.items()}
    noise = {x: {xi: sympy.sympify(g) for xi, g in terms.items()}
             for x, terms in (noise or {}).items()}
    return ODESystem(tuple(eqs), rhs, noise)


def compile_update(update):
    steps = []
    for name, expr in update.statements:
        args = sorted(expr.free_symbols, key=lambda s: s.name)
        steps.append((name, sympy.lambdify(args, expr, "numpy"), [a.name for a in args]))
    return steps


def simulate(update, state, params, dt, n_steps, rng=None, noise_names=(), xi=None):
    """Iterate ``update``; returns the final namespace. ``xi(step)`` may
    provide the normal numbers as a dict (for pathwise comparisons)."""
    steps = compile_update(update)
    ns = dict(params, dt=dt, t=0.0)
    ns.update({k: np.array(v, dtype=float) for k, v in state.items()})
    shape = np.shape(next(iter(ns[k] for k in state)))
    for i in range(n_steps):
        if xi is not None:
            ns.update(xi(i))
        else:
            for name in noise_names:
                ns[name] = rng.standard_normal(shape)
        for name, fn, args in steps:
            ns[name] = fn(*(ns[a] for a in args))
        ns["t"] = (i + 1) * dt
    return ns


def check_structure(update: StateUpdate, system: ODESystem):
    """The contract with the code generator."""
    names = [n for n, _ in update.statements]
    written = set()
    for name, expr in update.statements:
        read = {s.name for s in expr.free_symbols}
        assert not (read & written & set(system.variables)), f"{name} reads a new value"
        for s in read:
            if s.startswith("_"):
                assert s in names[:names.index(name)], f"{s} used before assignment"
        if name in system.variables:
            written.add(name)
        else:
            assert name.startswith("_"), name
    assert written == set(system.variables)
    for x in system.variables:
        assert names.count(x) == 1


def expm(M):
    """Matrix exponential (scaling and squaring of a Taylor series)."""
    s = max(0, int(np.ceil(np.log2(max(np.abs(M).sum(axis=1).max(), 1e-300)))) + 1)
    A = M / 2**s
    E, term = np.eye(len(M)), np.eye(len(M))
    for k in range(1, 20):
        term = term @ A / k
        E = E + term
    for _ in range(s):
        E = E @ E
    return E


# -- exact ----------------------------------------------------------------------

def test_exact_decay_formula_and_value():
    system = make({"v": "(1 - v)/tau"})
    update = integrate(system, "exact")
    assert update.method == "exact"
    (name, expr), = update.statements
    v, tau, dt = R("v"), R("tau"), R("dt")
    assert name == "v"
    assert sympy.simplify(expr - (1 + (v - 1) * sympy.exp(-dt / tau))) == 0
    ns = simulate(update, {"v": 0.0}, {"tau": 10e-3}, 0.1e-3, 1000)
    assert abs(ns["v"] - 0.9999546000702376) < 1e-12


def test_linear_is_an_alias_of_exact():
    assert integrate(make({"v": "-v/tau"}), "linear").statements == \
        integrate(make({"v": "-v/tau"}), "exact").statements


@pytest.mark.parametrize("rhs, params, target", [
    ("(v0 - v)/tau", {"v0": -0.07}, -0.07),
    ("(v_drive + vr - v)/tau", {"v_drive": 0.02, "vr": -0.06}, -0.04),
])
def test_exact_inhomogeneous(rhs, params, target):
    update = integrate(make({"v": rhs}), "exact")
    ns = simulate(update, {"v": 0.01}, dict(params, tau=0.02), 1e-4, 500)
    expected = target + (0.01 - target) * math.exp(-500 * 1e-4 / 0.02)
    assert abs(ns["v"] - expected) < 1e-13


@pytest.mark.parametrize("rhs", ["not_refractory*(1 - v)/tau",
                                 "not_refractory*((1 - v)/tau + I_e)",
                                 "not_refractory*(1 - v)/tau + I_e"])
def test_exact_not_refractory(rhs):
    update = integrate(make({"v": rhs}), "exact")
    nr = R("not_refractory")
    for _, expr in update.statements:
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, sympy.Pow) and node.exp.is_negative:
                assert nr not in node.base.free_symbols, f"division by not_refractory: {expr}"
    params = {"tau": 0.01, "I_e": 3.0}
    dt, n = 1e-4, 100
    frozen = simulate(update, {"v": 0.25}, dict(params, not_refractory=0.0), dt, n)
    i_e = 3.0 if rhs.endswith("+ I_e") else 0.0
    assert frozen["v"] == pytest.approx(0.25 + i_e * dt * n, abs=1e-13)
    free = simulate(update, {"v": 0.25}, dict(params, not_refractory=1.0), dt, n)
    fixed = 1 + 3.0 * 0.01 if "I_e" in rhs else 1.0
    assert free["v"] == pytest.approx(fixed + (0.25 - fixed) * math.exp(-n * dt / 0.01),
                                      abs=1e-12)


def test_exact_pure_integrator_and_decay_without_input():
    update = integrate(make({"v": "I_e/C", "w": "-w/tau"}), "exact")
    ns = simulate(update, {"v": 0.0, "w": 1.0}, {"I_e": 2.0, "C": 4.0, "tau": 0.5}, 0.01, 100)
    assert ns["v"] == pytest.approx(0.5, abs=1e-13)
    assert ns["w"] == pytest.approx(math.exp(-2.0), abs=1e-13)


CUBA = {"v": "(ge + gi - (v - El))/taum", "ge": "-ge/taue", "gi": "-gi/taui"}
CUBA_PARAMS = {"El": -0.049, "taum": 0.02, "taue": 0.005, "taui": 0.01}


def _cuba_matrix(p):
    A = np.array([[-1 / p["taum"], 1 / p["taum"], 1 / p["taum"]],
                  [0, -1 / p["taue"], 0], [0, 0, -1 / p["taui"]]])
    b = np.array([p["El"] / p["taum"], 0, 0])
    return A, b


def test_exact_coupled_triangular_system_matches_matrix_exponential():
    system = make(CUBA)
    update = integrate(system, "exact")
    check_structure(update, system)
    x0 = {"v": -0.06, "ge": 0.01, "gi": -0.02}
    ns = simulate(update, x0, CUBA_PARAMS, 1e-4, 300)
    A, b = _cuba_matrix(CUBA_PARAMS)
    M = np.zeros((4, 4))
    M[:3, :3], M[:3, 3] = A, b
    expected = expm(M * 0.03) @ np.array([x0["v"], x0["ge"], x0["gi"], 1.0])
    assert np.allclose([ns["v"], ns["ge"], ns["gi"]], expected[:3], rtol=0, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.002, 0.05), st.floats(0.002, 0.05), st.floats(-1, 1), st.floats(-1, 1))
def test_exact_two_variables_property(taum, taue, v0, ge0):
    if abs(taum - taue) < 1e-4:   # the symbolic solution divides by taum - taue
        return
    update = _two_var_update()
    ns = simulate(update, {"v": v0, "ge": ge0}, {"taum": taum, "taue": taue, "El": 0.1},
                  1e-3, 7)
    M = np.array([[-1 / taum, 1 / taum, 0.1 / taum], [0, -1 / taue, 0], [0, 0, 0]])
    expected = expm(M * 7e-3) @ np.array([v0, ge0, 1.0])
    assert np.allclose([ns["v"], ns["ge"]], expected[:2], atol=1e-9)


_cache = {}


def _two_var_update():
    if "u" not in _cache:
        _cache["u"] = integrate(make({"v": "(ge + El - v)/taum", "ge": "-ge/taue"}), "exact")
    return _cache["u"]


def test_exact_genuinely_coupled_system():
    update = integrate(make({"x": "y/tau", "y": "-(x + y)/tau"}), "exact")
    ns = simulate(update, {"x": 1.0, "y": 0.0}, {"tau": 0.1}, 1e-3, 100)
    expected = expm(np.array([[0, 1], [-1, -1]]) / 0.1 * 0.1) @ np.array([1.0, 0.0])
    assert np.allclose([ns["x"], ns["y"]], expected, atol=1e-12)


def test_exact_complex_eigenvalues_give_real_code():
    update = integrate(make({"x": "y/tau", "y": "z/tau", "z": "-x/tau"}), "exact")
    assert not any(expr.has(sympy.I) for _, expr in update.statements)
    ns = simulate(update, {"x": 1.0, "y": 0.5, "z": -0.2}, {"tau": 0.1}, 1e-3, 100)
    A = np.array([[0, 1, 0], [0, 0, 1], [-1, 0, 0]]) / 0.1
    expected = expm(A * 0.1) @ np.array([1.0, 0.5, -0.2])
    assert np.allclose([ns["x"], ns["y"], ns["z"]], expected, atol=1e-12)


@pytest.mark.parametrize("eqs", [
    {"v": "(1 - v)/tau"},
    {"v": "not_refractory*(v0 - v)/tau"},
    {"v": "(ge - v)/tau", "ge": "-ge/taue"},
    CUBA,
    {"v": "not_refractory*(ge + gi - (v - El))/taum", "ge": "-ge/taue", "gi": "-gi/taui"},
])
def test_exact_gives_closed_forms(eqs):
    # How long this takes is measured by benchmarks/compile_and_run.py (it is
    # part of the cold first run), not asserted here.
    update = integrate(make(eqs), "exact")
    assert {name for name, _ in update.statements} >= set(eqs)
    for _, expr in update.statements:
        assert not expr.has(sympy.I, sympy.Piecewise, sympy.Integral, sympy.Function("MatrixExp"))


@pytest.mark.parametrize("eqs, noise, fragment", [
    ({"v": "-v/tau"}, {"v": {"xi": "sigma"}}, "exact integration does not apply to stochastic"),
    ({"v": "(1 - v**2)/tau"}, None, "in the equation for 'v' the coefficient of 'v'"),
    ({"v": "(ge*(Ee - v) - v)/tau", "ge": "-ge/taue"}, None, "depends on 'ge'"),
    ({"v": "(sin(2*pi*100*t) - v)/tau"}, None, "depends on time 't'"),
])
def test_exact_refusals(eqs, noise, fragment):
    system = make(eqs, noise)
    ok, reason = get_scheme("exact").can_integrate(system)
    assert not ok and fragment in reason
    with pytest.raises(IntegrationError, match=re.escape(fragment)):
        integrate(system, "exact")


# -- explicit schemes: convergence order on the harmonic oscillator ------------

OSCILLATOR = {"x": "y*omega", "y": "-x*omega"}


def _oscillator_error(method, dt, T=2.0):
    update = integrate(make(OSCILLATOR), method)
    ns = simulate(update, {"x": 1.0, "y": 0.0}, {"omega": 1.0}, dt, int(round(T / dt)))
    return math.hypot(ns["x"] - math.cos(T), ns["y"] + math.sin(T))


@pytest.mark.parametrize("method, ratio", [
    ("euler", 2), ("milstein", 2), ("rk2", 4), ("heun", 2), ("rk4", 16)])
def test_convergence_order(method, ratio):
    coarse, fine = _oscillator_error(method, 0.02), _oscillator_error(method, 0.01)
    assert 0.8 * ratio < coarse / fine < 1.2 * ratio
    assert fine < {2: 0.02, 4: 2e-4, 16: 1e-8}[ratio]


def test_explicit_time_dependence():
    # dv/dt = cos(t): v(T) = sin(T); rk4 uses t + dt/2 and t + dt
    update = integrate(make({"v": "cos(t)"}), "rk4")
    ns = simulate(update, {"v": 0.0}, {}, 0.05, 40)
    assert abs(ns["v"] - math.sin(2.0)) < 1e-7


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4", "heun", "milstein",
                                    "exponential_euler", "exact"])
def test_structure_of_statements(method):
    system = make({"v": "(w - v)/tau", "w": "-v/tau2"} if method == "exact" else
                  {"v": "(w - v)*w/tau", "w": "-v/tau2"} if method == "exponential_euler" else
                  {"v": "(w - v**2)/tau", "w": "-v/tau2"})
    check_structure(integrate(system, method), system)


@pytest.mark.parametrize("method", ["euler", "heun", "milstein"])
def test_structure_of_stochastic_statements(method):
    noise = {"v": {"xi_1": "s", "xi_2": "s2"}, "w": {"xi_1": "s3"}}
    if method != "euler":
        noise["v"]["xi_1"] = "s*v"
    system = make({"v": "(w - v)/tau", "w": "-v/tau2"},
                  noise if method != "milstein" else {"v": {"xi_1": "s*v"}, "w": {"xi_2": "w"}})
    check_structure(integrate(system, method), system)


# -- exponential Euler ---------------------------------------------------------

HH_M = {"v": "0*v",
        "m": "alpham*(1 - m) - betam*m"}
ALPHA_BETA = {
    "alpham": "0.32*(13 - v + VT)/(exp((13 - v + VT)/4) - 1)",
    "betam": "0.28*(v - VT - 40)/(exp((v - VT - 40)/5) - 1)",
}


def _hh_system(v_rhs):
    subs = {k: sympy.sympify(e) for k, e in ALPHA_BETA.items()}
    rhs = {"v": sympy.sympify(v_rhs), "m": sympy.sympify(HH_M["m"]).subs(subs)}
    return ODESystem(("v", "m"), rhs)


def test_exponential_euler_is_exact_for_clamped_gating():
    update = integrate(_hh_system("0"), "exponential_euler")
    v, VT = -45.0, -63.0
    a = 0.32 * (13 - v + VT) / (math.exp((13 - v + VT) / 4) - 1)
    b = 0.28 * (v - VT - 40) / (math.exp((v - VT - 40) / 5) - 1)
    dt, n = 0.05, 200  # ms
    ns = simulate(update, {"v": v, "m": 0.05}, {"VT": VT}, dt, n)
    m_inf = a / (a + b)
    expected = m_inf + (0.05 - m_inf) * math.exp(-(a + b) * dt * n)
    assert abs(ns["m"] - expected) < 1e-12


def test_exponential_euler_first_order_with_moving_voltage():
    system = _hh_system("(-20 - v)/10")
    reference = integrate(system, "rk4")
    ref = simulate(reference, {"v": -70.0, "m": 0.05}, {"VT": -63.0}, 0.001, 10000)
    update = integrate(system, "exponential_euler")
    errors = [abs(simulate(update, {"v": -70.0, "m": 0.05}, {"VT": -63.0}, dt,
                           int(round(10 / dt)))["m"] - ref["m"]) for dt in (0.1, 0.05)]
    assert 1.6 < errors[0] / errors[1] < 2.4
    # stable where forward Euler is not: dt = 1 ms, rates up to ~ 5/ms
    big = simulate(update, {"v": -70.0, "m": 0.05}, {"VT": -63.0}, 1.0, 10)
    assert 0.0 <= big["m"] <= 1.0


def test_exponential_euler_not_refractory_and_constant_coefficients():
    update = integrate(make({"v": "not_refractory*(El - v)/tau + I_e"}), "exponential_euler")
    ns = simulate(update, {"v": 0.0}, {"El": 1.0, "tau": 0.01, "I_e": 2.0,
                                       "not_refractory": 0.0}, 1e-3, 10)
    assert ns["v"] == pytest.approx(2.0 * 1e-2, abs=1e-14)
    ns = simulate(update, {"v": 0.0}, {"El": 1.0, "tau": 0.01, "I_e": 2.0,
                                       "not_refractory": 1.0}, 1e-3, 10)
    target = 1.0 + 2.0 * 0.01
    assert ns["v"] == pytest.approx(target * (1 - math.exp(-1.0)), abs=1e-13)


@pytest.mark.parametrize("eqs, noise, fragment", [
    ({"v": "v**2/tau"}, None, "equation for 'v'"),
    ({"v": "-v/tau"}, {"v": {"xi": "sigma"}}, "does not apply to stochastic"),
])
def test_exponential_euler_refusals(eqs, noise, fragment):
    with pytest.raises(IntegrationError, match=re.escape(fragment)):
        integrate(make(eqs, noise), "exponential_euler")


# -- stochastic schemes ----------------------------------------------------------

OU = ({"v": "-v/tau"}, {"v": {"xi": "sigma*tau**-0.5"}})


@pytest.mark.parametrize("method", ["euler", "heun", "milstein"])
def test_ornstein_uhlenbeck_stationary_variance(method):
    n, sigma, tau, dt = 20000, 2.0, 0.01, 1e-4
    update = integrate(make(*OU), method)
    ns = simulate(update, {"v": np.zeros(n)}, {"tau": tau, "sigma": sigma}, dt, 1000,
                  rng=np.random.default_rng(1), noise_names=["xi"])
    expected = sigma**2 / 2
    sampling_error = expected * math.sqrt(2 / n)
    assert abs(ns["v"].var() - expected) < 5 * sampling_error
    assert abs(ns["v"].mean()) < 5 * math.sqrt(expected / n)


@pytest.mark.parametrize("method", ["euler", "heun"])
def test_several_noise_sources_shared_between_equations(method):
    n, tau, dt = 20000, 0.01, 1e-4
    system = make({"v": "-v/tau", "w": "-w/tau"},
                  {"v": {"xi_1": "s1/sqrt(tau)", "xi_2": "s2/sqrt(tau)"},
                   "w": {"xi_1": "s3/sqrt(tau)"}})
    update = integrate(system, method)
    p = {"tau": tau, "s1": 1.0, "s2": 2.0, "s3": 1.5}
    ns = simulate(update, {"v": np.zeros(n), "w": np.zeros(n)}, p, dt, 1000,
                  rng=np.random.default_rng(2), noise_names=["xi_1", "xi_2"])
    cov = np.cov(ns["v"], ns["w"])
    expected = np.array([[p["s1"]**2 + p["s2"]**2, p["s1"] * p["s3"]],
                         [p["s1"] * p["s3"], p["s3"]**2]]) / 2
    assert np.allclose(cov, expected, rtol=0.06, atol=0.03)


def _gbm_strong_error(method, n_steps, n_paths=4000, fine=256, seed=3):
    """Mean |X_T - exact| for dX = mu X dt + s X dW (Ito for milstein,
    Stratonovich for heun) along the same Brownian paths."""
    mu, s, T = 1.0, 0.8, 1.0
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((fine, n_paths))
    W = z.sum(axis=0) * math.sqrt(T / fine)
    group = fine // n_steps
    coarse = z.reshape(n_steps, group, n_paths).sum(axis=1) / math.sqrt(group)
    update = integrate(make({"x": "mu*x"}, {"x": {"xi": "s*x"}}), method)
    ns = simulate(update, {"x": np.ones(n_paths)}, {"mu": mu, "s": s}, T / n_steps,
                  n_steps, xi=lambda i: {"xi": coarse[i]})
    drift = mu   # both schemes are Stratonovich (as in Brian2): x = exp(mu*T + s*W)
    return np.abs(ns["x"] - np.exp(drift * T + s * W)).mean()


@pytest.mark.parametrize("method", ["heun", "milstein"])
def test_multiplicative_noise_strong_order_one(method):
    e1, e2 = _gbm_strong_error(method, 16), _gbm_strong_error(method, 64)
    assert e2 < 0.08
    assert e1 / e2 > 3.0   # order 1: 4x; Euler-Maruyama (order 1/2) would give 2x


@pytest.mark.parametrize("method, eqs, noise, fragment", [
    ("euler", {"v": "-v/tau"}, {"v": {"xi": "sigma*v"}}, "use 'heun' or 'milstein'"),
    ("rk4", {"v": "-v/tau"}, {"v": {"xi": "sigma"}}, "cannot integrate stochastic"),
    ("rk2", {"v": "-v/tau"}, {"v": {"xi": "sigma"}}, "noise 'xi' in the equation for 'v'"),
    ("milstein", {"v": "-v", "w": "-w"}, {"v": {"xi_1": "w"}, "w": {"xi_2": "1"}},
     "do not interact"),
])
def test_explicit_refusals(method, eqs, noise, fragment):
    with pytest.raises(IntegrationError, match=re.escape(fragment)):
        integrate(make(eqs, noise), method)


# -- registry and automatic choice -------------------------------------------------

@pytest.mark.parametrize("eqs, noise, chosen", [
    ({"v": "(1 - v)/tau"}, None, "exact"),
    ({"v": "(1 - v**2)/tau"}, None, "euler"),
    ({"v": "-v/tau"}, {"v": {"xi": "sigma"}}, "euler"),
    ({"v": "-v/tau"}, {"v": {"xi": "sigma*v"}}, "heun"),
])
def test_automatic_choice_is_logged(caplog, eqs, noise, chosen):
    caplog.set_level(logging.INFO, logger="neurocodegen.integrators")
    update = integrate(make(eqs, noise), None)
    assert update.method == chosen
    messages = [r.getMessage() for r in caplog.records if r.name == "neurocodegen.integrators"]
    assert any(re.fullmatch(rf"No integration method specified, using method '{chosen}' "
                            r"\(took \d+\.\d\d s\)", m) for m in messages), messages


def test_method_list_uses_first_applicable():
    assert integrate(make({"v": "v**2"}), ["exact", "rk4"]).method == "rk4"


def test_unknown_method_lists_known_ones():
    with pytest.raises(IntegrationError, match="Unknown integration method 'rk45'.*'rk4'"):
        integrate(make({"v": "-v"}), "rk45")


def test_register_a_scheme(monkeypatch):
    monkeypatch.setattr(base, "_SCHEMES", dict(base._SCHEMES))
    ralston = ExplicitScheme("ralston", """
        k1 = f(x, t)
        k2 = f(x + 2*dt*k1/3, t + 2*dt/3)
        x_new = x + dt*(k1/4 + 3*k2/4)
    """)
    register("ralston", ralston)
    assert "ralston" in available_methods() and "rk4" in available_methods()
    coarse, fine = _oscillator_error("ralston", 0.02), _oscillator_error("ralston", 0.01)
    assert 3.2 < coarse / fine < 4.8


def test_bad_scheme_descriptions():
    with pytest.raises(ValueError, match="x_new"):
        ExplicitScheme("bad", "k = dt*f(x, t)")
    with pytest.raises(ValueError, match="deterministic"):
        ExplicitScheme("bad", "x_new = x + dt*f(x, t) + dW*g(x, t)")


def test_system_validation():
    v = sympy.Symbol("v")  # not real: converted
    system = ODESystem(("v",), {"v": -v})
    assert system.rhs["v"] == -R("v")
    with pytest.raises(IntegrationError, match="differential variables"):
        ODESystem(("v", "w"), {"v": -v})
