#pragma once
// PyTorch's numbers for the layer forms added after nn_test's first cases
// (batch_norm1d on [N, C, L], layer_norm over two axes), from
// test/nn/nn_layers_ref.inc (test/ref/make_nn_layers_ref.py): nn_test runs
// them in double (under the sanitizers too), nn_float_test in float, so that
// the float instantiations cost the optimised configuration only. 1e-10
// relative in double, 1e-5 in float, to the largest magnitude of the array.
#include <boost/test/unit_test.hpp>

#include <leibniz/leibniz.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

namespace torch_ref {
#include "nn_layers_ref.inc"
}

namespace nn_layer_checks {

namespace lz = leibniz;

template <class T>
constexpr double tolerance = std::is_same_v<T, double> ? 1e-10 : 1e-5;

template <class T, class S, std::size_t N>
lz::tensor<T, S> tensor_from(const double (&values)[N]) {
    auto t = [] {
        if constexpr (S::is_static)
            return lz::tensor<T, S>{};
        else
            return lz::tensor<T, S>(N / S::size);  // S::size: the product of the static extents
    }();
    for (std::size_t i = 0; i < N; ++i) t.data()[i] = T(values[i]);
    return t;
}
template <class T, std::size_t N, class A>
void check_close(const A* a, const double (&ref)[N], const char* what) {
    double err = 0, scale = 0;
    for (std::size_t i = 0; i < N; ++i) {
        err = std::max(err, std::abs(double(a[i]) - ref[i]));
        scale = std::max(scale, std::abs(ref[i]));
    }
    BOOST_TEST(err / scale <= tolerance<T>, what << ": relative error " << err / scale);
    BOOST_TEST_MESSAGE((std::is_same_v<T, double> ? "double " : "float ") << what << ": relative error " << err / scale);
}

// The double reference in double, the float one in float.
template <class T, std::size_t N1, std::size_t N2, class A>
void check_ref(const A* a, const double (&d)[N1], const double (&f)[N2], const char* what) {
    if constexpr (std::is_same_v<T, double>)
        check_close<T>(a, d, what);
    else
        check_close<T>(a, f, what);
}

// nn.LayerNorm((3, 4)) on [2, 3, 4]: the statistics over the last two axes together.
template <class T>
void layer_norm2() {
    using namespace torch_ref;
    using S = lz::shape<lz::dyn, 3, 4>;
    constexpr auto x = lz::var<"x", T, S>;
    constexpr auto g = lz::var<"g", T, S>;
    constexpr auto y = lz::nn::layer_norm<3, 4>(x);
    constexpr auto loss = lz::sum(y * g);
    using Wt = lz::nn::layer_norm_t<3, 4>::weight<"", T>;
    using Bt = lz::nn::layer_norm_t<3, 4>::bias<"", T>;
    static_assert(std::is_same_v<lz::shape_of<Wt>, lz::shape<3, 4>>);
    lz::parameters params{loss};
    std::copy_n(tensor_from<T, lz::shape<3, 4>>(ln2_w).data(), 12, params[Wt{}].data());
    std::copy_n(tensor_from<T, lz::shape<3, 4>>(ln2_b).data(), 12, params[Bt{}].data());
    const auto xs = tensor_from<T, S>(ln2_x);
    const auto gs = tensor_from<T, S>(ln2_g);
    const auto env = lz::at(params, x = xs, g = gs);
    check_ref<T>(lz::eval(y, lz::lenient(env)).data(), d_ln2_y, f_ln2_y, "ln2_y");
    const auto [dx, dw, db] = lz::grad(loss, lz::wrt(x, Wt{}, Bt{}), env);
    check_ref<T>(dx.data(), d_ln2_dx, f_ln2_dx, "ln2_dx");
    check_ref<T>(dw.data(), d_ln2_dw, f_ln2_dw, "ln2_dw");
    check_ref<T>(db.data(), d_ln2_db, f_ln2_db, "ln2_db");
}
// batch_norm1d<4> on [N, 4, 3] (PyTorch's BatchNorm1d on [N, C, L]: each
// channel's statistics over N and L): three training steps with the running
// statistics (the unbiased variance over N·L = 15 values), then evaluation.
template <class T>
void batch_norm3() {
    using namespace torch_ref;
    constexpr bool d = std::is_same_v<T, double>;
    using S = lz::shape<lz::dyn, 4, 3>;
    constexpr auto x = lz::var<"x", T, S>;
    constexpr auto g = lz::var<"g", T, S>;
    constexpr auto net = lz::nn::sequential(lz::nn::batch_norm1d<4>);
    constexpr auto loss = lz::sum(net(x) * g);
    constexpr auto loss_eval = lz::sum(net(x, lz::nn::evaluation) * g);
    using bn = lz::nn::batch_norm1d_t<4>;
    using Wt = bn::weight<"0", T>;
    using Bt = bn::bias<"0", T>;
    lz::parameters params{loss};
    lz::buffers bufs{loss_eval};
    lz::nn::init::torch_default(net, bufs);
    for (std::size_t i = 0; i < 4; ++i) params[Wt{}](i) = T(bn3_w[i]), params[Bt{}](i) = T(bn3_b[i]);
    constexpr auto stats = net.running_stats(x);
    lz::workspace ws{loss};
    const auto step = [&](const auto& xs, const auto& gs, const double* y, const double* dx, const double* dw,
                          const double* db, const double* rm, const double* rv, int k) {
        const auto check = [&](const T* a, const double* ref, std::size_t n, const char* what) {
            double err = 0, scale = 0;
            for (std::size_t i = 0; i < n; ++i) {
                err = std::max(err, std::abs(double(a[i]) - ref[i]));
                scale = std::max(scale, std::abs(ref[i]));
            }
            BOOST_TEST(err / scale <= tolerance<T>, what << " at step " << k << ": relative error " << err / scale);
        };
        const auto env = lz::at(params, x = xs, g = gs);
        auto r = lz::value_and_grad(lz::nn::with_running_stats(loss, stats), lz::wrt(x, Wt{}, Bt{}), env, ws);
        const auto& [gx, gw, gb] = r.gradient;
        check(lz::eval(net(x), lz::lenient(env)).data(), y, 60, "y");
        check(gx.data(), dx, 60, "dx");
        check(gw.data(), dw, 4, "dweight");
        check(gb.data(), db, 4, "dbias");
        lz::nn::update_running_stats(stats, bufs, r.aux, xs.extent(0));
        check(bufs[bn::running_mean<"0", T>{}].data(), rm, 4, "running_mean");
        check(bufs[bn::running_var<"0", T>{}].data(), rv, 4, "running_var");
    };
    step(tensor_from<T, S>(bn3_x0), tensor_from<T, S>(bn3_g0), d ? d_bn3_y0 : f_bn3_y0, d ? d_bn3_dx0 : f_bn3_dx0,
         d ? d_bn3_dw0 : f_bn3_dw0, d ? d_bn3_db0 : f_bn3_db0, d ? d_bn3_running_mean0 : f_bn3_running_mean0,
         d ? d_bn3_running_var0 : f_bn3_running_var0, 0);
    step(tensor_from<T, S>(bn3_x1), tensor_from<T, S>(bn3_g1), d ? d_bn3_y1 : f_bn3_y1, d ? d_bn3_dx1 : f_bn3_dx1,
         d ? d_bn3_dw1 : f_bn3_dw1, d ? d_bn3_db1 : f_bn3_db1, d ? d_bn3_running_mean1 : f_bn3_running_mean1,
         d ? d_bn3_running_var1 : f_bn3_running_var1, 1);
    step(tensor_from<T, S>(bn3_x2), tensor_from<T, S>(bn3_g2), d ? d_bn3_y2 : f_bn3_y2, d ? d_bn3_dx2 : f_bn3_dx2,
         d ? d_bn3_dw2 : f_bn3_dw2, d ? d_bn3_db2 : f_bn3_db2, d ? d_bn3_running_mean2 : f_bn3_running_mean2,
         d ? d_bn3_running_var2 : f_bn3_running_var2, 2);
    // Evaluation: the running statistics, through the buffer store.
    const auto xe = tensor_from<T, S>(bn3_xe);
    const auto ge = tensor_from<T, S>(bn3_ge);
    const auto env = lz::at(params, bufs, x = xe, g = ge);
    const auto ye = lz::eval(net(x, lz::nn::evaluation), lz::lenient(env));
    check_ref<T>(ye.data(), d_bn3_ye, f_bn3_ye, "bn3_ye");
    const auto [dx, dw, db] = lz::grad(loss_eval, lz::wrt(x, Wt{}, Bt{}), env);
    check_ref<T>(dx.data(), d_bn3_dxe, f_bn3_dxe, "bn3_dxe");
    check_ref<T>(dw.data(), d_bn3_dwe, f_bn3_dwe, "bn3_dwe");
    check_ref<T>(db.data(), d_bn3_dbe, f_bn3_dbe, "bn3_dbe");
}

}  // namespace nn_layer_checks
