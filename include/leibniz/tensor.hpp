#pragma once
// The tensor layer: tensors and views, binding them to leaves, the fused
// SIMD sweeps, the workspace, forward mode (jvp, hvp, hessian), and the
// tensor operations.

#include <leibniz/core/assign.hpp>
#include <leibniz/core/bind_tensor.hpp>
#include <leibniz/core/explain.hpp>
#include <leibniz/core/forward.hpp>
#include <leibniz/core/simd.hpp>
#include <leibniz/core/sweep.hpp>
#include <leibniz/tensor/tensor.hpp>
#include <leibniz/core/workspace.hpp>

#include <leibniz/ops/bernoulli.hpp>
#include <leibniz/ops/concat.hpp>
#include <leibniz/ops/dot.hpp>
#include <leibniz/ops/gather.hpp>
#include <leibniz/ops/log_softmax.hpp>
#include <leibniz/ops/logsumexp.hpp>
#include <leibniz/ops/matmul.hpp>
#include <leibniz/ops/mean.hpp>
#include <leibniz/ops/one_hot.hpp>
#include <leibniz/ops/reduce_max.hpp>
#include <leibniz/ops/reduce_min.hpp>
#include <leibniz/ops/reshape.hpp>
#include <leibniz/ops/softmax.hpp>
#include <leibniz/ops/sum.hpp>
#include <leibniz/ops/transpose.hpp>
