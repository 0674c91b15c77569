#pragma once
// The tensor layer: tensors and views, binding them to leaves, the fused
// SIMD sweeps and the workspace.

#include <leibniz/tensor/bind.hpp>
#include <leibniz/tensor/simd.hpp>
#include <leibniz/tensor/sweep.hpp>
#include <leibniz/tensor/tensor.hpp>
#include <leibniz/tensor/workspace.hpp>
