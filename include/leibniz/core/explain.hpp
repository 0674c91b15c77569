#pragma once
// explain(f, wrt(...), env): the forward and backward passes, step by step, in
// the notes' vocabulary — each node's value, each δ (the adjoint ∂f/∂node),
// each local derivative, and the sum wherever a node feeds several consumers
// (the multivariate chain rule). For an expression with tensors: each node's
// shape, which nodes run fused, and the rules the backward pass applies —
// δ(W1) [784×128] = xᵀ·δ(v1) — with the loss and each gradient's norm.
// to_dot(...) draws the same graph for Graphviz.
//
// One walk gathers a `walkthrough` (the data model); two renderers print it
// (explain_text, dot_text). The walk runs the ordinary sweeps, so it shows
// exactly what grad computes; it allocates and is meant for people, not loops.

#include <leibniz/core/print.hpp>
#include <leibniz/core/reverse.hpp>
#include <leibniz/core/workspace.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace leibniz {

namespace detail {

inline std::string number_text(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v + 0.0);  // + 0.0: −0 (a mask's adjoint) prints as 0
    return buffer;
}

// A number as a factor of a product: negatives in parentheses.
inline std::string factor_text(double v) {
    if (v >= 0) return number_text(v);
    std::string text = "(";  // appended, not "(" + ...: see rational_text (GCC bug 105329)
    text += number_text(v);
    text += ')';
    return text;
}

// Replaces the standalone letters a, b (operands) and y (the result) in an
// op's local-derivative text by names.
inline std::string substitute(std::string_view text, const std::vector<std::string>& operands,
                              const std::string& result) {
    auto is_word = [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        const bool alone = (i == 0 || !is_word(text[i - 1])) && (i + 1 == text.size() || !is_word(text[i + 1]));
        if (alone && ch == 'a' && !operands.empty())
            out += operands[0];
        else if (alone && ch == 'b' && operands.size() > 1)
            out += operands[1];
        else if (alone && ch == 'y')
            out += result;
        else
            out += ch;
    }
    return out;
}

template <class Op, std::size_t P>
std::string local_derivative_text() {
    if constexpr (requires { Op::local_derivative_text(); })  // text that depends on the op's parameters
        return Op::local_derivative_text();
    else if constexpr (requires { Op::local_derivative[P]; } && !std::is_convertible_v<decltype(Op::local_derivative), std::string_view>)
        return std::string(Op::local_derivative[P]);
    else
        return std::string(Op::local_derivative);
}

template <class Op, std::size_t P>
std::string vjp_formula_text() {
    if constexpr (requires { Op::vjp_formula[P]; } && !std::is_convertible_v<decltype(Op::vjp_formula), std::string_view>)
        return std::string(Op::vjp_formula[P]);
    else
        return std::string(Op::vjp_formula);
}

inline std::string shape_text(const std::size_t* e, std::size_t rank) {
    if (rank == 0) return "scalar";
    std::string s = "[";
    for (std::size_t i = 0; i < rank; ++i) s += (i ? "×" : "") + std::to_string(e[i]);
    return s + "]";
}

// Replaces δ by δ(node) and the operand letters by names.
inline std::string rule_text(std::string_view text, const std::vector<std::string>& operands, const std::string& node) {
    std::string out;
    const std::string delta = "δ";
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, delta.size(), delta) == 0) {
            out += "δ(" + node + ")";
            i += delta.size();
        } else {
            const std::size_t next = text.find(delta, i);
            const std::size_t end = next == std::string_view::npos ? text.size() : next;
            out += substitute(text.substr(i, end - i), operands, node);
            i = end;
        }
    }
    return out;
}

// ---------------------------------------------------------------- the data model

// One share of an operand's δ, passed down by one consumer.
struct contribution {
    std::size_t consumer;
    // A scalar graph: the local derivative ∂consumer/∂operand over names, its
    // value and δ(consumer)·local. A graph with tensors: the rule, e.g. xᵀ·δ(v1).
    std::string rule;
    double local = 0, amount = 0;
};

// Everything explain and to_dot print, for scalar and tensor expressions alike.
struct walkthrough {
    std::string formula;
    bool numbers = true;  // every node is a number: values and δ's are printed; else shapes and rules
    std::vector<std::string> name;      // v1, v2 ... for operations, f for the output; leaves by name
    std::vector<std::string> defining;  // an operation over its operands' names
    std::vector<std::string> shape;     // with the batch as bound ("scalar" for rank 0)
    std::vector<std::string> note;      // how the node runs (fused, one loop)
    std::vector<bool> is_leaf, is_literal, active, interior;  // interior: fused into its consumer's loop
    std::vector<std::vector<std::size_t>> operands;
    std::vector<double> value, adjoint;                // numbers: every node's
    std::vector<std::vector<contribution>> received;  // per node: what its δ is made of
    std::vector<std::size_t> wrt;                      // positions of the wrt leaves
    double result = 0;                                 // f
    std::vector<double> gradient_norm;                 // per wrt leaf
};

// ---------------------------------------------------------------- the walk

struct no_tapes {};  // a graph with tensors is described by its rules, not its numbers

// What operand P of node K receives: δ(K)·∂K/∂P with its numbers, or the rule.
template <class G, class Plan, class T, std::size_t K, std::size_t P, class Op, class... Args, class Tapes>
void describe_edge(walkthrough& w, const std::vector<std::string>& names, const Tapes& tapes) {
    using Node = node<Op, Args...>;
    using Arg = boost::mp11::mp_at_c<boost::mp11::mp_list<Args...>, P>;
    constexpr std::size_t c = G::template index_t<Arg>::value;
    if constexpr (Plan::active[c]) {
        contribution share{K, {}};
        if constexpr (!std::is_same_v<Tapes, no_tapes>) {
            const auto& [values, adjoints] = tapes;
            const auto& y = get<K>(values);
            share.rule = substitute(local_derivative_text<Op, P>(), names, w.name[K]);
            share.local = static_cast<double>(
                primal(apply_vjp<Op, P>(T(1), y, get<G::template index_t<Args>::value>(values)...)));
            share.amount = static_cast<double>(
                primal(apply_vjp<Op, P>(get<K>(adjoints), y, get<G::template index_t<Args>::value>(values)...)));
        } else if constexpr (traits_of<Op>().elementwise) {
            // A compound local derivative in parentheses: δ(v3) ⊙ (1 - tanh²(v2) = 1 - v3²).
            const std::string local = substitute(local_derivative_text<Op, P>(), names, w.name[K]);
            const bool compound = local.find(" - ") != std::string::npos || local.find(" + ") != std::string::npos;
            share.rule = "δ(" + w.name[K] + ") ⊙ " + (compound ? "(" + local + ")" : local);
            if constexpr (shape_of<Arg>::rank < shape_of<Node>::rank) share.rule += ", summed over the broadcast axes";
        } else {
            share.rule = rule_text(vjp_formula_text<Op, P>(), names, w.name[K]);
        }
        w.received[c].push_back(std::move(share));
    }
}

template <class G, class Plan, class T, std::size_t K, class Node, class Tapes>
void describe_node(Node*, walkthrough&, const Tapes&) {}  // a leaf or a literal

template <class G, class Plan, class T, std::size_t K, class Op, class... Args, class Tapes>
void describe_node(node<Op, Args...>*, walkthrough& w, const Tapes& tapes) {
    w.operands[K] = {G::template index_t<Args>::value...};
    const std::vector<std::string> names{w.name[G::template index_t<Args>::value]...};
    std::array<std::string, sizeof...(Args)> texts;
    for (std::size_t p = 0; p < names.size(); ++p) texts[p] = names[p];
    w.defining[K] = format_op<false, Op, sizeof...(Args)>(texts, {((void)sizeof(Args*), precedence::atom)...});  // names are atoms
    if (Plan::interior[K])
        w.note[K] = "(fused into the loop of its consumer)";
    else if (Plan::fusable[K])
        w.note[K] = "(one loop over its elements)";
    if constexpr (Plan::active[K]) {
        [&]<std::size_t... P>(std::index_sequence<P...>) {
            (describe_edge<G, Plan, T, K, P, Op, Args...>(w, names, tapes), ...);
        }(std::index_sequence_for<Args...>{});
    }
}

template <class F, class Wrt, class Env>
walkthrough walk(const Env& env) {
    using G = graph_of<F>;
    using Plan = sweep_plan<G, Wrt>;  // wants the value: every node is computed
    constexpr std::size_t n = G::size;
    constexpr bool numbers = !needs_workspace<F>;

    walkthrough w;
    w.formula = to_string(F{});
    w.numbers = numbers;
    for (auto* v : {&w.name, &w.defining, &w.shape, &w.note}) v->resize(n);
    w.is_leaf.resize(n);
    w.is_literal.resize(n);
    w.active.assign(Plan::active.begin(), Plan::active.end());
    w.interior.assign(Plan::interior.begin(), Plan::interior.end());
    w.operands.resize(n);
    w.received.resize(n);
    [&]<class... L>(boost::mp11::mp_list<L...>) { w.wrt = {G::template index_t<L>::value...}; }(typename Wrt::leaves{});

    // Names first: operations are numbered v1, v2, ... in evaluation order.
    std::size_t batch = 0;
    if constexpr (!numbers) batch = batch_extent<G>(env);
    std::size_t ops = 0;
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        std::size_t k = 0;
        (([&] {
             const auto e = extents_with_batch<shape_of<Nodes>>(batch);
             w.shape[k] = shape_text(e.values.data(), shape_of<Nodes>::rank);
             if constexpr (is_leaf<Nodes>::value) {
                 w.name[k] = std::string(Nodes::name.view());
                 w.is_leaf[k] = true;
             } else if constexpr (is_literal<Nodes>::value) {
                 w.name[k] = rational_text(Nodes::value, false);
                 w.is_literal[k] = true;
             } else {
                 // Built apart and moved in: assigning "f" or "v" + ... to w.name[k] trips
                 // GCC 12's -Wrestrict false positive at -O3 (GCC bug 105329).
                 std::string name(1, k + 1 == n ? 'f' : 'v');
                 if (k + 1 != n) name += std::to_string(++ops);
                 w.name[k] = std::move(name);
             }
             ++k;
         }()),
         ...);
    }(typename G::nodes{});

    auto describe = [&](const auto& tapes) {
        [&]<class... Nodes, std::size_t... K>(boost::mp11::mp_list<Nodes...>, std::index_sequence<K...>) {
            using T = std::conditional_t<numbers, sweep_scalar_t<F, Env>, double>;
            (void)std::initializer_list<int>{
                (describe_node<G, Plan, T, K>(static_cast<Nodes*>(nullptr), w, tapes), 0)...};
        }(typename G::nodes{}, std::make_index_sequence<n>{});
    };

    if constexpr (numbers) {
        using T = sweep_scalar_t<F, Env>;
        tape<G, Plan, T> values{}, adjoints{};
        forward_sweep<G, Plan, T>(values, env, sweep_context{});
        reverse_sweep<G, Plan, T>(values, adjoints, T(1), sweep_context{});
        w.value.resize(n);
        w.adjoint.resize(n);
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            ((w.value[K] = static_cast<double>(primal(get<K>(values))),
              w.adjoint[K] = Plan::active[K] ? static_cast<double>(primal(get<K>(adjoints))) : 0.0),
             ...);
        }(std::make_index_sequence<n>{});
        describe(std::tie(values, adjoints));
        w.result = w.value[n - 1];
        for (std::size_t k : w.wrt) w.gradient_norm.push_back(std::abs(w.adjoint[k]));
    } else {
        describe(no_tapes{});
        const auto r = value_and_grad(F{}, Wrt{}, env);
        w.result = static_cast<double>(r.value);
        std::apply(
            [&](const auto&... g) {
                (w.gradient_norm.push_back([&] {
                    double sq = 0;
                    if constexpr (requires { g.size(); })
                        for (std::size_t j = 0; j < g.size(); ++j) sq += double(g.data()[j]) * double(g.data()[j]);
                    else
                        sq = double(g) * double(g);
                    return std::sqrt(sq);
                }()),
                 ...);
            },
            r.gradient);
    }
    return w;
}

// ---------------------------------------------------------------- renderer 1: text

inline std::string explain_text(const walkthrough& w) {
    const std::size_t n = w.name.size();
    std::string out = "f = " + w.formula + "\n\nForward pass (each node once, operands first):\n";
    for (std::size_t k = 0; k < n; ++k) {
        if (w.is_literal[k]) continue;
        out += "  " + w.name[k];
        if (!w.numbers) out += " " + w.shape[k];
        if (!w.is_leaf[k]) out += " = " + w.defining[k];
        if (w.numbers) out += " = " + number_text(w.value[k]);
        if (!w.numbers && !w.note[k].empty()) out += "   " + w.note[k];
        out += "\n";
    }
    if (w.numbers)
        out += "\nBackward pass (δ(n) = ∂f/∂n, from the output down: each consumer passes\n"
               "back its δ times the local derivative; a node that feeds several consumers adds them up):\n";
    else
        out += "\nBackward pass (δ(n) = ∂f/∂n, from the output down; ⊙ multiplies elementwise,\n"
               "and a node that feeds several consumers adds their shares):\n";
    out += "  δ(f) = 1\n";
    for (std::size_t k = n - 1; k-- > 0;) {
        const auto& parts = w.received[k];
        if (!w.active[k] || w.is_literal[k] || (!w.numbers && parts.empty())) continue;
        if (!w.numbers) {
            out += "  δ(" + w.name[k] + ") " + w.shape[k] + " = ";
            for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "\n        + " : "") + parts[i].rule;
            out += "\n";
            continue;
        }
        std::string symbolic, numeric;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const auto& c = parts[i];
            const std::string sep = i ? " + " : "";
            symbolic += sep + "δ(" + w.name[c.consumer] + ")·∂" + w.name[c.consumer] + "/∂" + w.name[k];
            numeric += sep + factor_text(w.adjoint[c.consumer]) + "·" + factor_text(c.local);
        }
        out += "  δ(" + w.name[k] + ") = " + symbolic + "\n";
        for (const auto& c : parts) {
            out += "      ∂" + w.name[c.consumer] + "/∂" + w.name[k] + " = " + c.rule;
            if (c.rule != number_text(c.local)) out += " = " + number_text(c.local);
            out += "\n";
        }
        out += "      = " + numeric + " = " + number_text(w.adjoint[k]);
        if (parts.size() > 1)
            out += "   (" + w.name[k] + " reaches f along " + std::to_string(parts.size()) + " edges: their shares add)";
        out += "\n";
    }
    if (w.numbers) {
        out += "\nGradient:\n";
        for (std::size_t k : w.wrt)
            out += "  ∂f/∂" + w.name[k] + " = δ(" + w.name[k] + ") = " + number_text(w.adjoint[k]) + "\n";
    } else {
        out += "\nf = " + number_text(w.result) + "\nGradient:\n";
        for (std::size_t i = 0; i < w.wrt.size(); ++i) {
            const std::size_t k = w.wrt[i];
            out += "  ∂f/∂" + w.name[k] + " " + w.shape[k] + " = δ(" + w.name[k] + "), norm " +
                   number_text(w.gradient_norm[i]) + "\n";
        }
    }
    return out;
}

// ---------------------------------------------------------------- renderer 2: Graphviz DOT

inline std::string dot_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    return out;
}

inline std::string dot_text(const walkthrough& w) {
    const std::size_t n = w.name.size();
    std::string out = "digraph leibniz {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n";
    out += "  label=\"f = " + dot_escape(w.formula) + "\";\n  labelloc=t;\n";
    for (std::size_t k = 0; k < n; ++k) {
        std::string label, shape = "ellipse";
        const std::string what = "\\n" + (w.numbers ? "= " + number_text(w.value[k]) : w.shape[k]);
        if (w.is_literal[k]) {
            label = w.name[k];
            shape = "plaintext";
        } else if (w.is_leaf[k]) {
            label = w.name[k] + what;
            shape = "box";
        } else {
            label = w.name[k] + " = " + dot_escape(w.defining[k]) + what;
        }
        if (w.numbers && w.active[k] && !w.is_literal[k]) label += "\\nδ = " + number_text(w.adjoint[k]);
        out += "  n" + std::to_string(k) + " [shape=" + shape + (w.interior[k] ? ", style=dashed" : "") + ", label=\"" + label + "\"];\n";
    }
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t c : w.operands[k]) {
            std::string label;
            for (const auto& part : w.received[c])
                if (part.consumer == k) label = w.numbers ? "∂ = " + number_text(part.local) : dot_escape(part.rule);
            out += "  n" + std::to_string(c) + " -> n" + std::to_string(k);
            if (!label.empty()) out += " [label=\"" + label + "\"]";
            out += ";\n";
        }
    }
    return out + "}\n";
}

}  // namespace detail

// The forward and backward passes of grad(f, wrt, env), step by step: for a
// scalar expression each node's value and adjoint, for one with tensors each
// node's shape, which nodes run fused, and the rules the backward pass applies.
template <Expression E, WithRespectTo W, Environment Env>
std::string explain(E, W, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (!(detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                    detail::check_wrt<F, Wrt>()))
        return std::string{};  // reported by the check
    else
        return detail::explain_text(detail::walk<F, Wrt>(env));
}

// The computational graph in Graphviz DOT: each node with its operation and
// its value and adjoint δ (scalar expressions) or its shape (tensors); each
// edge with its local derivative or the rule that passes δ along it.
template <Expression E, WithRespectTo W, Environment Env>
std::string to_dot(E, W, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (!(detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                    detail::check_wrt<F, Wrt>()))
        return std::string{};  // reported by the check
    else
        return detail::dot_text(detail::walk<F, Wrt>(env));
}

// A poisoned expression: a check has failed and said so; nothing more to report.
template <WithRespectTo W, Environment Env>
std::string explain(poison, W, const Env&) {
    return {};
}
template <WithRespectTo W, Environment Env>
std::string to_dot(poison, W, const Env&) {
    return {};
}

}  // namespace leibniz
