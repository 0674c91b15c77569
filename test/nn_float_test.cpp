// Every float32 record of test/nn/nn_losses.txt and nn_activations.txt that
// loss_test and activation_test leave out (their compile budgets keep float
// to a subset there): with them, every float record is read, its value and
// its gradients, at 1e-5 relative (nn/nn_ref.hpp says how it is measured).
// loss_test.cpp compiled again with LEIBNIZ_NN_FLOAT_TEST (every reduction
// of every loss, the sparse autoencoder), then the activations that
// activation_test checks in double only, and the float cases of the layer
// forms of test/nn/nn_layer_checks.hpp. Each family's worst error is
// reported. A numeric check: test/CMakeLists.txt builds it in the g++
// configuration only, -O0 (the same code runs under the sanitizers in
// loss_test and activation_test).
#define LEIBNIZ_NN_FLOAT_TEST
#include "loss_test.cpp"

#include "nn/nn_layer_checks.hpp"

#include <leibniz/ops.hpp>

namespace {

const std::map<std::string, nnref::record>& activation_cases() {
    static const auto all = nnref::read_file("nn_activations.txt");
    return all;
}

template <class F>
void activation_against_torch(const std::string& id, F f) {
    constexpr auto x = lz::var<"x", float, lz::shape<dyn, 8>>;
    nnref::check<float>(activation_cases(), id + ".n3", f, std::make_tuple(x), std::make_tuple(x));
}

}  // namespace

BOOST_AUTO_TEST_CASE(activations_against_torch) {
    float_family("activations, float", [] {
        activation_against_torch("relu", [](auto x) { return lz::relu(x); });
        activation_against_torch("tanh", [](auto x) { return lz::tanh(x); });
        activation_against_torch("softplus.0.5.10", [](auto x) { return lz::softplus(x, 0.5_c, 10_c); });
        activation_against_torch("elu.0.5", [](auto x) { return lz::elu(x, 0.5_c); });
        activation_against_torch("celu.2", [](auto x) { return lz::celu(x, 2_c); });
        activation_against_torch("hardswish", [](auto x) { return lz::hardswish(x); });
    });
}

// batch_norm1d on [N, C, L] and layer_norm over two axes in float (nn_test
// runs them in double; test/nn/nn_layer_checks.hpp).
BOOST_AUTO_TEST_CASE(layers_against_torch) {
    nn_layer_checks::batch_norm3<float>();
    nn_layer_checks::layer_norm2<float>();
}

// The float records no case here read are those loss_test and
// activation_test check: loss_test's in_float cases at reduction mean
// (bce_with_logits.both and cross_entropy.labels.plain, at batches 3 and 6)
// and activation_test's 18.
BOOST_AUTO_TEST_CASE(records_left_to_the_other_tests) {
    std::size_t left = 0;
    for (const auto* file : {&cases(), &activation_cases()})
        for (const auto& [id, r] : *file)
            if (id.ends_with(".f32") && !nnref::read_ids().contains(id)) {
                ++left;
                BOOST_TEST_MESSAGE("left to loss_test or activation_test: " << id);
            }
    BOOST_TEST_MESSAGE(nnref::read_ids().size() << " float records read here, " << left << " left");
    BOOST_TEST(left == 4u + 18u);
}
