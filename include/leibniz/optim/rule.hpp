#pragma once
// What an update rule of lz::optim::optimizer is (a policy class):
//
//   template <class T = float> struct my_rule {
//       using scalar_type = T;
//       using default_decay = decay::coupled;         // or decay::decoupled
//       struct options { double lr = ...; double weight_decay = 0; bool maximize = false; ... };
//       static constexpr std::array<std::string_view, K> buffers{"name", ...};  // state laid out like the store
//       static void validate(const options&);           // throws std::invalid_argument
//       static T initial(const options&, std::size_t k); // buffer k's first value (0 for most)
//       template <class Pre>                             // one step over a run of the store:
//       static void update(const options&, std::int64_t t, T* p, const T* g, std::size_t n,
//                          T* const* state, Pre&& pre);
//   };
//
// update() sweeps p and g once (loop::sweep) and calls `pre(p, g, i)` on each
// batch first: the host's clipping, maximize and weight decay, which return
// the gradient the rule uses (and may scale p: decoupled decay). t counts the
// steps from 1, as torch.optim's state["step"]. Optional: set_momentum(options&,
// double) for schedules that cycle the momentum (one_cycle); uses(const
// options&, k), whether buffer k is needed (else it is not allocated, and its
// pointer in `state` is null).
// doc/reference/optim.md writes a new rule in 20 lines.

#include <leibniz/optim/decay.hpp>
#include <leibniz/optim/sweep.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace leibniz::optim::detail {

inline void require(bool ok, std::string_view rule, const std::string& what) {
    if (!ok) throw std::invalid_argument("leibniz::optim::" + std::string(rule) + ": " + what);
}
inline std::string text(double x) { return std::to_string(x); }

}  // namespace leibniz::optim::detail
