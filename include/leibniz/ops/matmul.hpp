#pragma once
// matmul(A, B): the matrix product, with NumPy's vector forms.
//   [m×k]·[k×n] → [m×n]      δA = δ·Bᵀ      δB = Aᵀ·δ
//   [m×k]·[k]   → [m]        δA = δ·xᵀ      δx = Aᵀ·δ
//   [k]·[k×n]   → [n]        δv = B·δ       δB = v·δᵀ    (a row vector times a matrix)
// m may be the run-time batch extent (lz::dyn); the inner extents must agree
// at compile time (static and equal; in the vector-matrix form they may both
// be dyn, the batch, as may n). Runs on kernels::gemm / gemv / outer: the
// vector-matrix form is one gemv with Bᵀ (vectorized along n, B not packed).

#include <leibniz/ops/op.hpp>
#include <leibniz/kernels/gemm.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <span>

namespace leibniz {

namespace detail {
// The two shapes are the template arguments of this check.
template <Shape A, Shape B>
constexpr bool check_matmul() {
    constexpr bool ranks = (A::rank == 2 && (B::rank == 2 || B::rank == 1)) || (A::rank == 1 && B::rank == 2);
    static_assert(ranks, "leibniz::matmul: operands must be a matrix and a matrix or vector, or a vector and a "
                         "matrix (two vectors: lz::dot) (their shapes are the template arguments A and B of "
                         "check_matmul)");
    if constexpr (ranks) {
        constexpr std::size_t k = A::extents[A::rank - 1];
        constexpr bool inner = k == B::extents[0] && (k != dyn || A::rank == 1);
        static_assert(inner, "leibniz::matmul: inner extents differ: lhs is A = [..., k], rhs is B = [k, ...] "
                             "(the shapes are the template arguments A and B of check_matmul)");
        return inner;
    }
    return false;
}
template <Shape A, Shape B>
struct matmul_shape;
template <std::size_t M, std::size_t K, std::size_t N>
struct matmul_shape<shape<M, K>, shape<K, N>> {
    using type = shape<M, N>;
};
template <std::size_t M, std::size_t K>
struct matmul_shape<shape<M, K>, shape<K>> {
    using type = shape<M>;
};
template <std::size_t K, std::size_t N>
struct matmul_shape<shape<K>, shape<K, N>> {
    using type = shape<N>;
};
}  // namespace detail

struct matmul_op {
    static constexpr std::string_view name = "matmul";
    // Between + and ·, as in NumPy's reading of `@`: a·(b @ c) and (a·b) @ c keep their parentheses.
    static constexpr int precedence = precedence::multiplicative - 5;
    static constexpr std::array<int, 2> operand_precedence{precedence::multiplicative + 1, precedence::multiplicative + 1};
    static std::string text(const std::string& a, const std::string& b) { return a + " @ " + b; }
    static std::string latex(const std::string& a, const std::string& b) { return a + " " + b; }
    static constexpr op_traits traits{.elementwise = false};
    static constexpr std::array<std::string_view, 2> vjp_formula{"δ·bᵀ", "aᵀ·δ"};

    template <Shape A, Shape B>
    using result_shape = typename detail::matmul_shape<A, B>::type;

    template <class T, class EA, class EB>
    static std::size_t scratch_bytes(const EA& a, const EB& b) {
        if constexpr (EA::rank == 1) {  // gemv and outer: no packing
            return 0;
        } else {
            const std::size_t m = a[0], k = a[1], n = EB::rank == 2 ? b[1] : 1;
            return std::max({kernels::gemm_scratch_bytes<T>(m, n, k), kernels::gemm_scratch_bytes<T>(m, k, n),
                             kernels::gemm_scratch_bytes<T>(k, n, m)});
        }
    }

    // y = a·b
    template <class T, class SY, class SA, class SB>
    static void forward(const tensor_view<T, SY>& y, const tensor_view<T, SA>& a, const tensor_view<T, SB>& b,
                        std::span<std::byte> scratch) {
        if constexpr (SA::rank == 1) {  // y[n] = vᵀ·B, i.e. Bᵀ·v
            const std::size_t k = a.extent(0), n = b.extent(1);
            kernels::gemv<T>(kernels::trans::transposed, kernels::update::overwrite, k, n, b.data(), n, a.data(),
                             y.data());
        } else if constexpr (SB::rank == 2) {
            const std::size_t m = a.extent(0), k = a.extent(1), n = b.extent(1);
            kernels::gemm<T>({}, m, n, k, a.data(), k, b.data(), n, y.data(), n, scratch);
        } else {
            const std::size_t m = a.extent(0), k = a.extent(1);
            kernels::gemv<T>(kernels::trans::none, kernels::update::overwrite, m, k, a.data(), k, b.data(), y.data());
        }
    }

    // δa (+)= δ·bᵀ, δb (+)= aᵀ·δ
    template <std::size_t P, class T, class SD, class SY, class SA, class SB>
    static void vjp(const tensor_view<T, SD>& d, bool accumulate, const tensor_view<T, SY>& g,
                    const tensor_view<T, SY>&, const tensor_view<T, SA>& a, const tensor_view<T, SB>& b,
                    std::span<std::byte> scratch) {
        const auto u = accumulate ? kernels::update::accumulate : kernels::update::overwrite;
        if constexpr (SA::rank == 1) {
            const std::size_t k = a.extent(0), n = b.extent(1);
            if constexpr (P == 0)  // δv[k] = B·δ
                kernels::gemv<T>(kernels::trans::none, u, k, n, b.data(), n, g.data(), d.data());
            else  // δB[k×n] = v·δᵀ
                kernels::outer<T>(u, k, n, a.data(), g.data(), d.data(), n);
        } else if constexpr (SB::rank == 2) {
            const std::size_t m = a.extent(0), k = a.extent(1), n = b.extent(1);
            if constexpr (P == 0)  // [m×n]·[k×n]ᵀ
                kernels::gemm<T>({.b = kernels::trans::transposed, .c = u}, m, k, n, g.data(), n, b.data(), n, d.data(),
                                 k, scratch);
            else  // [m×k]ᵀ·[m×n]
                kernels::gemm<T>({.a = kernels::trans::transposed, .c = u}, k, n, m, a.data(), k, g.data(), n, d.data(),
                                 n, scratch);
        } else {
            const std::size_t m = a.extent(0), k = a.extent(1);
            if constexpr (P == 0)  // outer product δ·xᵀ
                kernels::outer<T>(u, m, k, g.data(), b.data(), d.data(), k);
            else
                kernels::gemv<T>(kernels::trans::transposed, u, m, k, a.data(), k, g.data(), d.data());
        }
    }
};

template <Expression A, Expression B>
constexpr auto matmul(A a, B b) {
    if constexpr (poisoned<A, B>) return poison{};  // an operand's check failed, and said so
    else if constexpr (detail::check_matmul<shape_of<A>, shape_of<B>>()) return make_node<matmul_op>(a, b);
    else return poison{};  // the check's static_assert is the one error
}

}  // namespace leibniz
