#pragma once
// Matrix products: gemm (C = op(A)·op(B), op = as stored or transposed),
// gemv (y = A·x, y = Aᵀ·x) and outer (A = x·yᵀ or A += x·yᵀ).
//
// All matrices are row-major with explicit leading dimensions (the distance,
// in elements, between the starts of two rows as stored). Single-threaded;
// no heap allocation, no exception.
//
//   gemm(opts, m, n, k, a, lda, b, ldb, c, ldc, scratch)
//       C[m×n] = op(A)[m×k] · op(B)[k×n], or C += ... with update::accumulate.
//       op(A) = A (A stored m×k) or Aᵀ (A stored k×m); likewise op(B).
//       Overwriting never reads C (NaN or garbage in C does not leak through).
//       `scratch` holds the packed panels of B: gemm_scratch_bytes<T>(m, n, k)
//       bytes, any alignment (the kernel aligns inside it to 64 bytes).
//   gemv(trans, update, m, n, a, lda, x, y)     y = A·x or y = Aᵀ·x (A is m×n).
//   outer(update, m, n, x, y, a, lda)           A[m×n] = x·yᵀ or A += x·yᵀ.
//
// Kernels (float and double; other scalar types such as lz::dual<T, N> take
// plain loops, correct and slower):
//
// * Register blocking. The micro-kernel keeps an MR × NR tile of C in
//   registers, NR = NV SIMD vectors wide, and for each k does NV vector loads
//   of B, MR broadcasts of A and MR·NV FMAs. MR × NV is chosen per instruction
//   set by overloads on xsimd's architecture tags (`gemm_tile_for` below):
//   8 × 2 on AVX-512 (16 of the 32 zmm registers accumulate: 8×32 floats,
//   8×16 doubles), 6 × 2 on AVX/AVX2 (12 of 16 ymm), 4 × 2 elsewhere
//   (SSE2, NEON: 8 of 16).
// * Cache blocking (Goto/BLIS loop order): for each NC-column panel of C, for
//   each KC-deep slice of K, pack op(B)[KC×NC] into NR-wide slivers (each
//   k-row of a sliver is NR contiguous, aligned elements; the edge sliver is
//   zero-padded), then for each MC-row block of A, each sliver, each MR rows:
//   one micro-kernel call. A is not packed: the micro-kernel broadcasts its
//   elements straight from memory (row-major A: MR streams along k;
//   transposed A: MR adjacent elements per k), so Aᵀ·B costs nothing extra
//   and A·B needs no transposing copy. K and N are split into equal blocks
//   (784 = 4 × 196, not 3 × 256 + 16) so no block is a thin remainder.
// * Edges: the rows past a multiple of MR run the MR-row micro-kernel (or
//   the MR/2-row one if they fit) with the last row repeated in the unused
//   accumulators, which are not stored; the columns past a multiple of NR
//   use fewer vectors and the zero-padded sliver, and store through a small
//   tile on the stack. So the blocked product instantiates 2·NV
//   micro-kernels per (T, arch, op(A)).
// * Arch dispatch: every kernel is a template over the xsimd architecture
//   tag, defaulting to xsimd::default_arch (what the consumer compiles for);
//   tile shapes and the transposing pack are chosen by overloads on the tag
//   (see kernels/arch.hpp). No #ifdef here: without -march the same
//   code runs on SSE2 batches, and on xsimd::unavailable (or for a scalar
//   type without SIMD registers) the portable loops run.

#include <leibniz/kernels/simd.hpp>  // first: it includes xsimd (see there)
#include <leibniz/kernels/arch.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>

LEIBNIZ_KERNELS_BEGIN
namespace leibniz::kernels {

// How an operand of a product is read: as stored, or transposed.
enum class trans : bool { none = false, transposed = true };

// Whether a kernel overwrites its output (never reading it) or adds to it.
enum class update : bool { overwrite = false, accumulate = true };

// The variant of a matrix product: op(A), op(B), and the update of C.
struct gemm_options {
    trans a = trans::none;
    trans b = trans::none;
    update c = update::overwrite;
};

namespace detail {

// ------------------------------------------------------------ blocking choice

struct gemm_tile_shape {
    std::size_t rows;     // MR: rows of C per micro-kernel
    std::size_t vectors;  // NV: SIMD vectors per row (NR = NV · lanes)
};

// 16 vector registers (SSE2..SSE4.2, NEON): 4 × 2 = 8 accumulators, 2 for B,
// 1 broadcast.
constexpr gemm_tile_shape gemm_tile_for(requires_arch<xsimd::generic>) noexcept { return {4, 2}; }
// 16 ymm registers: 6 × 2 = 12 accumulators, 2 for B, 1 broadcast.
constexpr gemm_tile_shape gemm_tile_for(requires_arch<xsimd::avx>) noexcept { return {6, 2}; }
// 32 zmm registers: 8 × 2 = 16 accumulators. FMA latency 4 × throughput
// 1 zmm/cycle (Zen 4) or 2 (Intel) needs 4 to 8 independent chains; 16 leave
// slack, and the 8 broadcasts + 2 loads per 16 FMAs stay under the load ports.
constexpr gemm_tile_shape gemm_tile_for(requires_arch<xsimd::avx512f>) noexcept { return {8, 2}; }

template <class T, class Arch>
struct gemm_params {
    static constexpr std::size_t lanes = xsimd::batch<T, Arch>::size;
    static constexpr std::size_t mr = gemm_tile_for(Arch{}).rows;
    static constexpr std::size_t nv = gemm_tile_for(Arch{}).vectors;
    static constexpr std::size_t nr = nv * lanes;
    // Tuned for Zen 4 (32 KiB L1d, 1 MiB L2 per core); AVX-512 float figures.
    // KC: the depth of a K slice. One packed sliver of B (KC × NR) is 32 KiB
    // (256 × 32 × 4 B): it is read once per MR rows of A and stays close in
    // L1/L2 while they stream past. Slivers of 8, 16, 24 and 32 KiB measured
    // within 5% of each other on the benchmark shapes, 32 KiB at the top; a
    // deeper slice loads and stores the C tile fewer times per FMA.
    static constexpr std::size_t kc = std::max<std::size_t>(32 * 1024 / (nr * sizeof(T)), 16);
    // MC: the rows of A read against one packed panel of B; MC × KC of A
    // (256 × 256 × 4 B = 256 KiB) stays in L2 while every sliver passes.
    static constexpr std::size_t mc = 256;
    // NC: the width of the packed panel of B (KC × NC = 512 KiB in L2 next
    // to A's block; 512 columns for float).
    static constexpr std::size_t nc = std::max<std::size_t>(512 * 1024 / (kc * sizeof(T)) / nr, 1) * nr;
};

constexpr std::size_t ceil_div(std::size_t a, std::size_t b) noexcept { return (a + b - 1) / b; }
constexpr std::size_t round_up(std::size_t a, std::size_t b) noexcept { return ceil_div(a, b) * b; }

// Split `total` into equal blocks of at most `max_block` (each a multiple of
// `multiple`, except possibly the last): 784 by 256 -> 196.
constexpr std::size_t even_block(std::size_t total, std::size_t max_block, std::size_t multiple) noexcept {
    if (total == 0) return 0;
    std::size_t blocks = ceil_div(total, max_block);
    return std::min(round_up(ceil_div(total, blocks), multiple), round_up(total, multiple));
}

inline constexpr std::size_t scratch_alignment = 64;

// ------------------------------------------------------------ portable paths

// C = op(A)·op(B) (or C += ...) for any scalar type with + and *: the loop
// order streams rows of C and of B when B is stored as op(B). The first
// contribution to an element is a store, so overwriting never reads C.
template <class T>
void gemm_portable(gemm_options o, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda,
                   const T* b, std::size_t ldb, T* c, std::size_t ldc) noexcept {
    auto at = [&](std::size_t i, std::size_t p) -> const T& {
        return o.a == trans::none ? a[i * lda + p] : a[p * lda + i];
    };
    auto bt = [&](std::size_t p, std::size_t j) -> const T& {
        return o.b == trans::none ? b[p * ldb + j] : b[j * ldb + p];
    };
    for (std::size_t i = 0; i < m; ++i) {
        T* ci = c + i * ldc;
        if (k == 0) {
            if (o.c == update::overwrite)
                for (std::size_t j = 0; j < n; ++j) ci[j] = T(0);
            continue;
        }
        for (std::size_t p = 0; p < k; ++p) {
            const T& aip = at(i, p);
            if (p == 0 && o.c == update::overwrite)
                for (std::size_t j = 0; j < n; ++j) ci[j] = aip * bt(p, j);
            else
                for (std::size_t j = 0; j < n; ++j) ci[j] += aip * bt(p, j);
        }
    }
}

// ------------------------------------------------------------ SIMD micro-kernel

// One tile of C: rows × (NV·lanes), rows <= Rows, C = or += op(A)[rows × kc] · B[kc × NV·lanes].
//   a: A at the tile's first row and the slice's first k; element (i, p) is
//      a[i·lda + p] (TA = none) or a[p·lda + i] (TA = transposed).
//   b: k-row p of the tile's columns starts at b + p·ldb; NV·lanes elements
//      readable, aligned (a packed sliver).
//   ncols <= NV·lanes columns of C are written; add_to_c: C += product.
// Fewer rows than Rows (the bottom edge) repeat the last row in the unused
// accumulators, which are never stored: one instantiation serves every
// height, at the price of idle FMAs on edge tiles only. The k loop is
// unrolled by Unroll.
template <class T, class Arch, std::size_t Rows, std::size_t NV, trans TA, std::size_t Unroll>
void gemm_micro(std::size_t kc, std::size_t rows, const T* a, std::size_t lda, const T* b, std::size_t ldb,
                T* c, std::size_t ldc, std::size_t ncols, bool add_to_c) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    const T* ar[Rows];  // row i of op(A): element p at ar[i][p·stride]
    const std::size_t stride = TA == trans::none ? 1 : lda;
    batch acc[Rows][NV];
    static_for<Rows>([&](auto i) LEIBNIZ_ALWAYS_INLINE {
        const std::size_t r = i < rows ? std::size_t{i} : rows - 1;
        ar[i] = TA == trans::none ? a + r * lda : a + r;
        static_for<NV>([&](auto v) LEIBNIZ_ALWAYS_INLINE { acc[i][v] = batch(T(0)); });
    });

    auto step = [&](std::size_t p) LEIBNIZ_ALWAYS_INLINE {
        batch bv[NV];
        const T* bp = b + p * ldb;
        static_for<NV>([&](auto v) LEIBNIZ_ALWAYS_INLINE { bv[v] = batch::load_aligned(bp + v * W); });
        const std::size_t q = TA == trans::none ? p : p * stride;
        static_for<Rows>([&](auto i) LEIBNIZ_ALWAYS_INLINE {
            const batch av(ar[i][q]);
            static_for<NV>([&](auto v) LEIBNIZ_ALWAYS_INLINE { acc[i][v] = detail::fma(av, bv[v], acc[i][v]); });
        });
    };
    std::size_t p = 0;
    if constexpr (Unroll > 1)
        for (; p + Unroll <= kc; p += Unroll)
            static_for<Unroll>([&](auto u) LEIBNIZ_ALWAYS_INLINE { step(p + u); });
    for (; p < kc; ++p) step(p);

    if (ncols == NV * W) {
        static_for<Rows>([&](auto i) LEIBNIZ_ALWAYS_INLINE {
            if (i < rows)
                static_for<NV>([&](auto v) LEIBNIZ_ALWAYS_INLINE {
                    T* cp = c + i * ldc + v * W;
                    batch r = acc[i][v];
                    if (add_to_c) r += batch::load_unaligned(cp);
                    r.store_unaligned(cp);
                });
        });
    } else {
        // Edge columns: through a tile on the stack (at most 8 × 32 floats, 1 KiB).
        alignas(Arch::alignment()) T tile[Rows * NV * W];
        static_for<Rows>([&](auto i) LEIBNIZ_ALWAYS_INLINE {
            static_for<NV>([&](auto v) LEIBNIZ_ALWAYS_INLINE { acc[i][v].store_aligned(tile + (i * NV + v) * W); });
        });
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < ncols; ++j)
                c[i * ldc + j] = add_to_c ? c[i * ldc + j] + tile[i * NV * W + j] : tile[i * NV * W + j];
    }
}

template <class T>
using gemm_micro_fn = void (*)(std::size_t, std::size_t, const T*, std::size_t, const T*, std::size_t, T*,
                               std::size_t, std::size_t, bool) noexcept;

// The micro-kernels of the blocked product: MR rows, and MR/2 rows for the
// bottom edge when at most that many remain (so a thin edge wastes at most
// half its FMAs), each 1..NV vectors wide (the right edge).
template <class T, class Arch, trans TA>
struct gemm_micro_table {
    using P = gemm_params<T, Arch>;
    static constexpr std::size_t half = P::mr / 2 > 0 ? P::mr / 2 : 1;
    template <std::size_t... V>
    static constexpr auto make(std::index_sequence<V...>) {
        return std::array<gemm_micro_fn<T>, 2 * P::nv>{&gemm_micro<T, Arch, half, V + 1, TA, 4>...,
                                                       &gemm_micro<T, Arch, P::mr, V + 1, TA, 4>...};
    }
    static constexpr auto table = make(std::make_index_sequence<P::nv>{});
    static gemm_micro_fn<T> at(std::size_t rows, std::size_t nv) noexcept {
        return table[(rows > half ? P::nv : 0) + nv - 1];
    }
};

// One sliver of a transposed B (stored n×k: element (p, j) of op(B) is
// src[j·ldb + p]) into bp[p·NR + j], zero-padded past nr columns. Where the
// instruction set can permute lanes, W×W blocks go through registers
// (W loads, a log2(W)-stage transpose, W aligned stores); the edges, and
// instruction sets without swizzle, copy element by element.
template <class T, class Arch>
LEIBNIZ_FLATTEN void gemm_pack_bt_sliver(const T* src, std::size_t ldb, std::size_t kc, std::size_t nr,
                                         T* bp) noexcept {
    using P = gemm_params<T, Arch>;
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t NR = P::nr, W = P::lanes;
    std::size_t j0 = 0;
    if constexpr (has_swizzle(Arch{})) {
        for (; j0 + W <= nr; j0 += W) {
            std::size_t p = 0;
            for (; p + W <= kc; p += W) {
                batch r[W];
                static_for<W>([&](auto i) LEIBNIZ_ALWAYS_INLINE {
                    r[i] = batch::load_unaligned(src + (j0 + i) * ldb + p);
                });
                transpose(r);
                static_for<W>([&](auto i) LEIBNIZ_ALWAYS_INLINE { r[i].store_aligned(bp + (p + i) * NR + j0); });
            }
            for (; p < kc; ++p)
                for (std::size_t j = j0; j < j0 + W; ++j) bp[p * NR + j] = src[j * ldb + p];
        }
    }
    for (std::size_t p = 0; p < kc; ++p) {
        for (std::size_t j = j0; j < nr; ++j) bp[p * NR + j] = src[j * ldb + p];
        for (std::size_t j = nr; j < NR; ++j) bp[p * NR + j] = T(0);
    }
}

// Pack op(B)[k0 .. k0+kc, j0 .. j0+nc] into NR-wide slivers at bp: sliver s
// holds k-rows of NR contiguous elements (s·kc·NR + p·NR + j), zero-padded past nc.
template <class T, class Arch>
void gemm_pack_b(trans tb, const T* b, std::size_t ldb, std::size_t k0, std::size_t kc, std::size_t j0,
                 std::size_t nc, T* bp) noexcept {
    using P = gemm_params<T, Arch>;
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t NR = P::nr;
    for (std::size_t js = 0; js < nc; js += NR, bp += kc * NR) {
        const std::size_t nr = std::min(NR, nc - js);
        if (tb == trans::none) {
            const T* src = b + k0 * ldb + j0 + js;
            if (nr == NR) {
                for (std::size_t p = 0; p < kc; ++p, src += ldb)
                    static_for<P::nv>([&](auto v) LEIBNIZ_ALWAYS_INLINE {
                        batch::load_unaligned(src + v * P::lanes).store_aligned(bp + p * NR + v * P::lanes);
                    });
            } else {
                for (std::size_t p = 0; p < kc; ++p, src += ldb) {
                    T* dst = bp + p * NR;
                    std::size_t j = 0;
                    for (; j < nr; ++j) dst[j] = src[j];
                    for (; j < NR; ++j) dst[j] = T(0);
                }
            }
        } else {
            gemm_pack_bt_sliver<T, Arch>(b + (j0 + js) * ldb + k0, ldb, kc, nr, bp);
        }
    }
}

template <class T, class Arch, trans TA>
void gemm_blocked(gemm_options o, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda,
                  const T* b, std::size_t ldb, T* c, std::size_t ldc, T* bp, std::size_t nc_max) noexcept {
    using P = gemm_params<T, Arch>;
    using table = gemm_micro_table<T, Arch, TA>;
    const std::size_t kc_block = even_block(k, P::kc, 1);
    const std::size_t nc_block = even_block(n, nc_max, P::nr);
    const std::size_t mc_block = even_block(m, P::mc, P::mr);
    for (std::size_t jc = 0; jc < n; jc += nc_block) {
        const std::size_t nc = std::min(nc_block, n - jc);
        for (std::size_t pc = 0; pc < k; pc += kc_block) {
            const std::size_t kc = std::min(kc_block, k - pc);
            gemm_pack_b<T, Arch>(o.b, b, ldb, pc, kc, jc, nc, bp);
            const bool add = o.c == update::accumulate || pc > 0;
            for (std::size_t ic = 0; ic < m; ic += mc_block) {
                const std::size_t mc = std::min(mc_block, m - ic);
                for (std::size_t jr = 0; jr < nc; jr += P::nr) {
                    const std::size_t nr = std::min(P::nr, nc - jr);
                    const std::size_t nv = ceil_div(nr, P::lanes);
                    const T* bs = bp + (jr / P::nr) * kc * P::nr;
                    const auto full = table::at(P::mr, nv);
                    for (std::size_t ir = 0; ir < mc; ir += P::mr) {
                        const std::size_t mr = std::min(P::mr, mc - ir);
                        const std::size_t i = ic + ir;
                        const T* as = TA == trans::none ? a + i * lda + pc : a + pc * lda + i;
                        T* cs = c + i * ldc + jc + jr;
                        (mr == P::mr ? full : table::at(mr, nv))(kc, mr, as, lda, bs, P::nr, cs, ldc, nr, add);
                    }
                }
            }
        }
    }
}

// Small products (m·n·k ≤ small_product): packing B and the blocked loops
// cost more than the arithmetic (measured: two thirds of a 2-4-1 training
// step). Rows of C four at a time, each a few vectors of accumulators; row
// p of B (stored k×n, row stride ldb) is loaded once per four rows of C,
// its last vector partial; A's elements are broadcast from memory in either
// orientation. A transposed B is first copied out as k×n by the caller.
inline constexpr std::size_t small_product = 16 * 16 * 16;

template <class T, class Arch, std::size_t R>
LEIBNIZ_ALWAYS_INLINE inline void gemm_small_rows(trans ta, bool add, std::size_t i, std::size_t k, std::size_t j,
                                                  std::size_t cols, const T* a, std::size_t lda, const T* b,
                                                  std::size_t ldb, T* c, std::size_t ldc) noexcept {
    using B = xsimd::batch<T, Arch>;
    constexpr std::size_t W = B::size;
    B acc[R];
    static_for<R>([&](auto r) LEIBNIZ_ALWAYS_INLINE { acc[r] = B(T(0)); });
    const bool whole = cols == W;
    for (std::size_t p = 0; p < k; ++p) {
        const T* bp = b + p * ldb + j;
        const B bv = whole ? B::load_unaligned(bp) : simd::load_partial<Arch>(bp, cols, T(0));
        static_for<R>([&](auto r) LEIBNIZ_ALWAYS_INLINE {
            const T air = ta == trans::none ? a[(i + r) * lda + p] : a[p * lda + i + r];
            acc[r] = detail::fma(B(air), bv, acc[r]);
        });
    }
    static_for<R>([&](auto r) LEIBNIZ_ALWAYS_INLINE {
        T* cr = c + (i + r) * ldc + j;
        if (whole) {
            (add ? acc[r] + B::load_unaligned(cr) : acc[r]).store_unaligned(cr);
        } else {
            simd::store_partial<Arch>(cr, cols, add ? acc[r] + simd::load_partial<Arch>(cr, cols, T(0)) : acc[r]);
        }
    });
}

template <class T, class Arch>
LEIBNIZ_FLATTEN void gemm_small(trans ta, update u, std::size_t m, std::size_t n, std::size_t k, const T* a,
                                std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc) noexcept {
    constexpr std::size_t W = xsimd::batch<T, Arch>::size;
    const bool add = u == update::accumulate;
    for (std::size_t j = 0; j < n; j += W) {
        const std::size_t cols = std::min(W, n - j);
        std::size_t i = 0;
        for (; i + 4 <= m; i += 4) gemm_small_rows<T, Arch, 4>(ta, add, i, k, j, cols, a, lda, b, ldb, c, ldc);
        for (; i < m; ++i) gemm_small_rows<T, Arch, 1>(ta, add, i, k, j, cols, a, lda, b, ldb, c, ldc);
    }
}

template <class T>
void fill_zero(std::size_t m, std::size_t n, T* c, std::size_t ldc) noexcept {
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = T(0);
}

}  // namespace detail

// ================================================================ gemm

// Bytes of scratch gemm<T, Arch> needs for an m×n×k product (0 on the portable
// path), including the slack to align it to 64 bytes. Compile-time when the
// extents are, so a workspace can size the buffer once.
template <class T, class Arch = default_arch>
[[nodiscard]] constexpr std::size_t gemm_scratch_bytes(std::size_t m, std::size_t n, std::size_t k) noexcept {
    if constexpr (!simd_path<T, Arch>) {
        (void)m, (void)n, (void)k;
        return 0;
    } else {
        using P = detail::gemm_params<T, Arch>;
        if (m == 0 || n == 0 || k == 0) return 0;
        const std::size_t kc = detail::even_block(k, P::kc, 1);
        const std::size_t nc = detail::even_block(n, P::nc, P::nr);
        return kc * nc * sizeof(T) + detail::scratch_alignment;
    }
}

template <class T, class Arch = default_arch>
void gemv(trans ta, update u, std::size_t m, std::size_t n, const T* a, std::size_t lda, const T* x, T* y) noexcept;

// C = op(A)·op(B), or C += op(A)·op(B) with o.c == update::accumulate.
//   op(A) is m×k: A stored m×k (lda >= k) or, transposed, k×m (lda >= m).
//   op(B) is k×n: B stored k×n (ldb >= n) or, transposed, n×k (ldb >= k).
//   C is m×n (ldc >= n) and must not overlap A or B.
//   scratch: gemm_scratch_bytes<T, Arch>(m, n, k) bytes, any alignment. Given
//   less, the product still comes out right, only slower: B is packed in
//   narrower panels or, with no room for one sliver, the portable loop runs.
template <class T, class Arch = default_arch>
void gemm(gemm_options o, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda, const T* b,
          std::size_t ldb, T* c, std::size_t ldc, std::span<std::byte> scratch) noexcept {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (o.c == update::overwrite) detail::fill_zero(m, n, c, ldc);
        return;
    }
    if constexpr (!simd_path<T, Arch>) {
        (void)scratch;
        detail::gemm_portable(o, m, n, k, a, lda, b, ldb, c, ldc);
    } else {
        if (m == 1 && (o.a == trans::none || lda == 1)) {
            // One row (one-sample inference, x[1, k]·W): a product with a
            // vector, which streams B once; packing B would read it twice.
            if (o.b == trans::none)
                gemv<T, Arch>(trans::transposed, o.c, k, n, b, ldb, a, c);
            else
                gemv<T, Arch>(trans::none, o.c, n, k, b, ldb, a, c);
            return;
        }
        using P = detail::gemm_params<T, Arch>;
        void* base = scratch.data();
        std::size_t space = scratch.size();
        T* bp = static_cast<T*>(std::align(detail::scratch_alignment, sizeof(T), base, space));
        if (m * n * k <= detail::small_product) {
            if (o.b == trans::none || (k == 1 && ldb == 1)) {  // op(B) rows contiguous (k = 1: one row, b[0..n))
                detail::gemm_small<T, Arch>(o.a, o.c, m, n, k, a, lda, b, o.b == trans::none ? ldb : n, c, ldc);
                return;
            }
            if (bp && space / sizeof(T) >= k * n) {  // op(B) copied out k×n: n·k moves, no packing
                for (std::size_t p = 0; p < k; ++p)
                    for (std::size_t j = 0; j < n; ++j) bp[p * n + j] = b[j * ldb + p];
                detail::gemm_small<T, Arch>(o.a, o.c, m, n, k, a, lda, bp, n, c, ldc);
                return;
            }
        }
        const std::size_t kc = detail::even_block(k, P::kc, 1);
        const std::size_t fits = bp ? space / sizeof(T) / (kc * P::nr) * P::nr : 0;
        const std::size_t nc_max = std::min(P::nc, fits);
        if (nc_max == 0) {
            detail::gemm_portable(o, m, n, k, a, lda, b, ldb, c, ldc);
        } else if (o.a == trans::none) {
            detail::gemm_blocked<T, Arch, trans::none>(o, m, n, k, a, lda, b, ldb, c, ldc, bp, nc_max);
        } else {
            detail::gemm_blocked<T, Arch, trans::transposed>(o, m, n, k, a, lda, b, ldb, c, ldc, bp, nc_max);
        }
    }
}

// ================================================================ gemv

// y = A·x (ta none: A is m×n, x has n, y has m) or y = Aᵀ·x (transposed:
// x has m, y has n); update::accumulate adds to y. Overwriting never reads y.
// y must not overlap A or x. (Flattened: xsimd::hadd is inlined into it.)
template <class T, class Arch>
LEIBNIZ_FLATTEN void gemv(trans ta, update u, std::size_t m, std::size_t n, const T* a, std::size_t lda,
                          const T* x, T* y) noexcept {
    const bool add = u == update::accumulate;
    if constexpr (!simd_path<T, Arch>) {
        if (ta == trans::none) {
            for (std::size_t i = 0; i < m; ++i) {
                T s = add ? y[i] : T(0);
                for (std::size_t j = 0; j < n; ++j) s += a[i * lda + j] * x[j];
                y[i] = s;
            }
        } else {
            if (!add)
                for (std::size_t j = 0; j < n; ++j) y[j] = T(0);
            for (std::size_t i = 0; i < m; ++i)
                for (std::size_t j = 0; j < n; ++j) y[j] += a[i * lda + j] * x[i];
        }
    } else {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        if (ta == trans::none) {
            // Four rows at a time, two vectors per row per step: 8 chains.
            constexpr std::size_t R = 4;
            const std::size_t n2 = n / (2 * W) * (2 * W), n1 = n / W * W;
            auto rows = [&]<std::size_t Rows>(std::size_t i0) {
                batch acc[Rows][2];
                detail::static_for<Rows>([&](auto r) LEIBNIZ_ALWAYS_INLINE { acc[r][0] = acc[r][1] = batch(T(0)); });
                std::size_t j = 0;
                for (; j < n2; j += 2 * W) {
                    const batch x0 = batch::load_unaligned(x + j), x1 = batch::load_unaligned(x + j + W);
                    detail::static_for<Rows>([&](auto r) LEIBNIZ_ALWAYS_INLINE {
                        const T* ar = a + (i0 + r) * lda + j;
                        acc[r][0] = detail::fma(batch::load_unaligned(ar), x0, acc[r][0]);
                        acc[r][1] = detail::fma(batch::load_unaligned(ar + W), x1, acc[r][1]);
                    });
                }
                for (; j < n1; j += W) {
                    const batch x0 = batch::load_unaligned(x + j);
                    detail::static_for<Rows>([&](auto r) LEIBNIZ_ALWAYS_INLINE {
                        acc[r][0] = detail::fma(batch::load_unaligned(a + (i0 + r) * lda + j), x0, acc[r][0]);
                    });
                }
                detail::static_for<Rows>([&](auto r) LEIBNIZ_ALWAYS_INLINE {
                    const T* ar = a + (i0 + r) * lda;
                    T s = xsimd::hadd(acc[r][0] + acc[r][1]);
                    for (std::size_t jt = n1; jt < n; ++jt) s += ar[jt] * x[jt];
                    y[i0 + r] = add ? y[i0 + r] + s : s;
                });
            };
            std::size_t i = 0;
            for (; i + R <= m; i += R) rows.template operator()<R>(i);
            for (; i < m; ++i) rows.template operator()<1>(i);
        } else {
            // Column blocks of V vectors held in registers across all m rows,
            // each row of A read once, in order. Two sets of accumulators (even
            // and odd rows) so that even one vector has two FMA chains; 8
            // vectors keep both FMA ports busy through the FMA latency. The
            // last n mod W columns are one partial vector (masked loads), not
            // a strided scalar loop per column (which cost more than the
            // whole 784×128 product before it: measured on [1,128]·[128,10]).
            auto cols = [&]<std::size_t V, bool Partial>(std::size_t j0, std::size_t count) LEIBNIZ_ALWAYS_INLINE {
                auto ld = [&](const T* p) LEIBNIZ_ALWAYS_INLINE {
                    if constexpr (Partial)
                        return simd::load_partial<Arch>(p, count, T(0));
                    else
                        return batch::load_unaligned(p);
                };
                batch even[V], odd[V];
                detail::static_for<V>([&](auto v) LEIBNIZ_ALWAYS_INLINE {
                    even[v] = add ? ld(y + j0 + v * W) : batch(T(0));
                    odd[v] = batch(T(0));
                });
                std::size_t i = 0;
                for (; i + 2 <= m; i += 2) {
                    const batch x0(x[i]), x1(x[i + 1]);
                    const T* a0 = a + i * lda + j0;
                    detail::static_for<V>([&](auto v) LEIBNIZ_ALWAYS_INLINE {
                        even[v] = detail::fma(ld(a0 + v * W), x0, even[v]);
                        odd[v] = detail::fma(ld(a0 + lda + v * W), x1, odd[v]);
                    });
                }
                if (i < m) {
                    const batch xi(x[i]);
                    detail::static_for<V>([&](auto v) LEIBNIZ_ALWAYS_INLINE {
                        even[v] = detail::fma(ld(a + i * lda + j0 + v * W), xi, even[v]);
                    });
                }
                detail::static_for<V>([&](auto v) LEIBNIZ_ALWAYS_INLINE {
                    if constexpr (Partial)
                        simd::store_partial<Arch>(y + j0 + v * W, count, even[v] + odd[v]);
                    else
                        (even[v] + odd[v]).store_unaligned(y + j0 + v * W);
                });
            };
            std::size_t j = 0;
            for (; j + 8 * W <= n; j += 8 * W) cols.template operator()<8, false>(j, W);
            for (; j + 4 * W <= n; j += 4 * W) cols.template operator()<4, false>(j, W);
            for (; j + W <= n; j += W) cols.template operator()<1, false>(j, W);
            if (j < n) cols.template operator()<1, true>(j, n - j);
        }
    }
}

// ================================================================ outer

// A[m×n] = x·yᵀ (update::overwrite, A is not read) or A += x·yᵀ.
// A must not overlap x or y.
template <class T, class Arch = default_arch>
void outer(update u, std::size_t m, std::size_t n, const T* x, const T* y, T* a, std::size_t lda) noexcept {
    const bool add = u == update::accumulate;
    for (std::size_t i = 0; i < m; ++i) {
        T* ai = a + i * lda;
        std::size_t j = 0;
        if constexpr (simd_path<T, Arch>) {
            using batch = xsimd::batch<T, Arch>;
            constexpr std::size_t W = batch::size;
            const batch xi(x[i]);
            for (; j + W <= n; j += W) {
                const batch yj = batch::load_unaligned(y + j);
                (add ? detail::fma(xi, yj, batch::load_unaligned(ai + j)) : xi * yj).store_unaligned(ai + j);
            }
        }
        for (; j < n; ++j) ai[j] = add ? ai[j] + x[i] * y[j] : x[i] * y[j];
    }
}

}  // namespace leibniz::kernels
LEIBNIZ_KERNELS_END
