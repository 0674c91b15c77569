#pragma once
// Weight-decay policies of lz::optim::optimizer: where the rule's
// `weight_decay` option λ acts.
//
//   decay::coupled     g ← g + λθ before the update (L2 in the gradient):
//                      torch.optim's SGD, Adam, RMSprop, Adagrad
//   decay::decoupled   θ ← θ·(1 − γλ) before the update, γ the scheduled lr:
//                      torch.optim.AdamW (Loshchilov & Hutter)
//
// Both run inside the step's one pass. With λ = 0 both leave every finite
// value unchanged bit for bit (g + 0·θ = g, θ·1 = θ).

#include <cstddef>

namespace leibniz::optim::decay {

struct coupled {
    static constexpr bool is_decoupled = false;
};

struct decoupled {
    static constexpr bool is_decoupled = true;
};

}  // namespace leibniz::optim::decay
