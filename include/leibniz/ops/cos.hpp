#pragma once
// cos(a).  d/da = −sin(a). Defined in sin.hpp beside sin_op: each op is the
// other's derivative, so they share one header.

#include <leibniz/ops/sin.hpp>
