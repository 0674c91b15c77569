// Compile-fail smoke test of the leibniz_compile_fail() machinery.
//
// Without LEIBNIZ_TWIN this must fail to compile with our message; with
// -DLEIBNIZ_TWIN (the "compiling twin", built by default) it must compile.
#include <leibniz/version.hpp>

#ifdef LEIBNIZ_TWIN
static_assert(leibniz::version_major >= 0, "leibniz: smoke compile-fail");
#else
static_assert(leibniz::version_major < 0, "leibniz: smoke compile-fail");
#endif
