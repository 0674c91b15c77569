#pragma once
// Random draws inside an expression (DESIGN §5). A random op carries a name
// and reads a key bound per call:
//   constexpr auto rng = lz::random_key<"rng">;        // an integer leaf [seed, step]
//   lz::bernoulli<"mask", S>(rng, 0.8_c)              // 1 with probability 0.8, else 0, of shape S
//   lz::dropout<"drop1">(h, rng, 0.5_c)               // h·mask/(1 − p), mask ~ Bernoulli(1 − p): PyTorch's
//                                                     // training-mode dropout (inverted scaling)
// Element i of the op named N draws the Philox 4×32-10 uniform of element i of
// stream hash(N) under (seed, step) (kernels/philox.hpp): the same numbers
// whatever the SIMD width, the fusion, or the build — two ops with two names
// draw independently, and advancing the step draws anew. The mask is stored
// (a tensor op, never fused), and has no derivative.

#include <leibniz/core/fixed_string.hpp>
#include <leibniz/ops/one_hot.hpp>
#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/philox.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace leibniz {

// The key of the random ops: an integer leaf of shape [2], bound per call to
// {seed, step} (e.g. a std::array<std::uint64_t, 2>); step must fit 32 bits.
template <fixed_string Name>
inline constexpr auto random_key = var<Name, std::uint64_t, shape<2>>;

namespace detail {
// FNV-1a of a name: the op's stream.
template <fixed_string Name>
constexpr std::uint32_t stream_of() {
    std::uint32_t h = 2166136261u;
    for (char c : Name.view()) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}
template <class Key, class P>
constexpr bool check_bernoulli() {
    constexpr bool key_ok = std::is_same_v<scalar_of<Key>, std::uint64_t> && std::is_same_v<shape_of<Key>, shape<2>>;
    static_assert(key_ok, "leibniz::bernoulli: the key is lz::random_key<\"name\">, an integer leaf [seed, step] "
                          "(it is the first template argument of check_bernoulli)");
    constexpr bool p_ok = is_literal<P>::value && P::value.num >= 0 && P::value.num <= P::value.den;
    static_assert(p_ok, "leibniz::bernoulli: the probability is a compile-time literal in [0, 1], e.g. 0.8_c "
                        "(it is the second template argument of check_bernoulli)");
    return key_ok && p_ok;
}
}  // namespace detail

template <fixed_string Name, Shape S, rational P>
struct bernoulli_op : detail::stated_scalar<void> {
    static constexpr std::string_view name = "bernoulli";
    static std::string text(const std::string& key) {
        return "bernoulli<" + std::string(Name.view()) + ">(" + key + ", " + detail::rational_text(P, false) + ")";
    }
    static constexpr op_traits traits{.elementwise = false, .reads_operands = false, .integer_operands = 0b1};
    static constexpr std::string_view vjp_formula = "none (a random draw)";

    template <Shape K>
    using result_shape = S;

    template <class U, class SY, class I>
    static void forward(const tensor_view<U, SY>& out, const tensor_view<I, shape<2>>& key) {
        using B = base_scalar_t<U>;
        const kernels::random_key k{static_cast<std::uint64_t>(key.data()[0]), static_cast<std::uint32_t>(key.data()[1])};
        constexpr B p = B(P.num) / B(P.den);
        constexpr std::uint32_t stream = detail::stream_of<Name>();
        for (std::size_t i = 0; i < out.size(); ++i)
            out.data()[i] = U(kernels::uniform_at<B>(k, stream, i) < p ? B(1) : B(0));
    }
    // Never called: the one operand is an integer leaf, never active.
    template <std::size_t Pos, class D, class G, class Y>
    static void vjp(const D&, bool, const G&, const G&, const Y&) {}
};

// lz::bernoulli<"mask", S>(key, p): 1 with probability p, else 0, of shape S
// (a dyn extent is the batch bound at run time).
template <fixed_string Name, Shape S, Expression Key, Literal P>
constexpr auto bernoulli(Key key, P) {
    if constexpr (poisoned<Key>) return poison{};
    else if constexpr (detail::check_bernoulli<Key, P>()) return make_node<bernoulli_op<Name, S, P::value>>(key);
    else return poison{};
}

// lz::dropout<"name">(x, key, p): x·mask/(1 − p), mask ~ Bernoulli(1 − p) of
// x's shape — PyTorch's nn.Dropout(p) in training mode. For evaluation, use x.
template <fixed_string Name, Expression X, Expression Key, Literal P>
constexpr auto dropout(X x, Key key, P) {
    constexpr rational keep = rational{1, 1} - P::value;
    static_assert(keep.num > 0, "leibniz::dropout: p must be below 1");
    return x * bernoulli<Name, shape_of<X>>(key, literal<keep>{}) * literal<(rational{1, 1} / keep)>{};
}

}  // namespace leibniz
