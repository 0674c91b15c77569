// The MNIST recipe (mnist.hpp) in LibTorch 1.13's C++ frontend, as its
// tutorials write it: torch::nn::Sequential(Linear, ReLU, Linear),
// torch::nn::functional::cross_entropy on int64 labels, loss.backward(),
// torch::optim::Adam (lr 1e-3, defaults otherwise) with zero_grad(); the
// evaluation under torch::NoGradGuard. One thread (torch::set_num_threads(1)).
// Each step wraps the caller's rows with torch::from_blob (no copy) and
// converts the 64 labels to int64, as a loader of int32 labels would.

#include "mnist.hpp"

#include <torch/torch.h>

#include <stdexcept>

namespace mnist {
namespace {

class torch_trainer final : public trainer {
public:
    explicit torch_trainer(const std::vector<float>& initial)
        : model_(torch::nn::Linear(inputs, hidden), torch::nn::ReLU(), torch::nn::Linear(hidden, classes)) {
        torch::set_num_threads(1);
        {
            torch::NoGradGuard no_grad;
            if (initial.size() != parameter_count) throw std::logic_error("mnist/torch: parameter count differs");
            const float* p = initial.data();
            for (auto* l : linears()) {
                const auto in = l->weight.size(1), out = l->weight.size(0);
                l->weight.copy_(torch::from_blob(const_cast<float*>(p), {in, out}, torch::kFloat).t());
                p += in * out;
                l->bias.copy_(torch::from_blob(const_cast<float*>(p), {out}, torch::kFloat));
                p += out;
            }
        }
        optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(), torch::optim::AdamOptions(lr));
    }

    float step(const float* xs, const std::int32_t* ys, int n) override {
        const auto x = torch::from_blob(const_cast<float*>(xs), {n, inputs}, torch::kFloat);
        const auto y = torch::from_blob(const_cast<std::int32_t*>(ys), {n}, torch::kInt).to(torch::kLong);
        optimizer_->zero_grad();
        const auto loss = torch::nn::functional::cross_entropy(model_->forward(x), y);
        loss.backward();
        optimizer_->step();
        return loss.item<float>();
    }

    int correct(const float* xs, const std::int32_t* ys, int n) override {
        torch::NoGradGuard no_grad;
        const auto x = torch::from_blob(const_cast<float*>(xs), {n, inputs}, torch::kFloat);
        const auto y = torch::from_blob(const_cast<std::int32_t*>(ys), {n}, torch::kInt).to(torch::kLong);
        return int(model_->forward(x).argmax(1).eq(y).sum().item<std::int64_t>());
    }

    [[nodiscard]] std::vector<float> parameters() const override {
        std::vector<float> r;
        for (auto* l : const_cast<torch_trainer*>(this)->linears()) {
            const auto wt = l->weight.detach().t().contiguous();  // [in, out]
            r.insert(r.end(), wt.data_ptr<float>(), wt.data_ptr<float>() + wt.numel());
            const auto b = l->bias.detach().contiguous();
            r.insert(r.end(), b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
        }
        return r;
    }

private:
    std::vector<torch::nn::LinearImpl*> linears() {
        std::vector<torch::nn::LinearImpl*> r;
        for (const auto& m : model_->children())
            if (auto* l = dynamic_cast<torch::nn::LinearImpl*>(m.get())) r.push_back(l);
        return r;
    }

    torch::nn::Sequential model_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
};

}  // namespace

std::unique_ptr<trainer> make_torch(const std::vector<float>& initial) {
    return std::make_unique<torch_trainer>(initial);
}

}  // namespace mnist
