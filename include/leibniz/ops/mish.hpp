#pragma once
// mish(a) = a·tanh(softplus(a)) (torch.nn.Mish).
// d/da = tanh(softplus(a)) + a·σ(a)·(1 − tanh²(softplus(a))).

#include <leibniz/ops/add.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/sigmoid.hpp>
#include <leibniz/ops/softplus.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/tanh.hpp>

#include <cmath>

namespace leibniz {

struct mish_op {
    static constexpr std::string_view name = "mish";
    static constexpr op_traits traits{};

    template <class T>
    static T value(const T& a) {
        using std::tanh;
        return a * tanh(softplus_op::value(a));
    }
    template <class T>
    static T slope(const T& a) {
        using std::tanh;
        const T t = tanh(softplus_op::value(a));
        return t + a * sigmoid_op::value(a) * (T(1) - t * t);
    }
    template <class T>
    static T jvp(const T& t, const T&, const T& a) { return t * slope(a); }
    template <class T>
    static T vjp(const T& g, const T&, const T& a) { return g * slope(a); }
    template <class A>
    static constexpr auto derivative(A a) {
        const auto t = tanh(softplus(a));
        return t + a * sigmoid(a) * (one_t{} - t * t);
    }
    static constexpr std::string_view local_derivative = "tanh(softplus(a)) + a·σ(a)·(1 - tanh²(softplus(a)))";
};

template <Expression A>
constexpr auto mish(A a) { return make_node<mish_op>(a); }

template <class T, std::size_t N>
dual<T, N> mish(const dual<T, N>& a) { return lift<mish_op>(a); }

}  // namespace leibniz
