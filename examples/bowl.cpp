// The notes' elliptical bowl (seed notes 001, "Momentum-Based Optimization
// Techniques"): L = x² + 4y², where plain gradient descent zigzags across the
// steep y direction. Every method starts at (−4, 1.5); the program prints the
// steps each needs to reach L < 1e-6 (the notes' exercise) and writes
// bowl.svg: the contours, the first 60 points of each path, a legend.
//
//   gradient descent      θ ← θ − α∇L                         (α = 0.24: just under 2/8, the zigzag)
//   momentum              v ← βv − α∇L; θ ← θ + v             (the notes' form: sgd, form = velocity)
//   Nesterov              the gradient at θ + βv               (the notes' look-ahead: nesterov_lookahead)
//   AdaGrad, RMSprop, Adam  torch.optim's rules
//   Newton                θ ← θ − H⁻¹∇L with lz::hessian      (one step on a quadratic)
//
// Exits with status 1 unless every method reaches L < 1e-6 and Newton does in one step.

#include <leibniz/leibniz.hpp>
#include <leibniz/optim/optim.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace lz = leibniz;
namespace opt = lz::optim;
using namespace lz::literals;

namespace {
constexpr auto x = lz::param<"x", double>;
constexpr auto y = lz::param<"y", double>;
constexpr auto L = x * x + 4_c * y * y;
using store_t = decltype(lz::parameters{L});
constexpr double x0 = -4.0, y0 = 1.5, goal = 1e-6;
constexpr int max_steps = 5000, drawn = 60;

struct path {
    std::string name, colour;
    std::vector<std::pair<double, double>> points;
    int steps = -1;  // to L < goal
};

// Runs `step(params)` from the start until L < goal: the path and the step count.
template <class Step>
path run(const char* name, const char* colour, Step&& step) {
    path p{name, colour, {}, -1};
    store_t params{L};
    params[x] = x0;
    params[y] = y0;
    p.points.emplace_back(x0, y0);
    for (int t = 1; t <= max_steps; ++t) {
        step(params);
        if (t <= drawn) p.points.emplace_back(params[x], params[y]);
        if (params[x] * params[x] + 4 * params[y] * params[y] < goal) {
            p.steps = t;
            break;
        }
    }
    return p;
}

void write_svg(const char* file, const std::vector<path>& paths) {
    // x ∈ [−5, 5], y ∈ [−2.5, 2.5] on a 600 × 300 plot, y up.
    auto px = [](double v) { return 20 + (v + 5) * 60; };
    auto py = [](double v) { return 20 + (2.5 - v) * 60; };
    std::ofstream out(file);
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"340\" font-family=\"sans-serif\" "
           "font-size=\"13\">\n<rect width=\"860\" height=\"340\" fill=\"white\"/>\n"
           "<clipPath id=\"plot\"><rect x=\"20\" y=\"20\" width=\"600\" height=\"300\"/></clipPath>\n"
           "<g clip-path=\"url(#plot)\">\n";
    for (double c : {0.25, 1.0, 2.25, 4.0, 6.25, 9.0, 12.25, 16.0, 20.25, 25.0})  // L = c: x²/c + y²/(c/4) = 1
        out << "<ellipse cx=\"" << px(0) << "\" cy=\"" << py(0) << "\" rx=\"" << std::sqrt(c) * 60 << "\" ry=\""
            << std::sqrt(c / 4) * 60 << "\" fill=\"none\" stroke=\"#ccc\"/>\n";
    out << "</g>\n<rect x=\"20\" y=\"20\" width=\"600\" height=\"300\" fill=\"none\" stroke=\"#888\"/>\n";
    out << "<text x=\"" << px(0) + 6 << "\" y=\"" << py(-2.2) << "\" fill=\"#888\">x = 0</text>\n"
        << "<line x1=\"" << px(0) << "\" y1=\"" << py(-2.5) << "\" x2=\"" << px(0) << "\" y2=\"" << py(2.5)
        << "\" stroke=\"#ddd\" stroke-dasharray=\"4 4\"/>\n"
        << "<line x1=\"" << px(-5) << "\" y1=\"" << py(0) << "\" x2=\"" << px(5) << "\" y2=\"" << py(0)
        << "\" stroke=\"#ddd\" stroke-dasharray=\"4 4\"/>\n";
    for (const auto& p : paths) {
        out << "<polyline fill=\"none\" stroke=\"" << p.colour << "\" stroke-width=\"1.6\" points=\"";
        for (const auto& [a, b] : p.points) out << px(a) << ',' << py(b) << ' ';
        out << "\"/>\n";
    }
    out << "<circle cx=\"" << px(x0) << "\" cy=\"" << py(y0) << "\" r=\"4\" fill=\"black\"/>\n";
    out << "<text x=\"" << px(x0) - 8 << "\" y=\"" << py(y0) - 10 << "\">start</text>\n";
    double ly = 76;
    out << "<text x=\"640\" y=\"36\" font-weight=\"bold\">L = x² + 4y² from (−4, 1.5)</text>\n"
        << "<text x=\"640\" y=\"54\">(steps to L &lt; 1e-6; first " << drawn << " drawn)</text>\n";
    for (const auto& p : paths) {
        out << "<line x1=\"640\" y1=\"" << ly << "\" x2=\"665\" y2=\"" << ly << "\" stroke=\"" << p.colour
            << "\" stroke-width=\"3\"/>\n<text x=\"672\" y=\"" << ly + 4 << "\">" << p.name << " (" << p.steps
            << ")</text>\n";
        ly += 22;
    }
    out << "</svg>\n";
}
}  // namespace

int main(int argc, char** argv) {
    lz::workspace ws{L};
    std::vector<path> paths;
    auto gradient_step = [&](auto& o) {
        return [&](store_t& params) { o.step(params, lz::grad(L, params, lz::at(params), ws)); };
    };
    store_t shape{L};  // the optimizers' layout
    opt::optimizer<opt::sgd<double>> gd{shape, {.lr = 0.24}};
    paths.push_back(run("gradient descent", "#d62728", gradient_step(gd)));
    opt::optimizer<opt::sgd<double>> momentum{
        shape, {.lr = 0.05, .momentum = 0.8, .form = opt::momentum_form::velocity}};
    paths.push_back(run("momentum", "#1f77b4", gradient_step(momentum)));
    opt::optimizer<opt::nesterov_lookahead<double>> nesterov{shape, {.lr = 0.05, .momentum = 0.8}};
    paths.push_back(run("Nesterov", "#17becf", [&](store_t& params) {
        const auto env = lz::at(params);
        nesterov.step(params, L, env, ws);
    }));
    opt::optimizer<opt::adagrad<double>> adagrad{shape, {.lr = 1.0}};
    paths.push_back(run("AdaGrad", "#2ca02c", gradient_step(adagrad)));
    opt::optimizer<opt::rmsprop<double>> rmsprop{shape, {.lr = 0.05}};
    paths.push_back(run("RMSprop", "#9467bd", gradient_step(rmsprop)));
    opt::optimizer<opt::adam<double>> adam{shape, {.lr = 0.3}};
    paths.push_back(run("Adam", "#ff7f0e", gradient_step(adam)));
    paths.push_back(run("Newton", "#000000", [&](store_t& params) { opt::newton_step(params, L, lz::at(params)); }));

    bool ok = true;
    for (const auto& p : paths) {
        if (p.steps > 0)
            std::printf("%-17s %4d steps to L < 1e-6\n", p.name.c_str(), p.steps);
        else
            std::printf("%-17s did not reach L < 1e-6 in %d steps\n", p.name.c_str(), max_steps);
        ok = ok && p.steps > 0;
    }
    ok = ok && paths.back().steps == 1;
    const char* file = argc > 1 ? argv[1] : "bowl.svg";
    write_svg(file, paths);
    std::printf("wrote %s\n", file);
    return ok ? 0 : 1;
}
