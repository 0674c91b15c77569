#pragma once
// leibniz: networks and losses as expression templates, differentiated at
// compile time. `namespace lz = leibniz;`
// The scalar library (<leibniz/scalar.hpp>), the tensor layer, the losses
// (<leibniz/loss/losses.hpp>) and the layers (<leibniz/nn/nn.hpp>). The
// optimizers (<leibniz/optim/optim.hpp>) and the file formats (<leibniz/io/...>)
// are included on their own.

#include <leibniz/scalar.hpp>
#include <leibniz/tensor.hpp>
#include <leibniz/loss/losses.hpp>
#include <leibniz/nn/nn.hpp>
