#pragma once
// Every scalar operation, one header each.

#include <leibniz/ops/abs.hpp>
#include <leibniz/ops/add.hpp>
#include <leibniz/ops/cos.hpp>
#include <leibniz/ops/div.hpp>
#include <leibniz/ops/exp.hpp>
#include <leibniz/ops/expm1.hpp>
#include <leibniz/ops/hard_tanh.hpp>
#include <leibniz/ops/leaky_relu.hpp>
#include <leibniz/ops/log.hpp>
#include <leibniz/ops/log1p.hpp>
#include <leibniz/ops/max.hpp>
#include <leibniz/ops/min.hpp>
#include <leibniz/ops/mul.hpp>
#include <leibniz/ops/neg.hpp>
#include <leibniz/ops/pow.hpp>
#include <leibniz/ops/relu.hpp>
#include <leibniz/ops/sigmoid.hpp>
#include <leibniz/ops/simplify.hpp>
#include <leibniz/ops/sin.hpp>
#include <leibniz/ops/softplus.hpp>
#include <leibniz/ops/sqrt.hpp>
#include <leibniz/ops/sub.hpp>
#include <leibniz/ops/tan.hpp>
#include <leibniz/ops/tanh.hpp>
