// softmax, log_softmax and logsumexp never overflow: for inputs up to ±1e4
// (exp(1e4) is +inf in both float and double) the values, the gradients and
// the tangents are finite, in float and in double, and match references
// computed in long double with the maximum subtracted.
//
// Accuracy: the adjoint rule of logsumexp, δ·exp(a − y), reads the rounded
// result y, whose absolute error ε·|y| becomes a relative error of the
// gradient; so its tolerance grows with |y| (at |y| = 1e4: ~1e-12 in double,
// ~6e-4 in float, where softmax's rule stays at a few ε). Reported to the lead;
// what this test requires of it is finiteness and that bound.
//
// Rows of 17 elements (SIMD tails in every type), the batch at run time:
//   row 0     uniform in [−1e4, 1e4]
//   row 1     all +1e4            row 2   all −1e4
//   row 3     one +1e4, the rest −1e4   (a one-hot softmax)
//   row 4     alternating ±1e4    row 5   1e4 − k·1e-1 (close values, large offset)
//   rows 6..  uniform in [−1e4, 1e4]
#define BOOST_TEST_MODULE tensor_stability
#include "tensor_laws.hpp"

#include <iomanip>
#include <limits>

namespace {

constexpr std::size_t cols = 17;
using row_shape = lz::shape<lz::dyn, cols>;

template <class T>
lz::tensor<T, row_shape> extreme_rows(std::size_t rows, std::mt19937_64& rng) {
    lz::tensor<T, row_shape> x(rows);
    std::uniform_real_distribution<double> big(-1e4, 1e4);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t j = 0; j < cols; ++j) {
            double v = big(rng);
            switch (r) {
                case 1: v = 1e4; break;
                case 2: v = -1e4; break;
                case 3: v = j == 5 ? 1e4 : -1e4; break;
                case 4: v = j % 2 ? 1e4 : -1e4; break;
                case 5: v = 1e4 - 0.1 * double(j); break;
                default: break;
            }
            x(r, j) = T(v);
        }
    return x;
}

template <class T>
std::vector<long double> row_softmax(const lz::tensor<T, row_shape>& x, std::size_t r) {
    long double m = x(r, 0), s = 0;
    for (std::size_t j = 0; j < cols; ++j) m = std::max<long double>(m, x(r, j));
    std::vector<long double> y(cols);
    for (std::size_t j = 0; j < cols; ++j) s += y[j] = std::exp((long double)x(r, j) - m);
    for (auto& v : y) v /= s;
    return y;
}

template <class T>
long double row_logsumexp(const lz::tensor<T, row_shape>& x, std::size_t r) {
    long double m = x(r, 0), s = 0;
    for (std::size_t j = 0; j < cols; ++j) m = std::max<long double>(m, x(r, j));
    for (std::size_t j = 0; j < cols; ++j) s += std::exp((long double)x(r, j) - m);
    return m + std::log(s);
}

struct checker {
    std::string what;
    double tol;
    double worst = 0;
    // |got − want| ≤ tol · max(1, scale) · max(1, condition); the worst
    // |got − want| / max(1, scale) is reported.
    void operator()(double got, long double want, double scale, std::size_t r, std::size_t j, double condition = 1) {
        BOOST_REQUIRE_MESSAGE(std::isfinite(got), what << ": row " << r << " element " << j << " is " << got);
        const double e = double(std::abs(got - want)) / std::max(1.0, scale);
        worst = std::max(worst, e);
        BOOST_TEST(e <= tol * std::max(1.0, condition), what << ": row " << r << " element " << j << ": " << std::setprecision(17) << got << ", want " << double(want));
    }
    ~checker() { lzt::record("stability ±1e4", what, "", worst); }
};

// Op: 0 softmax, 1 log_softmax, 2 logsumexp along axis 1, 3 logsumexp of all.
template <class T, int Op>
void check(std::size_t rows) {
    constexpr auto x = lz::var<"x", T, row_shape>;
    const double eps = std::numeric_limits<T>::epsilon();
    std::mt19937_64 rng(1234 + rows);
    const auto xv = extreme_rows<T>(rows, rng);
    lz::tensor<T, row_shape> direction(rows);
    std::uniform_real_distribution<double> unit(-1, 1);
    for (std::size_t i = 0; i < direction.size(); ++i) direction.data()[i] = T(unit(rng));
    const std::string type(lzt::type_name<T>());

    if constexpr (Op == 3) {
        // f = logsumexp(x) over all elements; ∂f/∂x = softmax over all elements
        const auto f = lz::logsumexp(x);
        const auto r = lz::value_and_grad(f, lz::wrt(x), lz::at(x = xv));
        long double m = xv.data()[0], s = 0;
        for (std::size_t i = 0; i < xv.size(); ++i) m = std::max<long double>(m, xv.data()[i]);
        for (std::size_t i = 0; i < xv.size(); ++i) s += std::exp((long double)xv.data()[i] - m);
        const long double want = m + std::log(s);
        checker value{"logsumexp value " + type, 8 * eps}, grad{"logsumexp grad " + type, 8 * eps};
        value(double(r.value), want, double(std::abs(want)), 0, 0);
        const auto& g = std::get<0>(r.gradient);
        long double tangent_want = 0;
        for (std::size_t i = 0; i < g.size(); ++i) {
            const long double p = std::exp((long double)xv.data()[i] - want);
            grad(double(g.data()[i]), p, 1, i / cols, i % cols, double(std::abs(want)));
            tangent_want += p * direction.data()[i];
        }
        const auto t = lz::jvp(f, lz::at(x = xv), lz::tangent(x = direction));
        checker tangent{"logsumexp jvp " + type, 8 * eps};
        tangent(double(t.tangent), tangent_want, 1, 0, 0);
    } else {
        // f = Σ u ⊙ op(x): ∂f/∂u = op(x), ∂f/∂x = the op's adjoint rule applied to u
        using out_shape = std::conditional_t<Op == 2, lz::shape<lz::dyn>, row_shape>;
        constexpr auto u = lz::var<"u", T, out_shape>;
        const auto y = [&] {
            if constexpr (Op == 0)
                return lz::softmax(x);
            else if constexpr (Op == 1)
                return lz::log_softmax(x);
            else
                return lz::logsumexp(x, lz::axis<1>);
        }();
        const auto f = lz::sum(u * y);
        lz::tensor<T, out_shape> uv(rows);
        for (std::size_t i = 0; i < uv.size(); ++i) uv.data()[i] = T(unit(rng));
        const auto env = lz::at(x = xv, u = uv);
        const auto [gx, gu] = lz::grad(f, lz::wrt(x, u), env);
        const auto t = lz::jvp(f, env, lz::tangent(x = direction));
        const char* name = Op == 0 ? "softmax " : Op == 1 ? "log_softmax " : "logsumexp axis ";
        checker value{name + std::string("value ") + type, 8 * eps}, grad{name + std::string("grad ") + type, 16 * eps},
            tangent{name + std::string("jvp ") + type, 64 * eps};
        long double tangent_want = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const auto p = row_softmax(xv, r);
            const long double lse = row_logsumexp(xv, r);
            if constexpr (Op == 2) {
                value(double(gu(r)), lse, double(std::abs(lse)), r, 0);
                for (std::size_t j = 0; j < cols; ++j) {
                    grad(double(gx(r, j)), uv(r) * p[j], 1, r, j, double(std::abs(lse)));
                    tangent_want += uv(r) * p[j] * direction(r, j);
                }
            } else {
                long double su = 0, sup = 0;
                for (std::size_t j = 0; j < cols; ++j) {
                    su += uv(r, j);
                    sup += uv(r, j) * p[j];
                }
                for (std::size_t j = 0; j < cols; ++j) {
                    if constexpr (Op == 0) {
                        value(double(gu(r, j)), p[j], 1, r, j);
                        grad(double(gx(r, j)), p[j] * (uv(r, j) - sup), 1, r, j);
                        tangent_want += p[j] * (uv(r, j) - sup) * direction(r, j);
                    } else {
                        const long double want = (long double)xv(r, j) - lse;
                        value(double(gu(r, j)), want, double(std::abs(want)), r, j);
                        grad(double(gx(r, j)), uv(r, j) - p[j] * su, double(std::abs(su)), r, j);
                        tangent_want += (uv(r, j) - p[j] * su) * direction(r, j);
                    }
                }
            }
        }
        tangent(double(t.tangent), tangent_want, double(rows * cols), 0, 0);
    }
}

template <class T>
void check_all_ops() {
    for (std::size_t rows : {6, 17, 64}) {
        BOOST_TEST_CONTEXT(lzt::type_name<T>() << ", " << rows << " rows") {
            check<T, 0>(rows);
            check<T, 1>(rows);
            check<T, 2>(rows);
            check<T, 3>(rows);
        }
    }
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(lzt_report);

BOOST_AUTO_TEST_CASE(double_inputs_up_to_1e4) { check_all_ops<double>(); }
BOOST_AUTO_TEST_CASE(float_inputs_up_to_1e4) { check_all_ops<float>(); }
