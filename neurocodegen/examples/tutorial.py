"""The Brian tutorial "part 1: Neurons", run with neurocodegen.

    python -m neurocodegen.examples.tutorial [--out FOLDER]

Runs every model of the tutorial in order, prints the values a reader checks
(v after 100 ms, spike times, firing rates) and saves each figure as a PNG in
FOLDER (default: ./figures).
"""
import argparse
import logging
import os
import time

import matplotlib

matplotlib.use("Agg")

from neurocodegen import *  # noqa: E402,F401,F403


def units_demo():
    print("20*volt       ->", 20 * volt)
    print("1000*amp      ->", 1000 * amp)
    print("1e6*volt      ->", 1e6 * volt)
    print("1000*namp     ->", 1000 * namp)
    print("10*nA*5*Mohm  ->", 10 * nA * 5 * Mohm)
    try:
        5 * amp + 10 * volt
    except DimensionMismatchError as err:
        print("5*amp+10*volt ->", type(err).__name__ + ":", err)


def missing_tau():
    start_scope()
    eqs = '''
    dv/dt = 1-v : 1
    '''
    G = NeuronGroup(1, eqs)  # noqa: F841
    try:
        run(100 * ms)
    except DimensionMismatchError as err:
        print("dv/dt = 1-v   ->", type(err).__name__ + ":", err)


def simple_model(save):
    start_scope()
    tau = 10 * ms  # noqa: F841
    eqs = '''
    dv/dt = (1-v)/tau : 1
    '''
    G = NeuronGroup(1, eqs, method='exact')
    print('Before v = %s' % G.v[0])
    run(100 * ms)
    print('After v = %s' % G.v[0])
    print('Expected value of v = %s' % (1 - exp(-100 * ms / tau)))

    start_scope()
    G = NeuronGroup(1, eqs, method='exact')
    M = StateMonitor(G, 'v', record=0)
    run(30 * ms)
    figure()
    plot(M.t / ms, M.v[0], 'C0', label='neurocodegen')
    plot(M.t / ms, 1 - exp(-M.t / tau), 'C1--', label='Analytic')
    xlabel('Time (ms)')
    ylabel('v')
    legend()
    save("1_exponential")

    start_scope()
    eqs = '''
    dv/dt = (sin(2*pi*100*Hz*t)-v)/tau : 1
    '''
    G = NeuronGroup(1, eqs, method='euler')
    M = StateMonitor(G, 'v', record=0)
    G.v = 5
    run(60 * ms)
    figure()
    plot(M.t / ms, M.v[0])
    xlabel('Time (ms)')
    ylabel('v')
    save("2_sine_drive")


def spikes(save):
    for label, tau_, eqs, refractory in [
            ("3_spikes", 10 * ms, "dv/dt = (1-v)/tau : 1", False),
            ("4_refractory", 10 * ms, "dv/dt = (1-v)/tau : 1 (unless refractory)", 5 * ms),
            ("5_refractory_no_unless", 5 * ms, "dv/dt = (1-v)/tau : 1", 15 * ms)]:
        start_scope()
        tau = tau_  # noqa: F841
        G = NeuronGroup(1, eqs, threshold='v>0.8', reset='v = 0',
                        refractory=refractory, method='exact')
        statemon = StateMonitor(G, 'v', record=0)
        spikemon = SpikeMonitor(G)
        run(50 * ms)
        print("%s: spike times: %s" % (label, spikemon.t[:]))
        figure()
        plot(statemon.t / ms, statemon.v[0])
        for t in spikemon.t:
            axvline(t / ms, ls='--', c='C1', lw=3)
        xlabel('Time (ms)')
        ylabel('v')
        save(label)


def many_neurons(save):
    start_scope()
    N = 100
    tau = 10 * ms  # noqa: F841
    eqs = '''
    dv/dt = (2-v)/tau : 1
    '''
    G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', method='exact')
    G.v = 'rand()'
    spikemon = SpikeMonitor(G)
    run(50 * ms)
    figure()
    plot(spikemon.t / ms, spikemon.i, '.k')
    xlabel('Time (ms)')
    ylabel('Neuron index')
    save("6_raster")


def if_curves(save):
    for label, noisy in [("7_if_curve", False), ("8_if_curve_noisy", True)]:
        start_scope()
        N = 100
        tau = 10 * ms  # noqa: F841
        v0_max = 3.  # noqa: F841
        duration = 1000 * ms
        sigma = 0.2  # noqa: F841
        noise = "+sigma*xi*tau**-0.5" if noisy else ""
        eqs = f'''
        dv/dt = (v0-v)/tau{noise} : 1 (unless refractory)
        v0 : 1
        '''
        G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', refractory=5 * ms,
                        method='euler' if noisy else 'exact')
        M = SpikeMonitor(G)
        G.v0 = 'i*v0_max/(N-1)'
        start = time.perf_counter()
        run(duration)
        rates = M.count / duration
        print("%s: %d spikes, run() took %.2f s; rate at v0=%.2f: %s, at v0=%.2f: %s"
              % (label, M.num_spikes, time.perf_counter() - start,
                 G.v0[40], rates[40], G.v0[-1], rates[-1]))
        figure(figsize=(12, 4))
        subplot(121)
        plot(M.t / ms, M.i, '.k')
        xlabel('Time (ms)')
        ylabel('Neuron index')
        subplot(122)
        plot(G.v0, M.count / duration)
        xlabel('v0')
        ylabel('Firing rate (sp/s)')
        save(label)


def adaptive_threshold(save):
    start_scope()
    N = 1000
    tau = 10 * ms  # noqa: F841
    vr = -70 * mV
    vt0 = -50 * mV
    delta_vt0 = 5 * mV  # noqa: F841
    tau_t = 100 * ms  # noqa: F841
    sigma = 0.5 * (vt0 - vr)  # noqa: F841
    v_drive = 2 * (vt0 - vr)  # noqa: F841
    duration = 100 * ms
    eqs = '''
    dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
    dvt/dt = (vt0-vt)/tau_t : volt
    '''
    reset = '''
    v = vr
    vt += delta_vt0
    '''
    G = NeuronGroup(N, eqs, threshold='v>vt', reset=reset, refractory=5 * ms, method='euler')
    spikemon = SpikeMonitor(G)
    statemon = StateMonitor(G, ['v', 'vt'], record=0)
    G.v = 'rand()*(vt0-vr)+vr'
    G.vt = vt0
    run(duration)
    print("9_adaptive_threshold: %d spikes from %d neurons in %s" % (len(spikemon), N, duration))
    figure()
    hist(spikemon.t / ms, 100, histtype='stepfilled', facecolor='k',
         weights=ones(len(spikemon)) / (N * defaultclock.dt))
    xlabel('Time (ms)')
    ylabel('Instantaneous firing rate (sp/s)')
    save("9_adaptive_threshold")
    figure()
    plot(statemon.t / ms, statemon.v[0] / mV, label='v')
    plot(statemon.t / ms, statemon.vt[0] / mV, label='vt')
    xlabel('Time (ms)')
    ylabel('mV')
    legend()
    save("10_adaptive_threshold_neuron0")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="figures", help="folder for the PNG figures")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    os.makedirs(args.out, exist_ok=True)
    saved = []

    def save(name):
        path = os.path.join(args.out, name + ".png")
        savefig(path, dpi=80)
        close()
        saved.append(path)

    seed(2026)
    start = time.perf_counter()
    units_demo()
    missing_tau()
    simple_model(save)
    spikes(save)
    many_neurons(save)
    if_curves(save)
    adaptive_threshold(save)
    print("Saved %d figures in %s/ (total %.1f s)" % (len(saved), args.out,
                                                      time.perf_counter() - start))
    return saved


if __name__ == "__main__":
    main()
