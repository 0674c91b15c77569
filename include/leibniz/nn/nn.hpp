#pragma once
// lz::nn: layers, sequential, modes, initializers (doc/reference/nn.md).

#include <leibniz/nn/activation.hpp>
#include <leibniz/nn/batch_norm.hpp>
#include <leibniz/nn/dense.hpp>
#include <leibniz/nn/dropout.hpp>
#include <leibniz/nn/flatten.hpp>
#include <leibniz/nn/init.hpp>
#include <leibniz/nn/layer.hpp>
#include <leibniz/nn/layer_norm.hpp>
#include <leibniz/nn/sequential.hpp>
#include <leibniz/nn/torch_layout.hpp>
