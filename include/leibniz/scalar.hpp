#pragma once
// The scalar library only: expressions, derivatives and every scalar op,
// without the tensor layer and xsimd (which add about 2 s to each translation
// unit that includes them). <leibniz/leibniz.hpp> includes everything.

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
