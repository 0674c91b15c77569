// Diagnostic: an op of the user's own that lacks its adjoint rule (vjp).
// Without LEIBNIZ_TWIN this must fail at make_node with
//   "leibniz: an elementwise op lacks its adjoint rule"
// and the op's type, mine::twice_op, in the compiler's output (the failed
// requirement elementwise_op_states<mine::twice_op, 1>::vjp); with
// -DLEIBNIZ_TWIN (the op states vjp) it must compile.
#include <leibniz/leibniz.hpp>

#include <string_view>

namespace lz = leibniz;

namespace mine {

// twice(a) = 2a.
struct twice_op {
    static constexpr std::string_view name = "twice";
    static constexpr lz::op_traits traits{.reads_operands = false};

    template <class T>
    static constexpr T value(const T& a) { return T(2) * a; }
    template <class T>
    static constexpr T jvp(const T& t, const T&, const T&) { return T(2) * t; }
#ifdef LEIBNIZ_TWIN
    template <class T>
    static constexpr T vjp(const T& g, const T&, const T&) { return T(2) * g; }
#endif
    template <class A>
    static constexpr auto derivative(A) { return lz::c<2>; }
    static constexpr std::string_view local_derivative = "2";
};

template <lz::Expression A>
constexpr auto twice(A a) { return lz::make_node<twice_op>(a); }

}  // namespace mine

constexpr auto x = lz::var<"x">;

auto doubled() { return mine::twice(x * x); }
