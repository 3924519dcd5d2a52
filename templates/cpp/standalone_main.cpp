// The driver of a standalone program: reads program.txt (written by
// neurocodegen's Python side), runs its schedule with ncg_run from
// network.cpp on K threads, and streams monitor data to binary files, each
// with a JSON header. Nothing here depends on the model: the generated code
// is all in network.cpp.
//
// usage: network [--results DIR] [--threads K] [--seed S] [--override FILE]
//
// program.txt, one item per line (slots are ncg_run's argument table):
//   group <N>                               a group of N neurons
//   state <slot> <dtype> <count> <stem|->   an array shared by all threads,
//                                           written to <stem>.bin at the end
//   spikespace <slot> <N>
//   spikemonitor <stem> <N> <i slot> <t slot> <fill slot>   (i, t: -1 for counts only)
//   statemonitor <stem> <N> <times slot> <fill slot> <record slot>
//                <record file> <n recorded> <n vars> (<var slot> <var stem>)...
//   unit <stem> <text>                      the unit written in <stem>.json
//   seed <u64>
//   window <steps>                          threads meet at least every <steps>
//                                           steps (the smallest synaptic delay)
//   set <slot> file <path> | set <slot> fill <value>
//   run <start step> <end step> <constants file>
// An override file holds `set` lines, applied before the first run, and
// `const <index> <value>` lines, applied to the constants of every run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "network.cpp"

namespace {

[[noreturn]] void fail(const std::string& what)
{
    throw std::runtime_error(what);
}

size_t dtype_size(const std::string& dtype)
{
    if (dtype == "f8" || dtype == "i8") return 8;
    if (dtype == "i4") return 4;
    if (dtype == "b1") return 1;
    fail("unknown dtype " + dtype);
}

std::string json_dtype(const std::string& dtype)
{
    return dtype == "b1" ? "|b1" : "<" + dtype;
}

// A plain buffer of `bytes` bytes, zeroed, aligned for any element type.
struct Buffer {
    std::vector<double> storage;
    void* data() { return storage.data(); }
    void resize(size_t bytes) { storage.assign((bytes + 7) / 8 + 1, 0.0); }
};

struct State {
    int slot;
    std::string dtype, stem;
    int64_t count;
    Buffer buffer;
};

// An allocator that leaves new elements uninitialized. A spike monitor's
// buffer has room for every neuron of a thread to spike in one step, but only
// the part written is ever touched, so the rest costs no memory (at 10^8
// neurons, 12 bytes per neuron that zeroing would make resident).
template <class T>
struct Uninitialized : std::allocator<T> {
    template <class U> struct rebind { using other = Uninitialized<U>; };
    Uninitialized() = default;
    template <class U> Uninitialized(const Uninitialized<U>&) noexcept {}
    template <class U> void construct(U* p) noexcept { ::new ((void*)p) U; }
    template <class U, class... Args> void construct(U* p, Args&&... args)
    {
        ::new ((void*)p) U(std::forward<Args>(args)...);
    }
};
template <class T> using MonitorBuffer = std::vector<T, Uninitialized<T>>;

// A monitor's data of the current window of time steps is kept per thread,
// in buffers that grow when the run loop asks for room, and is written to
// its result files, in the order one thread would have written, at the end
// of the window.
struct SpikeMonitor {
    std::string stem;
    int64_t n;
    int i_slot, t_slot, fill_slot;                   // i_slot < 0: counts only
    bool records() const { return i_slot >= 0; }
    std::vector<MonitorBuffer<int32_t>> i;           // per thread
    std::vector<MonitorBuffer<double>> t;
    std::vector<std::vector<int64_t>> fill;          // per thread: written, capacity
    FILE *out_i = nullptr, *out_t = nullptr;
    int64_t written = 0;
};

struct StateMonitor {
    std::string stem, record_file;
    int64_t n, n_record;
    int times_slot, fill_slot, record_slot;
    std::vector<int> var_slots;
    std::vector<std::string> var_stems;
    std::vector<int32_t> record;
    std::vector<std::vector<int32_t>> record_t;      // per thread: its recorded neurons
    std::vector<std::vector<int64_t>> position_t;    // ... and their columns
    std::vector<std::vector<double>> times;          // per thread
    std::vector<std::vector<std::vector<double>>> vars;  // [thread][variable]
    std::vector<std::vector<int64_t>> fill;          // written, capacity, recorded
    FILE* out_times = nullptr;
    std::vector<FILE*> out_vars;
    int64_t rows = 0;
};

struct Op {
    std::string kind;                                // set / run
    int slot = 0;
    std::string source, path;                        // set: file|fill, path or value
    int64_t start = 0, end = 0;
};

struct Program {
    std::map<int, State> states;
    std::map<int, int64_t> spikespaces;              // slot -> N
    std::map<int, Buffer> spikespace_buffers;
    std::vector<SpikeMonitor> spike_monitors;
    std::vector<StateMonitor> state_monitors;
    std::map<std::string, std::string> units;
    std::vector<Op> ops, overrides;
    std::map<int, double> constant_overrides;
    uint64_t seed = 0;
    int64_t window = 0;                              // 0: no bound from the model
    int threads = 1;
    int n_slots = 0;
    int64_t most_blocks = 1;                         // of the largest group
    int64_t neurons = 0;                             // in all groups
};

int64_t file_size(const std::string& path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0) fail("cannot read " + path);
    return (int64_t)st.st_size;
}

std::vector<char> read_file(const std::string& path)
{
    std::vector<char> bytes((size_t)file_size(path));
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) fail("cannot open " + path);
    const size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    if (got != bytes.size()) fail("cannot read all of " + path);
    return bytes;
}

FILE* open_or_fail(const std::string& path, const char* mode)
{
    FILE* f = std::fopen(path.c_str(), mode);
    if (!f) fail("cannot open " + path + " (" + std::strerror(errno) + ")");
    return f;
}

void write_or_fail(const void* data, size_t size, size_t n, FILE* f, const std::string& what)
{
    if (n && std::fwrite(data, size, n, f) != n) fail("cannot write " + what + " (disk full?)");
}

Op parse_set(std::istringstream& in)
{
    Op op;
    op.kind = "set";
    if (!(in >> op.slot >> op.source >> op.path) || (op.source != "file" && op.source != "fill"))
        fail("bad set line");
    return op;
}

// Call read(kind, words) for each line of `path` that is not empty or a
// comment; it returns false for a line it does not understand.
template <class Read>
void read_lines(const std::string& path, Read read)
{
    std::ifstream in(path);
    if (!in) fail("cannot open " + path);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string kind;
        if (!(words >> kind) || kind[0] == '#') continue;
        if (!read(kind, words)) fail("cannot understand this line of " + path + ": " + line);
    }
}

void parse_program(Program& p, const std::string& path)
{
    read_lines(path, [&p](const std::string& kind, std::istringstream& words) {
        bool ok = true;
        if (kind == "slots") {
            ok = bool(words >> p.n_slots);
        } else if (kind == "group") {
            int64_t n = 0;
            ok = bool(words >> n);
            p.most_blocks = std::max(p.most_blocks, (n + ncg::BLOCK - 1) / ncg::BLOCK);
            p.neurons += n;
        } else if (kind == "state") {
            State s;
            ok = bool(words >> s.slot >> s.dtype >> s.count >> s.stem);
            p.states[s.slot] = s;
        } else if (kind == "spikespace") {
            int slot;
            int64_t n;
            ok = bool(words >> slot >> n);
            p.spikespaces[slot] = n;
        } else if (kind == "spikemonitor") {
            SpikeMonitor m;
            ok = bool(words >> m.stem >> m.n >> m.i_slot >> m.t_slot >> m.fill_slot);
            p.spike_monitors.push_back(m);
        } else if (kind == "statemonitor") {
            StateMonitor m;
            int n_vars = 0;
            ok = bool(words >> m.stem >> m.n >> m.times_slot >> m.fill_slot >> m.record_slot
                      >> m.record_file >> m.n_record >> n_vars);
            for (int k = 0; ok && k < n_vars; ++k) {
                int slot;
                std::string stem;
                ok = bool(words >> slot >> stem);
                m.var_slots.push_back(slot);
                m.var_stems.push_back(stem);
            }
            p.state_monitors.push_back(m);
        } else if (kind == "unit") {
            std::string stem, text;
            ok = bool(words >> stem);
            std::getline(words >> std::ws, text);
            p.units[stem] = text;
        } else if (kind == "seed") {
            ok = bool(words >> p.seed);
        } else if (kind == "window") {
            ok = bool(words >> p.window) && p.window > 0;
        } else if (kind == "set") {
            p.ops.push_back(parse_set(words));
        } else if (kind == "run") {
            Op op;
            op.kind = "run";
            ok = bool(words >> op.start >> op.end >> op.path);
            p.ops.push_back(op);
        } else {
            ok = false;
        }
        return ok;
    });
}

void parse_overrides(Program& p, const std::string& path)
{
    read_lines(path, [&p](const std::string& kind, std::istringstream& words) {
        if (kind == "set") {
            p.overrides.push_back(parse_set(words));
            return true;
        }
        int index;
        std::string value;
        if (kind != "const" || !(words >> index >> value)) return false;
        p.constant_overrides[index] = std::strtod(value.c_str(), nullptr);
        return true;
    });
}

void apply_set(Program& p, const Op& op)
{
    auto found = p.states.find(op.slot);
    if (found == p.states.end()) fail("set: slot " + std::to_string(op.slot) + " is no state array");
    State& s = found->second;
    const size_t size = dtype_size(s.dtype);
    char* data = (char*)s.buffer.data();
    if (op.source == "file") {
        const int64_t bytes = file_size(op.path);
        if (bytes != s.count * (int64_t)size)
            fail(op.path + " has " + std::to_string(bytes) + " bytes, expected " +
                 std::to_string(s.count * size));
        FILE* f = open_or_fail(op.path, "rb");
        const size_t got = std::fread(data, size, (size_t)s.count, f);
        std::fclose(f);
        if ((int64_t)got != s.count) fail("cannot read all of " + op.path);
        return;
    }
    const double value = std::strtod(op.path.c_str(), nullptr);
    for (int64_t k = 0; k < s.count; ++k) {
        if (s.dtype == "f8") ((double*)data)[k] = value;
        else if (s.dtype == "i8") ((int64_t*)data)[k] = (int64_t)value;
        else if (s.dtype == "i4") ((int32_t*)data)[k] = (int32_t)value;
        else ((bool*)data)[k] = value != 0;
    }
}

// Rows a state monitor buffers per thread to begin with (~8 MB).
int64_t state_rows(int64_t n_recorded)
{
    return std::max<int64_t>(64, (int64_t(1) << 20) / std::max<int64_t>(1, n_recorded));
}

int64_t part_size(int64_t n, int t, int threads)
{
    return ncg::part_begin(n, t + 1, threads) - ncg::part_begin(n, t, threads);
}

// Point thread t's argument table at its monitor buffers (after they moved).
void point_tables(Program& p, std::vector<void*>& table, int t)
{
    for (auto& m : p.spike_monitors) {
        table[m.fill_slot] = m.fill[t].data();
        if (!m.records()) continue;
        table[m.i_slot] = m.i[t].data();
        table[m.t_slot] = m.t[t].data();
    }
    for (auto& m : p.state_monitors) {
        table[m.times_slot] = m.times[t].data();
        table[m.fill_slot] = m.fill[t].data();
        table[m.record_slot] = m.record_t[t].data();
        for (size_t v = 0; v < m.var_slots.size(); ++v) table[m.var_slots[v]] = m.vars[t][v].data();
    }
}

// Allocate every array and per-thread buffer; fill each thread's argument
// table; open the result files of the monitors.
std::vector<std::vector<void*>> allocate(Program& p, const std::string& dir)
{
    const int T = p.threads;
    std::vector<std::vector<void*>> tables(T, std::vector<void*>(p.n_slots, nullptr));
    for (auto& [slot, s] : p.states) {
        s.buffer.resize((size_t)s.count * dtype_size(s.dtype));
        for (int t = 0; t < T; ++t) tables[t][slot] = s.buffer.data();
    }
    for (auto& [slot, n] : p.spikespaces) {
        Buffer& b = p.spikespace_buffers[slot];
        b.resize(sizeof(int32_t) * (size_t)(n + T));     // indices, then a count per thread
        for (int t = 0; t < T; ++t) tables[t][slot] = b.data();
    }
    for (auto& m : p.spike_monitors) {
        m.i.resize(T), m.t.resize(T), m.fill.assign(T, {0, 0});
        if (!m.records()) continue;
        for (int t = 0; t < T; ++t) {
            // room for every neuron of the thread to spike, and then some
            const int64_t capacity = part_size(m.n, t, T) + (int64_t(1) << 16);
            m.i[t].resize(capacity), m.t[t].resize(capacity);
            m.fill[t] = {0, capacity};
        }
        m.out_i = open_or_fail(dir + "/" + m.stem + ".i.bin", "wb");
        m.out_t = open_or_fail(dir + "/" + m.stem + ".t.bin", "wb");
    }
    for (auto& m : p.state_monitors) {
        const std::vector<char> bytes = read_file(m.record_file);
        m.record.resize(bytes.size() / sizeof(int32_t));
        std::memcpy(m.record.data(), bytes.data(), bytes.size());
        if ((int64_t)m.record.size() != m.n_record) fail(m.record_file + ": wrong size");
        m.record_t.resize(T), m.position_t.resize(T), m.times.resize(T);
        m.vars.resize(T), m.fill.resize(T);
        for (int t = 0; t < T; ++t) {
            const int64_t lo = ncg::part_begin(m.n, t, T), hi = ncg::part_begin(m.n, t + 1, T);
            for (int64_t k = 0; k < m.n_record; ++k)
                if (m.record[k] >= lo && m.record[k] < hi) {
                    m.record_t[t].push_back(m.record[k]);
                    m.position_t[t].push_back(k);
                }
            const int64_t n_t = (int64_t)m.record_t[t].size(), rows = state_rows(n_t);
            m.fill[t] = {0, rows, n_t};
            if (n_t == 0) m.record_t[t].push_back(0);    // not read; a valid pointer
            m.times[t].resize(rows);
            m.vars[t].assign(m.var_slots.size(),
                             std::vector<double>(rows * std::max<int64_t>(1, n_t)));
        }
        m.out_times = open_or_fail(dir + "/" + m.stem + ".t.bin", "wb");
        for (const auto& stem : m.var_stems)
            m.out_vars.push_back(open_or_fail(dir + "/" + stem + ".bin", "wb"));
    }
    for (int t = 0; t < T; ++t) {
        point_tables(p, tables[t], t);
        for (int slot = 0; slot < p.n_slots; ++slot)
            if (!tables[t][slot]) fail("slot " + std::to_string(slot) + " is not described");
    }
    return tables;
}

// Thread t's run loop stopped for room in a monitor buffer: double it.
void grow(Program& p, std::vector<void*>& table, int t)
{
    const int T = p.threads;
    for (auto& m : p.spike_monitors)
        if (m.records() && m.fill[t][0] + part_size(m.n, t, T) > m.fill[t][1]) {
            m.fill[t][1] *= 2;
            m.i[t].resize(m.fill[t][1]), m.t[t].resize(m.fill[t][1]);
        }
    for (auto& m : p.state_monitors)
        if (m.fill[t][0] >= m.fill[t][1]) {
            m.fill[t][1] *= 2;
            m.times[t].resize(m.fill[t][1]);
            for (auto& v : m.vars[t]) v.resize(m.fill[t][1] * std::max<int64_t>(1, m.fill[t][2]));
        }
    point_tables(p, table, t);
}

// Write what the monitors hold to their result files and empty them. The
// spikes of one time step are written thread by thread, that is in the
// order of their neurons; a state monitor's rows get each thread's columns.
void write_out(Program& p)
{
    const int T = p.threads;
    for (auto& m : p.spike_monitors) {
        if (!m.records()) continue;
        std::vector<int64_t> at(T, 0);
        while (true) {
            bool any = false;
            double first = 0;                        // the earliest time step left
            for (int t = 0; t < T; ++t)
                if (at[t] < m.fill[t][0] && (!any || m.t[t][at[t]] < first))
                    first = m.t[t][at[t]], any = true;
            if (!any) break;
            for (int t = 0; t < T; ++t) {
                int64_t end = at[t];
                while (end < m.fill[t][0] && m.t[t][end] == first) ++end;
                write_or_fail(&m.i[t][at[t]], sizeof(int32_t), end - at[t], m.out_i, m.stem);
                write_or_fail(&m.t[t][at[t]], sizeof(double), end - at[t], m.out_t, m.stem);
                m.written += end - at[t];
                at[t] = end;
            }
        }
        for (int t = 0; t < T; ++t) m.fill[t][0] = 0;
    }
    for (auto& m : p.state_monitors) {
        const int64_t rows = m.fill[0][0];
        for (int t = 1; t < T; ++t)
            if (m.fill[t][0] != rows) fail("threads recorded different numbers of rows");
        write_or_fail(m.times[0].data(), sizeof(double), rows, m.out_times, m.stem);
        std::vector<double> block(T > 1 ? rows * m.n_record : 0);
        for (size_t v = 0; v < m.var_slots.size(); ++v) {
            const double* out = m.vars[0][v].data();  // one thread: already in order
            if (T > 1) {
                for (int64_t r = 0; r < rows; ++r)
                    for (int t = 0; t < T; ++t) {
                        const int64_t n_t = m.fill[t][2];
                        for (int64_t k = 0; k < n_t; ++k)
                            block[r * m.n_record + m.position_t[t][k]] = m.vars[t][v][r * n_t + k];
                    }
                out = block.data();
            }
            write_or_fail(out, sizeof(double), rows * m.n_record, m.out_vars[v], m.var_stems[v]);
        }
        m.rows += rows;
        for (int t = 0; t < T; ++t) m.fill[t][0] = 0;
    }
}

// Run the steps [start, end). With one thread, monitor buffers are written
// out whenever they are full. With several, the steps go in windows of
// about 2^25 neuron-steps, or of the model's window if shorter (the steps
// that spikes take to reach another thread's neurons): in a window each
// thread advances its own neurons through every step with no
// synchronisation (its buffers grow as needed); at the end of the window the
// threads meet once and the data is written.
void run_steps(Program& p, std::vector<std::vector<void*>>& tables, const std::vector<double>& consts,
               int64_t start, int64_t end)
{
    const int T = p.threads;
    if (T == 1) {
        for (int64_t step = start; step < end;) {
            step = ncg_run(tables[0].data(), consts.data(), p.seed, step, end, 0, 1);
            write_out(p);
        }
        return;
    }
    int64_t window = std::max<int64_t>(1, (int64_t(1) << 25) / std::max<int64_t>(1, p.neurons));
    if (p.window > 0) window = std::min(window, p.window);
    std::vector<std::string> errors(T);
    for (int64_t first = start; first < end; first += window) {
        const int64_t last = std::min(end, first + window);
#pragma omp parallel num_threads(T)
        {
#ifdef _OPENMP
            const int t = omp_get_thread_num();
#else
            const int t = 0;
#endif
            try {
                for (int64_t step = first; step < last;) {
                    step = ncg_run(tables[t].data(), consts.data(), p.seed, step, last, t, T);
                    if (step < last) grow(p, tables[t], t);
                }
            } catch (const std::exception& e) {
                errors[t] = e.what();
            }
        }
        for (const auto& e : errors)
            if (!e.empty()) fail(e);
        write_out(p);
    }
}

void write_header(const std::string& dir, const std::string& stem, const std::string& dtype,
                  const std::string& shape, const std::map<std::string, std::string>& units)
{
    auto unit = units.find(stem);
    FILE* f = open_or_fail(dir + "/" + stem + ".json", "w");
    std::fprintf(f, "{\"dtype\": \"%s\", \"shape\": [%s], \"unit\": \"%s\"}\n",
                 json_dtype(dtype).c_str(), shape.c_str(),
                 unit == units.end() ? "1" : unit->second.c_str());
    std::fclose(f);
}

// The program's own peak resident memory. Linux's getrusage() also counts the
// peak of the process that started us (a Python process holding the model's
// arrays, when started from neurocodegen), so read VmHWM where there is one.
long long peak_memory_bytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (long long)usage.ru_maxrss * 1024;
}

int main_checked(int argc, char** argv)
{
    std::string results = "results", override_file;
    int threads = 0;
    bool seed_given = false;
    uint64_t seed = 0;
    for (int k = 1; k < argc; ++k) {
        const std::string arg = argv[k];
        if (k + 1 >= argc) fail("missing value after " + arg);
        if (arg == "--results") results = argv[++k];
        else if (arg == "--threads") threads = std::atoi(argv[++k]);
        else if (arg == "--seed") seed = std::strtoull(argv[++k], nullptr, 10), seed_given = true;
        else if (arg == "--override") override_file = argv[++k];
        else fail("unknown argument " + arg);
    }
    Program p;
    parse_program(p, "program.txt");
    if (!override_file.empty()) parse_overrides(p, override_file);
    if (threads > 0) p.threads = threads;
    if (seed_given) p.seed = seed;
    if (p.threads < 1) fail("the number of threads must be at least 1");
    // a thread works on whole blocks of neurons: more threads would idle
    p.threads = (int)std::min<int64_t>(p.threads, p.most_blocks);
    mkdir(results.c_str(), 0777);
    std::remove((results + "/status.json").c_str());
    const auto t0 = std::chrono::steady_clock::now();
    auto tables = allocate(p, results);
    bool first_run = true;
    int64_t steps = 0;
    std::string run_seconds;                         // of each run, for status.json
    for (const Op& op : p.ops) {
        if (op.kind == "set") {
            apply_set(p, op);
            continue;
        }
        if (first_run)
            for (const Op& o : p.overrides) apply_set(p, o);
        first_run = false;
        const std::vector<char> bytes = read_file(op.path);
        std::vector<double> consts(bytes.size() / sizeof(double) + 1);
        std::memcpy(consts.data(), bytes.data(), bytes.size());
        for (auto& [index, value] : p.constant_overrides) {
            if (index < 0 || (size_t)index * sizeof(double) >= bytes.size())
                fail("const override index out of range");
            consts[index] = value;
        }
        const auto run_start = std::chrono::steady_clock::now();
        run_steps(p, tables, consts, op.start, op.end);
        const std::chrono::duration<double> run_time = std::chrono::steady_clock::now() - run_start;
        run_seconds += (run_seconds.empty() ? "" : ", ") + std::to_string(run_time.count());
        steps += op.end - op.start;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (auto& m : p.spike_monitors) {
        if (!m.records()) continue;
        std::fclose(m.out_i), std::fclose(m.out_t);
        write_header(results, m.stem + ".i", "i4", std::to_string(m.written), p.units);
        write_header(results, m.stem + ".t", "f8", std::to_string(m.written), p.units);
    }
    for (auto& m : p.state_monitors) {
        std::fclose(m.out_times);
        for (FILE* f : m.out_vars) std::fclose(f);
        write_header(results, m.stem + ".t", "f8", std::to_string(m.rows), p.units);
        for (const auto& stem : m.var_stems)
            write_header(results, stem, "f8",
                         std::to_string(m.rows) + ", " + std::to_string(m.n_record), p.units);
    }
    for (auto& [slot, s] : p.states) {
        if (s.stem == "-") continue;
        FILE* f = open_or_fail(results + "/" + s.stem + ".bin", "wb");
        write_or_fail(s.buffer.data(), dtype_size(s.dtype), s.count, f, s.stem);
        std::fclose(f);
        write_header(results, s.stem, s.dtype, std::to_string(s.count), p.units);
    }
    FILE* f = open_or_fail(results + "/status.json", "w");
    std::fprintf(f, "{\"complete\": true, \"steps\": %lld, \"threads\": %d, \"seconds\": %.6f, "
                    "\"run_seconds\": [%s], \"max_rss_bytes\": %lld}\n",
                 (long long)steps, p.threads, seconds, run_seconds.c_str(),
                 (long long)peak_memory_bytes());
    std::fclose(f);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        return main_checked(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
