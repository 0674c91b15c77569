// Allocation (acceptance criterion 7): eval, grad, value_and_grad, jvp,
// jacobian and hessian of the two-layer scalar network loss
//     (sigmoid(w2·relu(w1·x + b1) + b2) − t)²
// allocate nothing. Every replaceable global operator new / new[] (plain,
// nothrow, aligned) is replaced by a counting version; the counter must not
// move across the calls.
//
// So that nothing is optimised away: the inputs are read through volatile
// variables, every result is written to a volatile sink, and the test first
// proves that the counter does count (a `new int` stored to a volatile
// pointer). The calls go through a noinline function, so the compiler cannot
// fold the expression's sweep into a constant.
#define BOOST_TEST_MODULE alloc
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

// ---------------------------------------------------------------- counting operator new

namespace {
std::atomic<long> allocations{0};

void* counted(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc{};
}
void* counted_aligned(std::size_t size, std::align_val_t align) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    const std::size_t a = static_cast<std::size_t>(align);
    if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
    throw std::bad_alloc{};
}
}  // namespace

void* operator new(std::size_t size) { return counted(size); }
void* operator new[](std::size_t size) { return counted(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return counted(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t size, std::align_val_t align) { return counted_aligned(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return counted_aligned(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

// ---------------------------------------------------------------- the network

namespace lz = leibniz;
using namespace lz::literals;

namespace {

constexpr auto w1 = lz::param<"w1">;
constexpr auto b1 = lz::param<"b1">;
constexpr auto w2 = lz::param<"w2">;
constexpr auto b2 = lz::param<"b2">;
constexpr auto x = lz::var<"x">;
constexpr auto t = lz::var<"t">;

constexpr auto loss = lz::pow(lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t, 2_c);
constexpr auto loss_product = [] {
    const auto e = lz::sigmoid(w2 * lz::relu(w1 * x + b1) + b2) - t;
    return e * e;
}();

volatile double in_w1 = 0.7, in_b1 = 0.1, in_w2 = -1.3, in_b2 = 0.2, in_x = 1.5, in_t = 0.25;
volatile double sink = 0;
int* volatile pointer_sink = nullptr;

// Every entry point once, every result used. Returns the allocations made.
template <class F>
[[gnu::noinline]] long allocations_of_all_sweeps(F f) {
    const auto env = lz::at(w1 = double(in_w1), b1 = double(in_b1), w2 = double(in_w2), b2 = double(in_b2),
                            x = double(in_x), t = double(in_t));
    const long before = allocations.load();

    sink = lz::eval(f, env);
    {
        const auto [gw1, gb1, gw2, gb2] = lz::grad(f, lz::wrt(w1, b1, w2, b2), env);
        sink = gw1 + gb1 + gw2 + gb2;
    }
    sink = lz::grad(f, w1, env);
    {
        const auto r = lz::value_and_grad(f, lz::wrt(w1, b1, w2, b2), env);
        sink = r.value + std::get<0>(r.gradient) + std::get<3>(r.gradient);
    }
    {
        const auto r = lz::jvp(f, env, lz::tangent(w1 = 1.0, b2 = -0.5));
        sink = r.value + r.tangent;
    }
    {
        const auto j = lz::jacobian(f, lz::wrt(w1, b1, w2, b2), env);
        sink = j[0] + j[1] + j[2] + j[3];
    }
    {
        const auto h = lz::hessian(f, lz::wrt(w1, b1, w2, b2), env);
        double s = 0;
        for (const auto& row : h)
            for (double v : row) s += v;
        sink = s;
    }
    sink = lz::eval(lz::d(f, w2), lz::lenient(env));

    return allocations.load() - before;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_counter_counts) {
    const long before = allocations.load();
    pointer_sink = new int(42);
    const long after = allocations.load();
    sink = *pointer_sink;
    delete pointer_sink;
    BOOST_TEST(after - before == 1);
    const long before_array = allocations.load();
    int* volatile array = new int[8]{};
    const long after_array = allocations.load();
    delete[] array;
    BOOST_TEST(after_array - before_array == 1);
}

BOOST_AUTO_TEST_CASE(no_sweep_allocates) {
    BOOST_TEST(allocations_of_all_sweeps(loss) == 0);
    BOOST_TEST(allocations_of_all_sweeps(loss_product) == 0);
}

BOOST_AUTO_TEST_CASE(the_sweeps_computed_the_loss) {
    // The same calls as above, checked for their values (so the calls above
    // were real calls on a real network).
    const auto env = lz::at(w1 = 0.7, b1 = 0.1, w2 = -1.3, b2 = 0.2, x = 1.5, t = 0.25);
    const double h = 0.7 * 1.5 + 0.1;
    const double s = 1 / (1 + std::exp(-(-1.3 * h + 0.2)));
    BOOST_TEST(std::abs(lz::eval(loss, env) - (s - 0.25) * (s - 0.25)) <= 1e-15);
    BOOST_TEST(std::abs(lz::eval(loss_product, env) - (s - 0.25) * (s - 0.25)) <= 1e-15);
    const double gb2 = 2 * (s - 0.25) * s * (1 - s);
    BOOST_TEST(std::abs(lz::grad(loss, b2, env) - gb2) <= 1e-15);
    BOOST_TEST(std::abs(lz::grad(loss, w1, env) - gb2 * -1.3 * 1.5) <= 1e-15);
}
