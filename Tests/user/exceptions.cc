// C++ exceptions (g++, static libstdc++): throw/catch across frames, std::string messages,
// destructors of locals running during unwinding (in order), catch by base class, rethrow,
// nested try, exceptions from the library (std::out_of_range from vector::at, std::bad_alloc
// from a 4 PiB new, std::length_error from vector::reserve), a unique_ptr freed while unwinding,
// and exceptions inside a thread: caught there, and carried out with std::exception_ptr.
#include <cstdio>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static std::string log_;

struct Noisy {
    std::string name;
    explicit Noisy(std::string n) : name(std::move(n)) { log_ += "+" + name; }
    ~Noisy() { log_ += "-" + name; }
};

struct AppError : std::runtime_error {
    int code;
    AppError(const std::string &m, int c) : std::runtime_error(m), code(c) {}
};

static int depth3(int x) {
    Noisy n("d3");
    if (x > 2) throw AppError("too deep at " + std::to_string(x), x * 10);
    return x;
}
static int depth2(int x) { Noisy n("d2"); return depth3(x + 1) + 1; }
static int depth1(int x) { Noisy n("d1"); std::vector<Noisy> v; v.emplace_back("v1"); v.emplace_back("v2"); return depth2(x + 1) + 1; }

static void rethrower() {
    try {
        throw std::string("a thrown std::string");
    } catch (std::string &s) {
        s += " (seen once)";
        throw;
    }
}

int main() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);   // each line out at once: a hang or crash shows where
    try {
        depth1(1);
        std::printf("no exception\n");
    } catch (const AppError &e) {
        std::printf("caught AppError across 3 frames: what=\"%s\" code=%d\n", e.what(), e.code);
    }
    std::printf("destructor order during unwinding: %s\n", log_.c_str());

    try {
        depth1(1);
    } catch (const std::exception &e) {
        std::printf("caught by base class std::exception: %s\n", e.what());
    }

    try {
        rethrower();
    } catch (const std::string &s) {
        std::printf("rethrown: %s\n", s.c_str());
    }

    try {
        std::vector<int> v(3);
        v.at(5) = 1;
    } catch (const std::out_of_range &) {
        std::printf("vector::at threw std::out_of_range: yes\n");
    }

    try {
        volatile size_t n = static_cast<size_t>(1) << 52;   // beyond a 48-bit address space
        char *volatile p = new char[n];
        p[0] = 1;
        std::printf("a 4 PiB new returned memory\n");
        delete[] p;
    } catch (const std::bad_alloc &) {
        std::printf("a 4 PiB new threw std::bad_alloc: yes\n");
    }

    try {
        std::vector<int> v;
        v.reserve(v.max_size() + 1);
    } catch (const std::length_error &) {
        std::printf("vector::reserve past max_size threw std::length_error: yes\n");
    }

    int inner = 0, outer = 0;
    try {
        try {
            throw 42;
        } catch (int v) {
            inner = v;
            throw std::logic_error("from the inner handler");
        }
    } catch (const std::logic_error &e) {
        outer = 1;
        std::printf("nested: inner caught %d, outer caught \"%s\": %s\n", inner, e.what(), outer ? "yes" : "no");
    }

    try {
        auto p = std::make_unique<Noisy>("heap");
        log_.clear();
        throw std::runtime_error("with a unique_ptr alive");
    } catch (const std::runtime_error &) {
        std::printf("unique_ptr released during unwinding: %s\n", log_ == "-heap" ? "yes" : "no");
    }

    // An exception thrown and caught inside a thread, and one carried out to main.
    std::exception_ptr carried;
    std::string in_thread;
    std::thread t([&] {
        try { depth3(5); } catch (const AppError &e) { in_thread = e.what(); }
        try { throw std::invalid_argument("from the thread"); } catch (...) { carried = std::current_exception(); }
    });
    t.join();
    std::printf("caught inside a thread: %s\n", in_thread.c_str());
    try {
        std::rethrow_exception(carried);
    } catch (const std::invalid_argument &e) {
        std::printf("exception_ptr carried out of the thread: %s\n", e.what());
    }
    return 0;
}
