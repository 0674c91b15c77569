#define BOOST_TEST_MODULE nn_mlp
#include <boost/test/unit_test.hpp>
#include <leibniz/leibniz.hpp>
BOOST_AUTO_TEST_CASE(placeholder) {}
