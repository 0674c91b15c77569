// The MNIST recipe (mnist.hpp) written by hand with Eigen 3.4: dynamic
// row-major matrices (the data's layout), a forward pass that keeps what the
// backward pass reads, an explicit backward pass (softmax − onehot for the
// cross-entropy, a select for relu), and Adam written out with PyTorch 1.13's
// formula (torch.optim.Adam, single-tensor form). The parameters, gradients
// and Adam's state are flat buffers in mnist.hpp's layout, seen through
// Eigen::Map; every buffer is allocated once (at the first step of a size).

#include "mnist.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <stdexcept>

namespace mnist {
namespace {

using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using row = Eigen::Matrix<float, 1, Eigen::Dynamic>;
using matrix_map = Eigen::Map<matrix>;
using row_map = Eigen::Map<row>;

// W1, b1, W2, b2 viewed in a flat buffer of mnist.hpp's layout.
struct views {
    matrix_map W1, W2;
    row_map b1, b2;
    explicit views(float* p)
        : W1(p, inputs, hidden),
          W2(p + inputs * hidden + hidden, hidden, classes),
          b1(p + inputs * hidden, hidden),
          b2(p + inputs * hidden + hidden + hidden * classes, classes) {}
};

class eigen_trainer final : public trainer {
public:
    explicit eigen_trainer(const std::vector<float>& initial)
        : theta_(initial), grad_(parameter_count), m_(parameter_count, 0.0f), v_(parameter_count, 0.0f),
          p_(theta_.data()), g_(grad_.data()) {
        if (initial.size() != parameter_count) throw std::logic_error("mnist/eigen: parameter count differs");
    }

    float step(const float* xs, const std::int32_t* ys, int n) override {
        const Eigen::Map<const matrix> X(xs, n, inputs);
        forward(X);
        // softmax cross-entropy, mean over the batch; P becomes dL/dZ2 = (softmax − onehot)/n
        float loss = 0;
        const float inv_n = 1.0f / float(n);
        for (int r = 0; r < n; ++r) {
            const float m = Z2_.row(r).maxCoeff();
            P_.row(r) = (Z2_.row(r).array() - m).exp().matrix();
            const float s = P_.row(r).sum();
            loss += std::log(s) + m - Z2_(r, ys[r]);
            P_.row(r) *= inv_n / s;
            P_(r, ys[r]) -= inv_n;
        }
        // backward
        g_.W2.noalias() = H_.transpose() * P_;
        g_.b2.noalias() = P_.colwise().sum();
        dH_.noalias() = P_ * p_.W2.transpose();
        dH_ = (Z1_.array() > 0.0f).select(dH_, 0.0f);
        g_.W1.noalias() = X.transpose() * dH_;
        g_.b1.noalias() = dH_.colwise().sum();
        adam();
        return loss * inv_n;
    }

    int correct(const float* xs, const std::int32_t* ys, int n) override {
        const Eigen::Map<const matrix> X(xs, n, inputs);
        forward(X);
        int right = 0;
        for (int r = 0; r < n; ++r) {
            Eigen::Index best = 0;
            Z2_.row(r).maxCoeff(&best);
            right += best == ys[r];
        }
        return right;
    }

    [[nodiscard]] std::vector<float> parameters() const override { return theta_; }

private:
    void forward(const Eigen::Map<const matrix>& X) {
        const auto n = X.rows();
        if (Z1_.rows() != n) {  // once per batch size
            Z1_.resize(n, hidden), H_.resize(n, hidden), dH_.resize(n, hidden);
            Z2_.resize(n, classes), P_.resize(n, classes);
        }
        Z1_.noalias() = X * p_.W1;
        Z1_.rowwise() += p_.b1;
        H_ = Z1_.cwiseMax(0.0f);
        Z2_.noalias() = H_ * p_.W2;
        Z2_.rowwise() += p_.b2;
    }

    // torch.optim.Adam (1.13, foreach=False): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
    // θ ← θ − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε). Bias corrections in double, as Python floats.
    void adam() {
        constexpr float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        ++t_;
        const double bc1 = 1.0 - std::pow(0.9, double(t_)), bc2 = 1.0 - std::pow(0.999, double(t_));
        const float step_size = float(lr / bc1), bc2_sqrt = float(std::sqrt(bc2));
        // Eigen's arrays, so that the loop is vectorized with Eigen's packet sqrt (a plain
        // loop calling std::sqrt stays scalar without -fno-math-errno: 4x slower here).
        using array = Eigen::Map<Eigen::ArrayXf>;
        const auto n = Eigen::Index(parameter_count);
        array th(theta_.data(), n), m(m_.data(), n), v(v_.data(), n);
        const Eigen::Map<const Eigen::ArrayXf> g(grad_.data(), n);
        m = beta1 * m + (1.0f - beta1) * g;
        v = beta2 * v + (1.0f - beta2) * g.square();
        th -= step_size * m / (v.sqrt() / bc2_sqrt + eps);
    }

    std::vector<float> theta_, grad_, m_, v_;
    views p_, g_;
    matrix Z1_, H_, dH_, Z2_, P_;
    long t_ = 0;
};

}  // namespace

std::unique_ptr<trainer> make_eigen(const std::vector<float>& initial) {
    return std::make_unique<eigen_trainer>(initial);
}

}  // namespace mnist
