#pragma once
// leibniz: networks and losses as expression templates, differentiated at
// compile time. `namespace lz = leibniz;`

#include <leibniz/version.hpp>

#include <leibniz/core/bind.hpp>
#include <leibniz/core/dual.hpp>
#include <leibniz/core/eval.hpp>
#include <leibniz/core/explain.hpp>
#include <leibniz/core/expr.hpp>
#include <leibniz/core/forward.hpp>
#include <leibniz/core/graph.hpp>
#include <leibniz/core/print.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/core/symbolic.hpp>

#include <leibniz/ops.hpp>
