// The driver of a standalone program: reads program.txt (written by
// neurocodegen's Python side), runs its schedule with ncg_run from
// network.cpp on K threads, and streams recorded data to binary files, each
// with a JSON header. Nothing here depends on the model or on the kinds of
// its objects: program.txt describes each array by its role and each
// recording by how its rows are laid out, so a new kind of monitor needs no
// change here. The generated code is all in network.cpp, compiled apart and
// linked with this driver's object file (main.o).
//
// usage: network [--results DIR] [--threads K] [--seed S] [--override FILE]
//                [--fixed-threads 0|1] [--probe-steps P]
// --threads K: at most K threads; the program times its steps and runs on
// fewer where fewer are faster (ThreadChoice), unless --fixed-threads 1.
// --probe-steps P: time each choice over P steps, 4 times in every round
// (default: over at least 0.5 ms, fewer times when one is clearly faster).
//
// program.txt, one item per line (slots index ncg_run's argument table):
//   slots <n> | seed <u64> | group <N> (a group of N neurons)
//   window <steps>                          threads meet at least every <steps>
//                                           steps (the smallest synaptic delay)
//   serial                                  run on one thread (kernels read the
//                                           data of every thread)
//   array <slot> <role> <dtype> <count> <name>   shared by all threads; roles:
//     state, counter: set by `set`, written to <name>.bin at the end (-: not);
//     spikes: <count> indices, then a count per thread; input: read from <name>
//   history <slot> <steps> <N>              a ring of <steps> spike spaces of a
//                                           group of N (a synapses' past spikes)
//   recording <name> events <fill slot> <N> <column>...
//     one row per event (a spike), at most one per index and step: each
//     thread appends those of its part of N. Rows are written step by step
//     (the `time` column tells steps apart), in a step thread by thread: as
//     one thread would have written them. A column's shape: rows.
//   recording <name> snapshot <fill slot> <N> <index slot> [owner <slot>] <column>...
//     one row per recording step: `time` one value, a `column` one value per
//     index listed in the input array <index slot> (shape: rows, indices);
//     each thread records the indices in its part of N, or those whose
//     owner (the input array <slot>: an index of N for each, such as a
//     synapse's target neuron) is in its part.
//   <column>: time|column <slot> <dtype> <stem>, a buffer per thread written
//     to <stem>.bin; a recording with columns has one `time` (f8), one with
//     none (spike counts only) writes nothing. The fill slot holds per thread
//     the rows written and the capacity (a snapshot: and the thread's number
//     of indices); the run loop returns before a step that might not fit.
//   unit <stem> <text>                      the unit written in <stem>.json
//   set <slot> file <path> | set <slot> fill <value>   (a state or counter)
//   run <start step> <end step> <constants file>
// An override file holds `set` lines, applied before the first run,
// `const <index> <value>` lines, applied to the constants of every run, and
// `history` and `window` lines, which replace program.txt's (other delays).
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
#include <new>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "ncg_support.hpp"

// From network.cpp, the model's code (compiled on its own: this driver is
// compiled once and its object file kept in the compile cache; it took 6.7 s
// of a 7 s build): the run loop, and where the threads meet.
int64_t ncg_run(void** ptr, const double* consts, uint64_t seed, int64_t step, int64_t end,
                int thread, int threads);
void ncg_meet(int threads);

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

// Memory for buffers: one of 4 MiB or more is aligned to 2 MiB and asks the
// kernel for huge pages, as numpy does for its large arrays in the runtime
// mode (fewer TLB misses when spikes reach synapses all over an array: CUBA
// with 40000 neurons ran 3-15 % faster).
template <typename T>
struct HugePageAllocator {
    using value_type = T;
    static const size_t HUGE_PAGE = size_t(2) << 20;
    HugePageAllocator() = default;
    template <typename U> HugePageAllocator(const HugePageAllocator<U>&) {}
    T* allocate(size_t n)
    {
        const size_t bytes = n * sizeof(T);
        void* p = nullptr;
        if (bytes >= 2 * HUGE_PAGE) {
            const size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            p = std::aligned_alloc(HUGE_PAGE, rounded);
#ifdef MADV_HUGEPAGE
            if (p) madvise(p, rounded, MADV_HUGEPAGE);
#endif
        } else {
            p = std::malloc(bytes ? bytes : 1);
        }
        if (!p) throw std::bad_alloc();
        return (T*)p;
    }
    void deallocate(T* p, size_t) { std::free(p); }
    template <typename U> bool operator==(const HugePageAllocator<U>&) const { return true; }
    template <typename U> bool operator!=(const HugePageAllocator<U>&) const { return false; }
};

// A plain buffer of `bytes` bytes, zeroed, aligned for any element type.
struct Buffer {
    std::vector<double, HugePageAllocator<double>> storage;
    void* data() { return storage.data(); }
    void resize(size_t bytes) { storage.assign((bytes + 7) / 8 + 1, 0.0); }
};

// An array of an `array` line, shared by all threads.
struct Shared {
    int slot;
    std::string role, dtype, name;
    int64_t count;
    int64_t group = 0;          // history: the group whose spikes it keeps
    Buffer buffer;
    // set from Python and written to the results (a model variable or counts)
    bool state() const { return role == "state" || role == "counter"; }
};

// An allocator that leaves new elements uninitialized. An event recording's
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
// Bytes of any element type: operator new aligns them for double and int64.
using Bytes = std::vector<char, Uninitialized<char>>;

int64_t part_size(int64_t n, int t, int threads)
{
    return ncg::part_begin(n, t + 1, threads) - ncg::part_begin(n, t, threads);
}

struct Column {
    int slot = 0;
    std::string dtype, stem;
    bool time = false;          // events: tells steps apart; snapshot: one value a row
    size_t size = 0;            // bytes per value
    std::vector<Bytes> data;    // per thread
    FILE* out = nullptr;
};

// A recording's data of the current window of time steps is kept per
// thread, in buffers that grow when the run loop asks for room, and is
// written to its result files, in the order one thread would have written,
// at the end of the window.
struct Recording {
    std::string name;
    bool snapshot = false;                           // else events
    int fill_slot = 0, index_slot = -1, owner_slot = -1;
    int64_t n = 0;                                   // the group's size
    std::vector<Column> columns;
    int time = -1;                                   // which column is `time`
    std::vector<std::vector<int64_t>> fill;          // per thread: written, capacity[, indices]
    std::vector<std::vector<int32_t>> index_t;       // snapshot, per thread: its indices
    std::vector<std::vector<int64_t>> position_t;    // ... and their places in a row
    int64_t n_index = 0;                             // snapshot: values in a row
    int64_t rows = 0;                                // written to the files

    // rows that one step may append in thread t of T
    int64_t room(int t, int T) const
    {
        return columns.empty() ? 0 : snapshot ? 1 : part_size(n, t, T);
    }
    // thread t's buffers to the capacity in its fill (they may move); a row of
    // a snapshot's column holds a value per index (at least 1: a valid pointer)
    void resize(int t)
    {
        try {
            for (auto& c : columns) {
                const int64_t width = snapshot && !c.time ? std::max<int64_t>(1, fill[t][2]) : 1;
                c.data[t].resize((size_t)(fill[t][1] * width) * c.size);
            }
        } catch (const std::bad_alloc&) {
            fail("not enough memory for the recording " + name + ": thread " +
                 std::to_string(t) + "'s buffers of " + std::to_string(fill[t][1]) + " rows");
        }
    }
};

struct Op {
    std::string kind;                                // set / run
    int slot = 0;
    std::string source, path;                        // set: file|fill, path or value
    int64_t start = 0, end = 0;
};

struct Program {
    std::map<int, Shared> arrays;                    // by slot
    std::vector<Recording> recordings;
    std::map<std::string, std::string> units;
    std::vector<Op> ops, overrides;
    std::map<int, double> constant_overrides;
    uint64_t seed = 0;
    int64_t window = 0;                              // 0: no bound from the model
    bool serial = false;                             // one thread only
    int threads = 1;                                 // running now (see ThreadChoice)
    int most_threads = 1;                            // asked for: the layout's
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

// Read the file `path` of `count` values of `size` bytes straight into `data`
// (no second copy: an array of 10^9 synapses must not be held twice).
void read_into(const std::string& path, void* data, size_t size, int64_t count)
{
    const int64_t bytes = file_size(path);
    if (bytes != count * (int64_t)size)
        fail(path + " has " + std::to_string(bytes) + " bytes, expected " +
             std::to_string(count * (int64_t)size));
    if (count == 0) return;
    FILE* f = open_or_fail(path, "rb");
    const size_t got = std::fread(data, size, (size_t)count, f);
    std::fclose(f);
    if ((int64_t)got != count) fail("cannot read all of " + path);
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

bool parse_recording(Program& p, std::istringstream& words)
{
    Recording r;
    std::string layout, tag;
    if (!(words >> r.name >> layout >> r.fill_slot >> r.n)) return false;
    r.snapshot = layout == "snapshot";
    if (!r.snapshot && layout != "events") return false;
    if (r.snapshot && !(words >> r.index_slot)) return false;
    while (words >> tag) {
        if (r.snapshot && tag == "owner" && r.columns.empty()) {
            if (!(words >> r.owner_slot)) return false;
            continue;
        }
        Column c;
        if ((tag != "time" && tag != "column") || !(words >> c.slot >> c.dtype >> c.stem))
            return false;
        c.time = tag == "time", c.size = dtype_size(c.dtype);
        if (c.time && (r.time >= 0 || c.dtype != "f8")) fail(r.name + ": one f8 time column");
        if (c.time) r.time = (int)r.columns.size();
        r.columns.push_back(c);
    }
    if (!r.columns.empty() && r.time < 0) fail("recording " + r.name + " has no time column");
    p.recordings.push_back(std::move(r));
    return true;
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
        } else if (kind == "array") {
            Shared a;
            ok = bool(words >> a.slot >> a.role >> a.dtype >> a.count >> a.name) &&
                 (a.role == "state" || a.role == "counter" || a.role == "spikes" ||
                  a.role == "input") && dtype_size(a.dtype) > 0;
            p.arrays[a.slot] = a;
        } else if (kind == "history") {
            Shared a;                                // <count> steps of a group's spike space
            a.role = "history", a.dtype = "i4", a.name = "-";
            ok = bool(words >> a.slot >> a.count >> a.group) && a.count > 0 && a.group > 0;
            p.arrays[a.slot] = a;
        } else if (kind == "recording") {
            ok = parse_recording(p, words);
        } else if (kind == "unit") {
            std::string stem, text;
            ok = bool(words >> stem);
            std::getline(words >> std::ws, text);
            p.units[stem] = text;
        } else if (kind == "seed") {
            ok = bool(words >> p.seed);
        } else if (kind == "serial") {
            p.serial = true;
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
        if (kind == "window") return bool(words >> p.window) && p.window > 0;
        if (kind == "history") {                     // a deeper ring for other delays
            int slot;
            int64_t steps, n;
            auto found = p.arrays.end();
            if (words >> slot >> steps >> n) found = p.arrays.find(slot);
            if (found == p.arrays.end() || found->second.role != "history" ||
                    found->second.group != n || steps < 1)
                return false;
            found->second.count = steps;
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
    auto found = p.arrays.find(op.slot);
    if (found == p.arrays.end() || !found->second.state())
        fail("set: slot " + std::to_string(op.slot) + " is no state array");
    Shared& s = found->second;
    const size_t size = dtype_size(s.dtype);
    char* data = (char*)s.buffer.data();
    if (op.source == "file") {
        read_into(op.path, data, size, s.count);
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

// The entry of `slot` in an argument table, checked against program.txt's size.
void*& entry(std::vector<void*>& table, int slot)
{
    if (slot < 0 || slot >= (int)table.size())
        fail("slot " + std::to_string(slot) + " is out of range");
    return table[slot];
}

// A snapshot's indices split among the threads: each records those in its
// part of the group, and keeps their places in a row of the result files.
void split_indices(Program& p, Recording& r)
{
    auto found = p.arrays.find(r.index_slot);
    if (found == p.arrays.end() || found->second.role != "input" || found->second.dtype != "i4")
        fail("recording " + r.name + ": its indices are no i4 input array");
    const int32_t* index = (const int32_t*)found->second.buffer.data();
    // the index of N each listed index belongs to: itself, or its owner (a
    // synapse's target neuron, whose thread owns the synapse)
    const int32_t* owner = index;
    if (r.owner_slot >= 0) {
        auto owners = p.arrays.find(r.owner_slot);
        if (owners == p.arrays.end() || owners->second.role != "input" ||
            owners->second.dtype != "i4" || owners->second.count != found->second.count)
            fail("recording " + r.name + ": its owners are no i4 input array of its indices");
        owner = (const int32_t*)owners->second.buffer.data();
    }
    const int T = p.threads;
    r.n_index = found->second.count;
    r.index_t.assign(p.most_threads, {}), r.position_t.assign(p.most_threads, {});
    for (int64_t k = 0; k < r.n_index; ++k) {
        int t = 0;                                   // the thread whose part holds it
        while (t < T && ncg::part_begin(r.n, t + 1, T) <= owner[k]) ++t;
        if (owner[k] < 0 || t == T) fail(r.name + ": an index is not in 0..N-1");
        r.index_t[t].push_back(index[k]), r.position_t[t].push_back(k);
    }
    for (int t = 0; t < p.most_threads; ++t) {
        r.fill[t] = {0, 0, (int64_t)r.index_t[t].size()};
        if (r.index_t[t].empty()) r.index_t[t].push_back(0);  // not read; a valid pointer
    }
}

// Point thread t's argument table at its recording buffers (after they moved).
void point_tables(Program& p, std::vector<void*>& table, int t)
{
    for (auto& r : p.recordings) {
        entry(table, r.fill_slot) = r.fill[t].data();
        if (r.snapshot) entry(table, r.index_slot) = r.index_t[t].data();  // not the shared list
        for (auto& c : r.columns) entry(table, c.slot) = c.data[t].data();
    }
}

// A recording's buffers for the threads running now, empty: a snapshot's
// indices split among them; rows to begin with: events, room for every
// neuron of the thread to spike in a step and then some; a snapshot, ~8 MB a
// column.
void size_buffers(Program& p, Recording& r)
{
    const int T = p.threads;
    if (r.snapshot) split_indices(p, r);
    for (int t = 0; t < T; ++t) {
        const int64_t per_row = std::max<int64_t>(1, r.snapshot ? r.fill[t][2] : 0);
        r.fill[t][0] = 0;
        r.fill[t][1] = r.columns.empty() ? 0 : r.snapshot
            ? std::max<int64_t>(64, (int64_t(1) << 20) / per_row) : r.room(t, T) + (1 << 16);
        for (auto& c : r.columns) c.data[t].clear();   // written out: nothing to copy
        r.resize(t);
    }
}

// Allocate every array, laid out for up to p.most_threads threads, and the
// recordings' buffers of the p.threads threads that run first; fill their
// argument tables; open the result files of the recordings.
std::vector<std::vector<void*>> allocate(Program& p, const std::string& dir)
{
    const int T = p.most_threads;                    // p.threads: those of the first steps
    std::vector<std::vector<void*>> tables(T, std::vector<void*>(p.n_slots, nullptr));
    for (auto& [slot, a] : p.arrays) {
        const size_t size = dtype_size(a.dtype);
        // a spike space ends with a count per thread; a history is steps of
        // them (room for the most threads: a run may use fewer)
        const int64_t values = a.role == "spikes" ? a.count + T :
                               a.role == "history" ? a.count * (a.group + T) : a.count;
        a.buffer.resize((size_t)values * size);
        if (a.role == "input") read_into(a.name, a.buffer.data(), size, a.count);
        for (int t = 0; t < T; ++t) entry(tables[t], slot) = a.buffer.data();
    }
    for (auto& r : p.recordings) {
        r.fill.assign(T, {0, 0});
        for (auto& c : r.columns) {
            c.data.resize(T);
            c.out = open_or_fail(dir + "/" + c.stem + ".bin", "wb");
        }
        size_buffers(p, r);
    }
    for (int t = 0; t < p.threads; ++t) {
        point_tables(p, tables[t], t);
        for (int slot = 0; slot < p.n_slots; ++slot)
            if (!tables[t][slot]) fail("slot " + std::to_string(slot) + " is not described");
    }
    return tables;
}

// Thread t's run loop stopped for room in a recording: double the buffers
// of each recording whose next step might not fit.
void grow(Program& p, std::vector<void*>& table, int t)
{
    for (auto& r : p.recordings) {
        const int64_t needed = r.fill[t][0] + r.room(t, p.threads);
        if (needed <= r.fill[t][1]) continue;
        while (r.fill[t][1] < needed) r.fill[t][1] = std::max<int64_t>(1, 2 * r.fill[t][1]);
        r.resize(t);
    }
    point_tables(p, table, t);
}

// An event recording's rows, step by step and in each step thread by
// thread, that is in the order of their neurons.
void write_events(Recording& r, int T)
{
    if (r.time < 0) return;                          // nothing recorded but counts
    std::vector<const double*> times(T);
    for (int t = 0; t < T; ++t) times[t] = (const double*)r.columns[r.time].data[t].data();
    std::vector<int64_t> at(T, 0);
    while (true) {
        bool any = false;
        double first = 0;                            // the earliest time step left
        for (int t = 0; t < T; ++t)
            if (at[t] < r.fill[t][0] && (!any || times[t][at[t]] < first))
                first = times[t][at[t]], any = true;
        if (!any) break;
        for (int t = 0; t < T; ++t) {
            int64_t end = at[t];
            while (end < r.fill[t][0] && times[t][end] == first) ++end;
            for (auto& c : r.columns) {
                const char* from = c.data[t].data() + at[t] * c.size;
                write_or_fail(from, c.size, end - at[t], c.out, c.stem);
            }
            r.rows += end - at[t];
            at[t] = end;
        }
    }
}

// Thread t's rows of a snapshot column (its own indices) into their places
// in rows of n values.
template <size_t Size>
void scatter(char* block, const char* values, int64_t rows, int64_t n,
             const std::vector<int64_t>& position)
{
    const int64_t n_t = (int64_t)position.size();
    for (int64_t row = 0; row < rows; ++row, values += n_t * Size, block += n * Size)
        for (int64_t k = 0; k < n_t; ++k)
            std::memcpy(block + position[k] * Size, values + k * Size, Size);
}

// A snapshot's rows: the times of any thread (they are all the same), and
// each column's row put together from every thread's indices.
void write_snapshot(Recording& r, int T)
{
    const int64_t rows = r.fill[0][0];
    for (int t = 1; t < T; ++t)
        if (r.fill[t][0] != rows) fail("threads recorded different numbers of rows");
    std::vector<char> block;
    for (auto& c : r.columns) {
        const int64_t values = rows * (c.time ? 1 : r.n_index);
        const char* out = c.data[0].data();          // one thread: already in order
        if (!c.time && T > 1) {
            block.resize((size_t)values * c.size);
            const auto put = c.size == 8 ? scatter<8> : c.size == 4 ? scatter<4> : scatter<1>;
            for (int t = 0; t < T; ++t)
                put(block.data(), c.data[t].data(), rows, r.n_index, r.position_t[t]);
            out = block.data();
        }
        write_or_fail(out, c.size, values, c.out, c.stem);
    }
    r.rows += rows;
}

// Write what the recordings hold to their result files and empty them.
void write_out(Program& p)
{
    for (auto& r : p.recordings) {
        if (r.snapshot) write_snapshot(r, p.threads);
        else write_events(r, p.threads);
        for (auto& fill : r.fill) fill[0] = 0;
    }
}

// The spikes of a spike space of a group of n laid out for `threads`
// threads: those of thread u at the start of its part, their count at n + u.
// In neuron order, however many threads wrote them.
std::vector<int32_t> spikes_of(const int32_t* space, int64_t n, int threads)
{
    std::vector<int32_t> spikes;
    for (int u = 0; u < threads; ++u) {
        const int32_t* first = space + ncg::part_begin(n, u, threads);
        spikes.insert(spikes.end(), first, first + space[n + u]);
    }
    return spikes;
}

void lay_out_spikes(int32_t* space, int64_t n, int threads, const std::vector<int32_t>& spikes)
{
    size_t k = 0;
    for (int t = 0; t < threads; ++t) {
        const int64_t first = ncg::part_begin(n, t, threads), stop = ncg::part_begin(n, t + 1, threads);
        int32_t count = 0;
        while (k < spikes.size() && spikes[k] < stop) space[first + count++] = spikes[k++];
        space[n + t] = count;
    }
}

// Run on T threads from the next step on (between windows, when no thread
// runs): write out the recordings, lay out every spike space and history
// for T, and split the recordings' buffers among the T threads.
void set_threads(Program& p, std::vector<std::vector<void*>>& tables, int T)
{
    write_out(p);
    for (auto& [slot, a] : p.arrays) {
        if (a.role != "spikes" && a.role != "history") continue;
        int32_t* data = (int32_t*)a.buffer.data();
        const int64_t n = a.role == "spikes" ? a.count : a.group;
        const int64_t steps = a.role == "spikes" ? 1 : a.count;
        std::vector<std::vector<int32_t>> spikes((size_t)steps);
        for (int64_t s = 0; s < steps; ++s)
            spikes[s] = spikes_of(data + s * (n + p.threads), n, p.threads);
        for (int64_t s = 0; s < steps; ++s)
            lay_out_spikes(data + s * (n + T), n, T, spikes[s]);
    }
    p.threads = T;
    for (auto& r : p.recordings) size_buffers(p, r);
    for (int t = 0; t < T; ++t) point_tables(p, tables[t], t);
}

// How many threads run the next steps. A second thread pays only when a
// step has enough work to share: on CUBA with 4000 neurons, whose threads
// meet every step, two were slower than one on a 2-vCPU machine (0.53-0.86x),
// as Brian2's are. So the program times itself. In a round it runs a probe
// of at least 0.5 ms and 16 steps (or 20 ms) as 1 thread takes it, on each
// candidate (1 thread, then the threads asked for halved down to 2, then
// those asked for), in turn, 4 times (fewer if one is clearly the fastest:
// the others 2 times slower after one turn, 1.5 after more); then the
// fastest for a stretch of 8 rounds' steps, doubled (up to 256) while the
// choice holds: the load of a machine changes, so the choice is made again
// after each stretch. More threads are chosen only when at least 5 %
// faster than fewer. The spikes and states do not depend on the number of
// threads, so neither do the results.
struct Stretch {
    int threads;
    int64_t steps;
};

struct ThreadChoice {
    // a probe: at least PROBE_SECONDS, and PROBE_STEPS steps unless those
    // take LONG_PROBE_SECONDS (a step of a very large network is long, and
    // its activity steady)
    static constexpr double PROBE_SECONDS = 0.0005, LONG_PROBE_SECONDS = 0.02;
    static constexpr int64_t PROBE_STEPS = 16;         // constexpr: inline (std::max takes it by reference)
    // more threads: MARGIN times the time of fewer at most; a clear winner,
    // the others CLEAR (after one turn: CLEAR_AT_ONCE) times slower
    static constexpr double MARGIN = 0.95, CLEAR = 1.5, CLEAR_AT_ONCE = 2.0;
    static constexpr int REPEATS = 4, FIRST_STRETCH = 8, LONGEST_STRETCH = 256;
    std::vector<int> candidates;                     // 1 thread first (no thread to start)
    std::vector<std::vector<double>> timed;          // the round's seconds per step, each
    int64_t probe = 1;                               // steps of a probe, doubled until timed well
    bool probe_fixed = false;                        // --probe-steps: never longer
    int64_t rounds = FIRST_STRETCH;                  // the stretch, in rounds' steps
    size_t next = 0;                                 // the round's next probe
    int chosen = -1;                                 // running a stretch of it, or -1
    int64_t left = 0;                                // steps left in the stretch
    int last_choice = -1;
    std::map<int, int64_t> steps_by_threads;
    int changes = 0;

    ThreadChoice(int most, bool fixed, int64_t probe_steps)
    {
        for (int T = most; T > 1 && !fixed; T /= 2) candidates.insert(candidates.begin(), T);
        if (candidates.empty() || candidates[0] != 1) candidates.insert(candidates.begin(), fixed ? most : 1);
        timed.assign(candidates.size(), {});
        if (probe_steps > 0) probe = probe_steps, probe_fixed = true;
    }

    Stretch upcoming() const
    {
        if (candidates.size() == 1) return {candidates[0], INT64_MAX};
        if (chosen >= 0) return {candidates[chosen], left};
        // in a round's first turn, more threads get a quarter of the probe
        // (at least PROBE_STEPS steps, at most the probe): twice as slow
        // there ends the round, and on a small network whose threads meet
        // every step (CUBA, 4000 neurons) they were up to 3 times slower,
        // which made the program 8-25 % slower than one thread. Never longer
        // than the probe: a network of 2e9 synapses (probes of 2 steps of
        // 30-90 ms) timed 2 threads on 16 steps of its rising first activity
        // against 1 thread on 2 steps before it, and ran 27 % of its steps
        // on 1 thread, 3 times slower than 2
        const size_t k = next % candidates.size();
        const bool first_turn = next < candidates.size() && k > 0 && !probe_fixed;
        return {candidates[k],
                first_turn ? std::min(probe, std::max(PROBE_STEPS, probe / 4)) : probe};
    }

    // A candidate's time per step in this round: the mean of its probes but
    // the slowest (a probe the machine stalled). The probes of candidates
    // take turns, so each sees the same ups and downs of the network's
    // activity.
    double score(int k) const
    {
        const std::vector<double>& t = timed[k];
        double sum = 0, slowest = 0;
        for (double x : t) sum += x, slowest = std::max(slowest, x);
        return t.size() > 1 ? (sum - slowest) / (t.size() - 1) : sum;
    }

    void record(const Stretch& s, int64_t steps, double seconds)
    {
        steps_by_threads[s.threads] += steps;
        if (candidates.size() == 1) return;
        if (chosen >= 0) {                           // a stretch ran (or part: a run's end)
            left -= steps;
            if (left > 0) return;
            chosen = -1, next = 0;                   // ... then a new round
            timed.assign(candidates.size(), {});
            return;
        }
        const bool short_probe = seconds < PROBE_SECONDS ||
                                 (probe < PROBE_STEPS && seconds < LONG_PROBE_SECONDS);
        if (short_probe && !probe_fixed && steps == s.steps && next == 0) {
            probe *= 2;                              // too short to time well: again, longer
            return;
        }
        const size_t n = candidates.size();
        timed[next % n].push_back(seconds / std::max<int64_t>(1, steps));
        ++next;
        if (next % n != 0) return;                   // after each turn of every candidate:
        int c = 0;                                   // 1 thread, unless more are faster
        for (int k = 1; k < (int)n; ++k)
            if (score(k) < MARGIN * score(c)) c = k;
        // a clear winner is not timed further: probing a slow choice costs
        const double clear_by = next == n ? CLEAR_AT_ONCE : CLEAR;
        bool clear = true;
        for (int k = 0; k < (int)n; ++k)
            if (k != c && score(k) < clear_by * score(c)) clear = false;
        if (next < REPEATS * n && (!clear || probe_fixed)) return;
        rounds = c == last_choice ? std::min(2 * rounds, (int64_t)LONGEST_STRETCH) : FIRST_STRETCH;
        last_choice = chosen = c;
        left = rounds * REPEATS * (int64_t)n * probe;
    }
};

// Run the steps [start, end) on p.threads threads. With one thread,
// recording buffers are written out whenever they are full. With several,
// the steps go in windows of about 2^25 neuron-steps, or of the model's
// window if shorter (the steps that spikes take to reach another thread's
// neurons): in a window each thread advances its own neurons through every
// step with no synchronisation (its buffers grow as needed); at the end of
// the window the threads meet, the first writes the data out, and they meet
// again. The threads stay in one parallel region for all the windows, and
// meet on ncg_meet (its adaptive spin), not on OpenMP's fork and join (whose
// spin a run keeps short, GOMP_SPINCOUNT=1000): Brunel (a window of 15 steps)
// on 2 threads, medians of 8 and 12 alternated runs 3-4 % lower.
void run_threads(Program& p, std::vector<std::vector<void*>>& tables, const std::vector<double>& consts,
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
    std::string write_error;
#pragma omp parallel num_threads(T)
    {
#ifdef _OPENMP
        const int t = omp_get_thread_num();
#else
        const int t = 0;
#endif
        for (int64_t first = start; first < end && write_error.empty(); first += window) {
            const int64_t last = std::min(end, first + window);
            try {
                for (int64_t step = first; step < last;) {
                    step = ncg_run(tables[t].data(), consts.data(), p.seed, step, last, t, T);
                    if (step < last) grow(p, tables[t], t);
                }
            } catch (const std::exception& e) {
                // (no memory for a buffer) the other threads may be waiting for
                // this one in a step's meeting: end the program here, with the
                // message main() gives, rather than leave them waiting
                std::fprintf(stderr, "error: %s\n", e.what());
                std::fflush(stderr);
                std::_Exit(1);
            }
            ncg_meet(T);                             // every thread's steps are done
            if (t == 0) {
                try {
                    write_out(p);
                } catch (const std::exception& e) {
                    write_error = e.what();
                }
            }
            ncg_meet(T);                             // the buffers are written out, empty
        }
    }
    if (!write_error.empty()) fail(write_error);
}

// Run the steps [start, end) in stretches, each on the threads `choice` gives.
void run_steps(Program& p, std::vector<std::vector<void*>>& tables, const std::vector<double>& consts,
               ThreadChoice& choice, int64_t start, int64_t end)
{
    for (int64_t step = start; step < end;) {
        const Stretch s = choice.upcoming();
        if (s.threads != p.threads) set_threads(p, tables, s.threads), ++choice.changes;
        const int64_t last = end - step <= s.steps ? end : step + s.steps;
        const auto t0 = std::chrono::steady_clock::now();
        run_threads(p, tables, consts, step, last);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
        choice.record(s, last - step, took.count());
        step = last;
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
    bool fixed = false;
    int64_t probe_steps = 0;
    bool seed_given = false;
    uint64_t seed = 0;
    for (int k = 1; k < argc; ++k) {
        const std::string arg = argv[k];
        if (k + 1 >= argc) fail("missing value after " + arg);
        if (arg == "--results") results = argv[++k];
        else if (arg == "--threads") threads = std::atoi(argv[++k]);
        else if (arg == "--seed") seed = std::strtoull(argv[++k], nullptr, 10), seed_given = true;
        else if (arg == "--override") override_file = argv[++k];
        else if (arg == "--fixed-threads") fixed = std::atoi(argv[++k]) != 0;
        else if (arg == "--probe-steps") probe_steps = std::atoll(argv[++k]);
        else fail("unknown argument " + arg);
    }
    if (probe_steps < 0 || probe_steps > (int64_t(1) << 30))
        fail("--probe-steps must be between 0 (the program's own) and 2^30");
    Program p;
    parse_program(p, "program.txt");
    if (!override_file.empty()) parse_overrides(p, override_file);
    if (threads > 0) p.threads = threads;
    if (seed_given) p.seed = seed;
    if (p.threads < 1) fail("the number of threads must be at least 1");
    // a thread works on whole blocks of neurons: more threads would idle
    p.most_threads = (int)std::min<int64_t>(p.threads, p.most_blocks);
    if (p.serial) p.most_threads = 1;
    ThreadChoice choice(p.most_threads, fixed, probe_steps);
    p.threads = choice.upcoming().threads;
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
        run_steps(p, tables, consts, choice, op.start, op.end);
        const std::chrono::duration<double> run_time = std::chrono::steady_clock::now() - run_start;
        run_seconds += (run_seconds.empty() ? "" : ", ") + std::to_string(run_time.count());
        steps += op.end - op.start;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (auto& r : p.recordings)
        for (auto& c : r.columns) {
            std::fclose(c.out);
            const std::string rows = std::to_string(r.rows);
            write_header(results, c.stem, c.dtype,
                         r.snapshot && !c.time ? rows + ", " + std::to_string(r.n_index) : rows,
                         p.units);
        }
    for (auto& [slot, a] : p.arrays) {
        if (!a.state() || a.name == "-") continue;
        FILE* f = open_or_fail(results + "/" + a.name + ".bin", "wb");
        write_or_fail(a.buffer.data(), dtype_size(a.dtype), a.count, f, a.name);
        std::fclose(f);
        write_header(results, a.name, a.dtype, std::to_string(a.count), p.units);
    }
    std::string by_threads;                          // steps run on each number of threads
    for (auto& [T, n] : choice.steps_by_threads)
        by_threads += (by_threads.empty() ? "\"" : ", \"") + std::to_string(T) + "\": " +
                      std::to_string(n);
    FILE* f = open_or_fail(results + "/status.json", "w");
    std::fprintf(f, "{\"complete\": true, \"steps\": %lld, \"threads\": %d, \"seconds\": %.6f, "
                    "\"run_seconds\": [%s], \"steps_by_threads\": {%s}, \"thread_changes\": %d, "
                    "\"max_rss_bytes\": %lld}\n",
                 (long long)steps, p.most_threads, seconds, run_seconds.c_str(), by_threads.c_str(),
                 choice.changes, (long long)peak_memory_bytes());
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
