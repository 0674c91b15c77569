#pragma once
// The activations as layers (no parameters): lz::nn::relu is the layer of
// lz::relu. PyTorch: nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Softplus(),
// nn.LeakyReLU(s) (here lz::nn::leaky_relu or lz::nn::leaky_relu(0.2_c)),
// nn.Hardtanh(), nn.Softmax(dim=-1), nn.LogSoftmax(dim=-1).
//
// Adding one is one line: the op's function as a stateless function object
// in a function_layer (nn/layer.hpp); any captureless lambda given to
// lz::nn::sequential is such a layer too.

#include <leibniz/nn/layer.hpp>
#include <leibniz/ops/hard_tanh.hpp>
#include <leibniz/ops/leaky_relu.hpp>
#include <leibniz/ops/log_softmax.hpp>
#include <leibniz/ops/relu.hpp>
#include <leibniz/ops/sigmoid.hpp>
#include <leibniz/ops/softmax.hpp>
#include <leibniz/ops/softplus.hpp>
#include <leibniz/ops/tanh.hpp>

namespace leibniz::nn {

namespace fn {
// The op's builder as a stateless function object.
struct relu { constexpr auto operator()(Expression auto x) const { return leibniz::relu(x); } };
struct tanh { constexpr auto operator()(Expression auto x) const { return leibniz::tanh(x); } };
struct sigmoid { constexpr auto operator()(Expression auto x) const { return leibniz::sigmoid(x); } };
struct softplus { constexpr auto operator()(Expression auto x) const { return leibniz::softplus(x); } };
struct hard_tanh { constexpr auto operator()(Expression auto x) const { return leibniz::hard_tanh(x); } };
struct softmax { constexpr auto operator()(Expression auto x) const { return leibniz::softmax(x); } };
struct log_softmax { constexpr auto operator()(Expression auto x) const { return leibniz::log_softmax(x); } };
struct leaky_relu { constexpr auto operator()(Expression auto x, Literal auto... slope) const { return leibniz::leaky_relu(x, slope...); } };
}  // namespace fn

inline constexpr function_layer<fn::relu> relu{};
inline constexpr function_layer<fn::tanh> tanh{};
inline constexpr function_layer<fn::sigmoid> sigmoid{};
inline constexpr function_layer<fn::softplus> softplus{};
inline constexpr function_layer<fn::leaky_relu> leaky_relu{};  // slope 0.01; leaky_relu(0.2_c) for another
inline constexpr function_layer<fn::hard_tanh> hard_tanh{};
inline constexpr function_layer<fn::softmax> softmax{};
inline constexpr function_layer<fn::log_softmax> log_softmax{};

}  // namespace leibniz::nn
