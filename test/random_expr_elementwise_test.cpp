// Randomized differential test against PyTorch, group 'elementwise': unary
// and binary elementwise ops with NumPy broadcasting ([3,4] with [4], [3,1]
// with [1,4], scalar leaves, literals), subexpressions used twice, and the
// piecewise ops (relu, abs, leaky_relu, hard_tanh, max/min of two
// expressions) away from their kinks.
// The expressions are in random/elementwise.inc and torch's float64 values,
// gradients and Hessian-vector products in random/random_ref.txt, both written
// by ref/make_random_ref.py; what is checked, and how, is in
// random/random_check.hpp.
#define BOOST_TEST_MODULE random_expr_elementwise
#include "random/random_check.hpp"

#include "random/elementwise.inc"

BOOST_AUTO_TEST_CASE(elementwise_expressions_match_torch) {
    random_elementwise::for_each_expression([](std::string_view id, std::string_view text, auto f, auto leaves, auto hvp) {
        lzr::check(id, text, f, leaves, hvp);
    });
    lzr::print_stats("elementwise");
}
