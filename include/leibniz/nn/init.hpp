#pragma once
// lz::nn::init: torch.nn.init's initializers, drawing from the engine's
// counter-based generator (kernels/philox.hpp) so a run reproduces from its seed.
//
//   lz::nn::init::kaiming_uniform(params, W, seed)            // a leaf of a store: stream = hash of its name
//   lz::nn::init::kaiming_uniform(view, generator, options)   // any tensor view
//   lz::nn::init::torch_default(net, params, seed)            // what PyTorch's modules do at construction
//
// Fans follow the library's layout: a weight is [in, out] (y = x·W), so
// fan_in is extent 0 and fan_out extent 1 — PyTorch's Linear.weight is
// [out, in] and takes fan_in from its extent 1: the same numbers. A tensor of
// rank > 2 is [in, out, receptive...] (fan = extent · product of the rest).
//
// The draws: element i of a tensor initialised under (seed, stream) is
// element i of the Philox stream `stream` under key {seed, step 0}; a store
// leaf's stream is the FNV-1a hash of its name, so a leaf's values depend on
// the seed and its name only, not on the order of initialisation or on the
// other layers. (PyTorch's CPU generator is a Mersenne twister: the
// distributions are PyTorch's, the bits are not.)

#include <leibniz/core/parameters.hpp>
#include <leibniz/kernels/philox.hpp>
#include <leibniz/tensor/tensor.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace leibniz::nn::init {

// A stream of draws: the key (a seed) and the stream number.
struct generator {
    std::uint64_t seed = 0;
    std::uint32_t stream = 0;
};

// The stream of a named tensor: FNV-1a of its name.
constexpr std::uint32_t stream_of(std::string_view name) noexcept {
    std::uint32_t h = 2166136261u;
    for (char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

// The generator of a leaf under a seed.
template <Leaf L>
constexpr generator generator_for(L, std::uint64_t seed) noexcept {
    return {seed, stream_of(std::remove_cvref_t<L>::name.view())};
}

// ---------------------------------------------------------------- gains and fans

// torch.nn.init.calculate_gain's nonlinearities.
enum class nonlinearity { linear, identity, sigmoid, tanh, relu, leaky_relu, selu };

// calculate_gain(nonlinearity, param): 1 for linear, identity and sigmoid; 5/3
// for tanh; √2 for relu; √(2/(1 + slope²)) for leaky_relu (slope = param,
// default 0.01); 3/4 for selu.
inline double calculate_gain(nonlinearity f, double param = 0.01) {
    switch (f) {
        case nonlinearity::tanh: return 5.0 / 3.0;
        case nonlinearity::relu: return std::sqrt(2.0);
        case nonlinearity::leaky_relu: return std::sqrt(2.0 / (1.0 + param * param));
        case nonlinearity::selu: return 3.0 / 4.0;
        default: return 1.0;
    }
}

struct fans {
    double in = 0, out = 0;
};

// fan_in and fan_out of a weight in the library's [in, out, ...] layout.
template <class T, class S>
fans fans_of(const tensor_view<T, S>& w) {
    static_assert(S::rank >= 2, "leibniz::nn::init: fan in and fan out need a weight of rank 2 or more, [in, out] "
                                "(xavier_* and kaiming_*; PyTorch raises the same error)");
    double receptive = 1;
    for (std::size_t k = 2; k < S::rank; ++k) receptive *= double(w.extent(k));
    return {double(w.extent(0)) * receptive, double(w.extent(1)) * receptive};
}

enum class fan_mode { fan_in, fan_out };

// ---------------------------------------------------------------- constant fills

template <class T, class S>
void constant(const tensor_view<T, S>& w, T value) {
    for (std::size_t i = 0; i < w.size(); ++i) w.data()[i] = value;
}
template <class T, class S>
void zeros(const tensor_view<T, S>& w) {
    constant(w, T(0));
}
template <class T, class S>
void ones(const tensor_view<T, S>& w) {
    constant(w, T(1));
}

// ---------------------------------------------------------------- random fills

// U[a, b) (torch.nn.init.uniform_, default a = 0, b = 1).
template <class T, class S>
void uniform(const tensor_view<T, S>& w, generator g, T a = T(0), T b = T(1)) {
    kernels::fill_uniform(w.data(), w.size(), kernels::random_key{g.seed, 0}, g.stream, a, b);
}

// N(mean, std²) (torch.nn.init.normal_, default mean = 0, std = 1).
template <class T, class S>
void normal(const tensor_view<T, S>& w, generator g, T mean = T(0), T std = T(1)) {
    kernels::fill_normal(w.data(), w.size(), kernels::random_key{g.seed, 0}, g.stream, mean, std);
}

// Glorot: U(±gain·√(6/(fan_in + fan_out))), the notes' U(±√(6/(n_in + n_out))).
template <class T, class S>
void xavier_uniform(const tensor_view<T, S>& w, generator g, double gain = 1) {
    const fans f = fans_of(w);
    const T bound = T(gain * std::sqrt(6.0 / (f.in + f.out)));
    uniform(w, g, -bound, bound);
}

// Glorot: N(0, σ²), σ = gain·√(2/(fan_in + fan_out)).
template <class T, class S>
void xavier_normal(const tensor_view<T, S>& w, generator g, double gain = 1) {
    const fans f = fans_of(w);
    normal(w, g, T(0), T(gain * std::sqrt(2.0 / (f.in + f.out))));
}

// He (torch.nn.init.kaiming_*_): a is the negative slope of the leaky_relu
// after the layer (0 for relu), used when nonlinearity is leaky_relu (the default,
// as PyTorch's).
struct kaiming_options {
    double a = 0;
    fan_mode mode = fan_mode::fan_in;
    init::nonlinearity nonlinearity = init::nonlinearity::leaky_relu;
};

namespace detail {
template <class T, class S>
double kaiming_std(const tensor_view<T, S>& w, const kaiming_options& o) {
    const fans f = fans_of(w);
    const double fan = o.mode == fan_mode::fan_in ? f.in : f.out;
    return calculate_gain(o.nonlinearity, o.a) / std::sqrt(fan);
}
}  // namespace detail

// U(±gain·√(3/fan)): with relu's gain √2 and fan_in, U(±√(6/n_in)).
template <class T, class S>
void kaiming_uniform(const tensor_view<T, S>& w, generator g, kaiming_options o = {}) {
    const T bound = T(std::sqrt(3.0) * detail::kaiming_std(w, o));
    uniform(w, g, -bound, bound);
}

// N(0, σ²), σ = gain/√fan: with relu's gain and fan_in, variance 2/n_in (the
// notes' N(0, 2/n_in) writes the variance, not σ).
template <class T, class S>
void kaiming_normal(const tensor_view<T, S>& w, generator g, kaiming_options o = {}) {
    normal(w, g, T(0), T(detail::kaiming_std(w, o)));
}

// torch.nn.init.orthogonal_: w viewed as rows = extent 0 by cols = the rest,
// filled with a matrix with orthonormal columns (rows ≥ cols) or rows (rows <
// cols), times gain: the Q of the QR decomposition of a normal matrix, the
// signs fixed by R's diagonal (Saxe et al., 2013). Computed in double by
// modified Gram-Schmidt, which gives that Q. It allocates (initialisation time).
template <class T, class S>
void orthogonal(const tensor_view<T, S>& w, generator g, double gain = 1) {
    static_assert(S::rank >= 2, "leibniz::nn::init::orthogonal: only tensors of rank 2 or more are supported "
                                "(PyTorch raises the same error)");
    const std::size_t rows = w.extent(0), cols = w.size() / rows;
    const bool tall = rows >= cols;
    const std::size_t m = tall ? rows : cols, n = tall ? cols : rows;  // a[m×n], m ≥ n, columns orthonormalised
    std::vector<double> a(m * n);
    kernels::fill_normal(a.data(), a.size(), kernels::random_key{g.seed, 0}, g.stream, 0.0, 1.0);
    for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = 0; k < j; ++k) {
            double dot = 0;
            for (std::size_t i = 0; i < m; ++i) dot += a[i * n + k] * a[i * n + j];
            for (std::size_t i = 0; i < m; ++i) a[i * n + j] -= dot * a[i * n + k];
        }
        double norm = 0;
        for (std::size_t i = 0; i < m; ++i) norm += a[i * n + j] * a[i * n + j];
        norm = std::sqrt(norm);
        for (std::size_t i = 0; i < m; ++i) a[i * n + j] /= norm;
    }
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            w.data()[r * cols + c] = T(gain * (tall ? a[r * n + c] : a[c * n + r]));
}

// ---------------------------------------------------------------- on a store's leaf

// The same initializers on leaf L of a store, drawing from L's own stream:
// lz::nn::init::xavier_uniform(params, W, seed), ...
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void uniform(Store& store, L leaf, std::uint64_t seed, Options... options) {
    uniform(store[leaf], generator_for(leaf, seed), options...);
}
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void normal(Store& store, L leaf, std::uint64_t seed, Options... options) {
    normal(store[leaf], generator_for(leaf, seed), options...);
}
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void xavier_uniform(Store& store, L leaf, std::uint64_t seed, Options... options) {
    xavier_uniform(store[leaf], generator_for(leaf, seed), options...);
}
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void xavier_normal(Store& store, L leaf, std::uint64_t seed, Options... options) {
    xavier_normal(store[leaf], generator_for(leaf, seed), options...);
}
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void kaiming_uniform(Store& store, L leaf, std::uint64_t seed, Options... options) {
    kaiming_uniform(store[leaf], generator_for(leaf, seed), options...);
}
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void kaiming_normal(Store& store, L leaf, std::uint64_t seed, Options... options) {
    kaiming_normal(store[leaf], generator_for(leaf, seed), options...);
}
template <class Store, Leaf L, class... Options>
    requires requires(Store& s) { s[L{}].data(); }
void orthogonal(Store& store, L leaf, std::uint64_t seed, Options... options) {
    orthogonal(store[leaf], generator_for(leaf, seed), options...);
}

// ---------------------------------------------------------------- PyTorch's defaults

// What PyTorch's modules do when constructed, for every layer of `net` whose
// leaves `store` holds: dense weight and bias U(±1/√in) (Linear's
// kaiming_uniform with a = √5, and its bias rule), batch and layer norm
// weight 1 and bias 0, running mean 0 and running variance 1 (in a buffer store).
// Leaves of the store that no layer of net owns (raw params) are left as they are.
template <class Net, class Store>
void torch_default(Net, Store& store, std::uint64_t seed) {
    Net::template reset<"">(store, seed);
}
template <class Net, class Store>
void torch_default(Net net, Store& store) {
    torch_default(net, store, 0);
}

}  // namespace leibniz::nn::init
