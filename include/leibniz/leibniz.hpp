#pragma once
// leibniz: networks and losses as expression templates, differentiated at
// compile time. `namespace lz = leibniz;`
// Everything: the scalar library (<leibniz/scalar.hpp>), the tensor layer and
// the losses (<leibniz/loss/losses.hpp>).

#include <leibniz/scalar.hpp>
#include <leibniz/tensor.hpp>
#include <leibniz/loss/losses.hpp>
#include <leibniz/nn/nn.hpp>
