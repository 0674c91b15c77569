#pragma once
// Everything of lz::optim (doc/reference/optim.md): the host, the update
// rules, the schedules, clipping and weight decay, and the full-batch methods
// (line searches, Newton, L-BFGS).
#include <leibniz/optim/adagrad.hpp>
#include <leibniz/optim/adam.hpp>
#include <leibniz/optim/clip.hpp>
#include <leibniz/optim/decay.hpp>
#include <leibniz/optim/delta_bar_delta.hpp>
#include <leibniz/optim/lbfgs.hpp>
#include <leibniz/optim/line_search.hpp>
#include <leibniz/optim/nesterov.hpp>
#include <leibniz/optim/newton.hpp>
#include <leibniz/optim/optimizer.hpp>
#include <leibniz/optim/rmsprop.hpp>
#include <leibniz/optim/schedule.hpp>
#include <leibniz/optim/sgd.hpp>
