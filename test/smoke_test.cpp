// Smoke test of the test harness itself: Boost.Test links and runs, and the
// version header is reachable through leibniz::leibniz.
#define BOOST_TEST_MODULE smoke
#include <boost/test/unit_test.hpp>

#include <leibniz/version.hpp>

BOOST_AUTO_TEST_CASE(version_is_0_1_0) {
  BOOST_TEST(leibniz::version_major == 0);
  BOOST_TEST(leibniz::version_minor == 1);
  BOOST_TEST(leibniz::version_patch == 0);
  BOOST_TEST(leibniz::version == LEIBNIZ_VERSION);
}
