#pragma once
// Softmax cross-entropy on integer labels, fused: the loss of each row of a
// row-major [rows, cols] tensor of logits x, with label smoothing ε, and its
// adjoint, without materialising log_softmax (PyTorch's cross_entropy with
// reduction='none'):
//
//   softmax_cross_entropy_rows(x, labels, rows, cols, ε, ε ≠ 0, y)
//       y[r] = lse_r − (1 − ε)·x[r, l_r] − (ε/cols)·Σ_c x[r, c],  lse_r = log Σ_c exp(x[r, c])
//       One pass over each row for lse (max-subtracted, rebasing: see
//       reduce.hpp), plus one for Σ x when ε ≠ 0.
//   softmax_cross_entropy_rows_vjp(x, labels, g, rows, cols, ε, dx, accumulate, row)
//       dx[r, c] (+)= g[r]·(softmax(x_r)[c] − (1 − ε)·[c = l_r] − ε/cols)
//       The softmax is written straight into dx (into `row`, cols elements,
//       when accumulating) and scaled in the same pass as the label's share is
//       taken off: lse is recomputed (one exp per element), which costs less
//       than storing log_softmax and reading it back.
//
// The labels must be in [0, cols) (the op checks them first). Float and
// double go through the SIMD softmax and logsumexp kernels; other scalar
// types (lz::dual) through their portable loops.

#include <leibniz/kernels/reduce.hpp>
#include <leibniz/kernels/softmax.hpp>

#include <cstddef>
#include <type_traits>

namespace leibniz::kernels {

template <class T, class I>
void softmax_cross_entropy_rows(const T* x, const I* labels, std::size_t rows, std::size_t cols,
                                std::type_identity_t<T> smoothing, bool smooth, T* y) noexcept {
    const T keep = T(1) - smoothing, spread = smoothing / T(static_cast<double>(cols));
    for (std::size_t r = 0; r < rows; ++r) {
        const T* row = x + r * cols;
        T loss = logsumexp(row, cols) - keep * row[static_cast<std::size_t>(labels[r])];
        if (smooth) loss = loss - spread * sum(row, cols);
        y[r] = loss;
    }
}

template <class T, class I>
void softmax_cross_entropy_rows_vjp(const T* x, const I* labels, const T* g, std::size_t rows, std::size_t cols,
                                    std::type_identity_t<T> smoothing, T* dx, bool accumulate, T* row) noexcept {
    const T keep = T(1) - smoothing, spread = smoothing / T(static_cast<double>(cols));
    for (std::size_t r = 0; r < rows; ++r) {
        T* d = dx + r * cols;
        T* p = accumulate ? row : d;
        softmax_rows(x + r * cols, 1, cols, p);
        const T gr = g[r], shift = gr * spread;
        if (accumulate)
            for (std::size_t c = 0; c < cols; ++c) d[c] = d[c] + (gr * p[c] - shift);
        else
            for (std::size_t c = 0; c < cols; ++c) d[c] = gr * p[c] - shift;
        const std::size_t l = static_cast<std::size_t>(labels[r]);
        d[l] = d[l] - gr * keep;
    }
}

}  // namespace leibniz::kernels
