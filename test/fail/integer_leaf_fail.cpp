// Diagnostics of integer leaves (labels, indices). Each test defines one
// FAIL_* macro (leibniz_compile_fail(... CASE FAIL_*)), and its one error must
// be ours, first, with g++ and clang++:
//   FAIL_WRT          lz::grad(loss, lz::wrt(logits, y), env) with y an integer leaf
//                     "leibniz::grad: an integer leaf (labels, indices) has no gradient"
//                     (the leaf is the template argument of report_integer_leaf_in_wrt)
//   FAIL_ELEMENTWISE  y + 1_c: an integer leaf in an elementwise op
//                     "leibniz: an integer leaf (labels, indices) feeds only ops that take indices"
//                     (the op and the operand's position are the template arguments of check_integer_operand)
//   FAIL_FLOAT_INDEX  lz::pick(logits, t) with t a float leaf
//                     "leibniz: an op takes indices here: this operand must be an integer leaf"
//   FAIL_PICK_SHAPE   lz::pick(logits [N, 10], labels [N, 1])
//                     "leibniz::pick: the indices must have x's shape without axis K"
//   FAIL_PARAM        lz::param<"k", std::int32_t>: a parameter is trained by its gradient
//                     "leibniz::param: a parameter is trained by its gradient, and an integer leaf has none"
//   FAIL_BUFFER_WRT   lz::grad(loss, buffers, env): a buffer leaf (running statistics), the other
//                     leaf without a gradient
//                     "leibniz::grad: a buffer leaf (lz::buffer: non-trainable state ...) has no gradient"
// The twin (-DLEIBNIZ_TWIN, no FAIL_* macro) writes each the way that compiles
// (labels [N, 1] go to lz::gather, as with torch.gather).
#include <leibniz/leibniz.hpp>

#include <cstdint>
#include <vector>

namespace lz = leibniz;
using namespace lz::literals;

constexpr auto logits = lz::var<"logits", float, lz::shape<lz::dyn, 10>>;
constexpr auto y = lz::var<"y", std::int32_t, lz::shape<lz::dyn>>;
constexpr auto t = lz::var<"t", float, lz::shape<lz::dyn>>;
constexpr auto y2 = lz::var<"y2", std::int32_t, lz::shape<lz::dyn, 1>>;

float loss(const lz::tensor<float, lz::shape<lz::dyn, 10>>& ls, const std::vector<std::int32_t>& ys,
           [[maybe_unused]] const std::vector<float>& ts) {
    const auto env = lz::at(logits = ls, y = ys);
    constexpr auto ce = lz::mean(lz::logsumexp(logits, lz::axis<1>) - lz::pick(logits, y));
#if defined(FAIL_WRT)
    auto [dl, dy] = lz::grad(ce, lz::wrt(logits, y), env);
    return dl(0, 0) + dy(0);
#elif defined(FAIL_ELEMENTWISE)
    return lz::eval(lz::mean(lz::pick(logits, y) * (y + 1_c)), env);
#elif defined(FAIL_FLOAT_INDEX)
    return lz::eval(lz::mean(lz::pick(logits, t)), lz::at(logits = ls, t = ts));
#elif defined(FAIL_PICK_SHAPE)
    const std::vector<std::int32_t>& ys2 = ys;
    return lz::eval(lz::mean(lz::pick(logits, y2)), lz::at(logits = ls, y2 = ys2));
#elif defined(FAIL_BUFFER_WRT)
    constexpr auto mu = lz::buffer<"mu", float, lz::shape<10>>;
    constexpr auto centred = lz::mean(logits - mu);
    lz::buffers bufs{centred};
    lz::workspace ws{centred};
    return lz::grad(centred, bufs, lz::at(bufs, logits = ls), ws)[mu](0);
#elif defined(FAIL_PARAM)
    constexpr auto k = lz::param<"k", std::int32_t, lz::shape<lz::dyn>>;
    return lz::eval(lz::mean(lz::pick(logits, k)), lz::at(logits = ls, k = ys));
#else
    auto [dl] = lz::grad(ce, lz::wrt(logits), env);
    const float hot = lz::eval(lz::mean(lz::pick(logits, y) * lz::sum(lz::one_hot<10>(y) * logits, lz::axis<1>)), env);
    const float picked = lz::eval(lz::mean(lz::gather(logits, lz::axis<1>, y2)), lz::at(logits = ls, y2 = ys));
    (void)t;
    constexpr auto mu = lz::buffer<"mu", float, lz::shape<10>>;
    constexpr auto w = lz::param<"w", float, lz::shape<10>>;
    constexpr auto centred = lz::mean((logits - mu) * w);
    lz::parameters params{centred};
    lz::buffers bufs{centred};
    const auto g = lz::grad(centred, params, lz::at(params, bufs, logits = ls));
    return dl(0, 0) + hot + picked + g.flat()[0];
#endif
}
