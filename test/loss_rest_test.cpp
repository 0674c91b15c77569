// The records of test/nn/nn_losses.txt that loss_test leaves out, in double:
// loss_test.cpp compiled again with LEIBNIZ_LOSS_TEST_REST (its header says
// which). Two tests, so that each stays within the compile budget of one;
// this one is built in the optimised (g++) configuration only (test/CMakeLists.txt).
#define LEIBNIZ_LOSS_TEST_REST
#include "loss_test.cpp"
