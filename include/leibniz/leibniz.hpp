#pragma once
// leibniz: networks and losses as expression templates, differentiated at
// compile time. `namespace lz = leibniz;`
// Everything: the scalar library (<leibniz/scalar.hpp>) and the tensor layer.

#include <leibniz/scalar.hpp>
#include <leibniz/tensor.hpp>

#include <leibniz/nn/nn.hpp>
