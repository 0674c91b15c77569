#pragma once
// Compiler attributes the sweeps need. Clang, unlike g++, leaves the sweeps'
// pack-expanding lambdas out of line, so a gradient's tapes end up in memory
// (zeroed, stored and reloaded): the chain benchmark ran 1.30× its
// hand-written twin on clang++ 14, 1.02× with these forced inline.
// The kernels (kernels/arch.hpp) use them too: see there for why.

// LEIBNIZ_NOINLINE: the steps of a large tensor graph's sweeps (core/sweep.hpp).
#ifndef LEIBNIZ_NOINLINE
#if defined(__GNUC__)
#define LEIBNIZ_NOINLINE __attribute__((noinline))
#else
#define LEIBNIZ_NOINLINE
#endif
#endif

#ifndef LEIBNIZ_ALWAYS_INLINE  // (a user may define both, e.g. empty)
#if defined(__GNUC__)
#define LEIBNIZ_ALWAYS_INLINE __attribute__((always_inline))
#define LEIBNIZ_FLATTEN __attribute__((flatten))
#else
#define LEIBNIZ_ALWAYS_INLINE
#define LEIBNIZ_FLATTEN
#endif
#endif
