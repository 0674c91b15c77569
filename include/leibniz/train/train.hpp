#pragma once
// lz::train: data sets and mini-batches, fit with callbacks, evaluate and
// predict, checkpoints (doc/reference/train.md).

#include <leibniz/train/callbacks.hpp>
#include <leibniz/train/checkpoint.hpp>
#include <leibniz/train/dataset.hpp>
#include <leibniz/train/fit.hpp>
