// Randomized differential test against PyTorch, group 'reductions': sum,
// mean, max, min and logsumexp, of everything and along an axis of a rank 2
// or 3 operand, reduced values used twice, softmax and log_softmax.
// The expressions are in random/reductions.inc and torch's float64 values,
// gradients and Hessian-vector products in random/random_ref.txt, both written
// by ref/make_random_ref.py; what is checked, and how, is in
// random/random_check.hpp.
#define BOOST_TEST_MODULE random_expr_reductions
#include "random/random_check.hpp"

#include "random/reductions.inc"

BOOST_AUTO_TEST_CASE(reductions_expressions_match_torch) {
    random_reductions::for_each_expression([](std::string_view id, std::string_view text, auto f, auto leaves, auto hvp) {
        lzr::check(id, text, f, leaves, hvp);
    });
    lzr::print_stats("reductions");
}
