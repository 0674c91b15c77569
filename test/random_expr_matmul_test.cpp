// Randomized differential test against PyTorch, group 'matmul': matmul
// chains (matrix-matrix and matrix-vector), transposes, dot products and
// elementwise layers between the products.
// The expressions are in random/matmul.inc and torch's float64 values,
// gradients and Hessian-vector products in random/random_ref.txt, both written
// by ref/make_random_ref.py; what is checked, and how, is in
// random/random_check.hpp.
#define BOOST_TEST_MODULE random_expr_matmul
#include "random/random_check.hpp"

#include "random/matmul.inc"

BOOST_AUTO_TEST_CASE(matmul_expressions_match_torch) {
    random_matmul::for_each_expression([](std::string_view id, std::string_view text, auto f, auto leaves, auto hvp) {
        lzr::check(id, text, f, leaves, hvp);
    });
    lzr::print_stats("matmul");
}
