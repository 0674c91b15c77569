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

// LEIBNIZ_CONTRACT: at the start of the scalar rules of *, + and −. The
// expression w·x + b is one source expression to its author, and a
// hand-written `w * x + b` compiles to one FMA with either compiler (clang
// contracts within an expression, g++ across statements). The engine
// evaluates the product and the sum in two steps, which clang (contracting
// only within an expression) kept apart: its net gradient ran 1.19× the
// hand-written one. With the pragma, clang may fuse them as g++ already
// does; the result is a·b + c rounded once, as in the hand-written code.
#ifndef LEIBNIZ_CONTRACT
#if defined(__clang__)
#define LEIBNIZ_CONTRACT _Pragma("clang fp contract(fast)")
#else
#define LEIBNIZ_CONTRACT
#endif
#endif
