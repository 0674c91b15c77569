// The workloads of peers.hpp in LibTorch 1.13 (Debian's libtorch-dev), as its
// C++ frontend is meant to be used: torch::nn::Sequential of Linear layers and
// activation modules, torch::mse_loss / torch::nn::functional::cross_entropy,
// loss.backward(), torch::optim::SGD; inference under torch::InferenceMode.
// One thread (torch::set_num_threads(1), in the constructor). Compiled as
// C++17 (these headers do not compile with clang in C++20).

#include "peers.hpp"

#include <torch/torch.h>

#include <benchmark/benchmark.h>

#include <stdexcept>

namespace peers {
namespace {

torch::nn::Sequential make_model(const workload& w) {
    torch::nn::Sequential model;
    for (std::size_t l = 0; l < w.layers(); ++l) {
        model->push_back(torch::nn::Linear(w.sizes[l], w.sizes[l + 1]));
        switch (l + 1 == w.layers() ? w.output : w.hidden) {
            case activation::sigmoid: model->push_back(torch::nn::Sigmoid()); break;
            case activation::tanh: model->push_back(torch::nn::Tanh()); break;
            case activation::relu: model->push_back(torch::nn::ReLU()); break;
            case activation::identity: break;
        }
    }
    return model;
}

// The Linear layers in order (their weight is [out, in]: ours transposed).
std::vector<torch::nn::Linear> linears(torch::nn::Sequential& model) {
    std::vector<torch::nn::Linear> r;
    for (const auto& m : model->children())
        if (auto l = std::dynamic_pointer_cast<torch::nn::LinearImpl>(m)) r.emplace_back(l);
    return r;
}

class torch_runner final : public runner {
public:
    torch_runner(const workload& w, const data& d) : w_(w), model_(make_model(w)) {
        torch::set_num_threads(1);
        {
            torch::NoGradGuard no_grad;
            const float* p = d.params.data();
            for (auto& l : linears(model_)) {
                const auto in = l->weight.size(1), out = l->weight.size(0);
                l->weight.copy_(torch::from_blob(const_cast<float*>(p), {in, out}, torch::kFloat).t());
                p += in * out;
                l->bias.copy_(torch::from_blob(const_cast<float*>(p), {out}, torch::kFloat));
                p += out;
            }
            if (p != d.params.data() + d.params.size()) throw std::logic_error("peers/torch: parameter count differs");
        }
        const int in = w.sizes.front(), out = w.sizes.back();
        x_ = torch::from_blob(const_cast<float*>(d.x.data()), {w.batch, in}, torch::kFloat).clone();
        if (w.loss == loss_kind::cross_entropy) {
            y_ = torch::from_blob(const_cast<float*>(d.y.data()), {w.batch, out}, torch::kFloat).argmax(1);
        } else {
            y_ = torch::from_blob(const_cast<float*>(d.y.data()), {w.batch, out}, torch::kFloat).clone();
        }
        if (w.train) optimizer_ = std::make_unique<torch::optim::SGD>(model_->parameters(), torch::optim::SGDOptions(w.lr));
    }

    void run() override {
        if (!w_.train) {
            torch::InferenceMode guard;
            out_ = model_->forward(x_);
            benchmark::DoNotOptimize(out_.data_ptr());
            benchmark::ClobberMemory();
            return;
        }
        optimizer_->zero_grad();
        const auto out = model_->forward(x_);
        loss_ = w_.loss == loss_kind::mse ? torch::mse_loss(out, y_) : torch::nn::functional::cross_entropy(out, y_);
        loss_.backward();
        optimizer_->step();
        benchmark::DoNotOptimize(loss_.data_ptr());
        benchmark::ClobberMemory();
    }
    [[nodiscard]] float loss() const override { return loss_.defined() ? loss_.item<float>() : 0.0f; }
    [[nodiscard]] std::vector<float> result() const override {
        std::vector<float> r;
        if (!w_.train) {
            const auto o = out_.contiguous();
            return {o.data_ptr<float>(), o.data_ptr<float>() + o.numel()};
        }
        for (auto& l : linears(const_cast<torch::nn::Sequential&>(model_))) {
            const auto wt = l->weight.detach().t().contiguous();  // [in, out]
            r.insert(r.end(), wt.data_ptr<float>(), wt.data_ptr<float>() + wt.numel());
            const auto b = l->bias.detach().contiguous();
            r.insert(r.end(), b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
        }
        return r;
    }

private:
    workload w_;
    torch::nn::Sequential model_;
    torch::Tensor x_, y_, loss_, out_;
    std::unique_ptr<torch::optim::SGD> optimizer_;
};

}  // namespace

std::unique_ptr<runner> make_torch(const workload& w, const data& d, variant v) {
    if (v != variant::dynamic) return nullptr;
    return std::make_unique<torch_runner>(w, d);
}

}  // namespace peers
