#pragma once
// Every loss of lz::loss (doc/reference/loss.md).

#include <leibniz/loss/bce.hpp>
#include <leibniz/loss/cosine_embedding.hpp>
#include <leibniz/loss/cross_entropy.hpp>
#include <leibniz/loss/hinge.hpp>
#include <leibniz/loss/huber.hpp>
#include <leibniz/loss/kl_div.hpp>
#include <leibniz/loss/l1.hpp>
#include <leibniz/loss/mse.hpp>
#include <leibniz/loss/options.hpp>
#include <leibniz/loss/poisson_nll.hpp>
#include <leibniz/loss/softmax_cross_entropy.hpp>
