#pragma once
// lz::train: data sets and mini-batches, fit with callbacks, evaluate and
// predict, checkpoints (doc/reference/train.md); metrics
// (doc/reference/metrics.md); splits and preprocessing
// (doc/reference/preprocess.md).

#include <leibniz/train/callbacks.hpp>
#include <leibniz/train/checkpoint.hpp>
#include <leibniz/train/dataset.hpp>
#include <leibniz/train/fit.hpp>
#include <leibniz/train/metrics.hpp>
#include <leibniz/train/preprocess.hpp>
#include <leibniz/train/split.hpp>
