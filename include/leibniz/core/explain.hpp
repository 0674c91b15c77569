#pragma once
// explain(f, wrt(...), env): the forward and backward passes, step by step, in
// the notes' vocabulary — each node's value, each δ (the adjoint ∂f/∂node),
// each local derivative, and the sum wherever a node feeds several consumers
// (the multivariate chain rule). to_dot(...) draws the same graph for Graphviz.
//
// Both run the ordinary sweeps (so they show exactly what grad computes) and
// then describe each step; they allocate and are meant for people, not loops.

#include <leibniz/core/print.hpp>
#include <leibniz/core/reverse.hpp>

#include <array>
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

// One contribution δ(consumer) · ∂consumer/∂operand to an operand's δ.
struct contribution {
    std::size_t consumer;
    std::string local_text;
    double local;
    double amount;
};

// Everything explain and to_dot print, gathered from one forward and one
// reverse sweep in double.
struct walkthrough {
    std::string formula;
    std::vector<std::string> name;      // v1, v2 ... for operations; leaves by name
    std::vector<std::string> defining;  // the node over its operands' names
    std::vector<std::string> op_name;
    std::vector<bool> is_leaf, is_literal, active;
    std::vector<std::vector<std::size_t>> operands;
    std::vector<double> value, adjoint;
    std::vector<std::vector<contribution>> received;  // per node: what its δ is made of
    std::vector<std::size_t> wrt;                      // positions of the wrt leaves
};

template <class G, class Plan, class T, std::size_t K, class Node, class Tape>
void describe_node(Node*, walkthrough&, const Tape&, const Tape&) {}  // a leaf or a literal

// What operand P of node K receives: δ(K)·∂K/∂P, with the local derivative.
template <class G, class Plan, class T, std::size_t K, std::size_t P, class Op, class... Args, class Tape>
void describe_edge(walkthrough& w, const std::vector<std::string>& names, const Tape& values, const Tape& adjoints) {
    constexpr std::size_t c = G::template index<boost::mp11::mp_at_c<boost::mp11::mp_list<Args...>, P>>;
    if constexpr (Plan::active[c]) {
        const auto& y = get<K>(values);
        const double local =
            static_cast<double>(primal(apply_vjp<Op, P>(T(1), y, get<G::template index<Args>>(values)...)));
        const double amount =
            static_cast<double>(primal(apply_vjp<Op, P>(get<K>(adjoints), y, get<G::template index<Args>>(values)...)));
        w.received[c].push_back({K, substitute(local_derivative_text<Op, P>(), names, w.name[K]), local, amount});
    }
}

template <class G, class Plan, class T, std::size_t K, class Op, class... Args, class Tape>
void describe_node(node<Op, Args...>*, walkthrough& w, const Tape& values, const Tape& adjoints) {
    const std::array<std::size_t, sizeof...(Args)> idx{G::template index<Args>...};
    w.operands[K].assign(idx.begin(), idx.end());
    std::array<std::string, sizeof...(Args)> names;
    for (std::size_t p = 0; p < idx.size(); ++p) names[p] = w.name[idx[p]];
    w.defining[K] =
        format_op<false, Op, sizeof...(Args)>(names, {((void)sizeof(Args*), precedence::atom)...});  // names are atoms
    if constexpr (Plan::active[K]) {
        const std::vector<std::string> operand_names(names.begin(), names.end());
        [&]<std::size_t... P>(std::index_sequence<P...>) {
            (describe_edge<G, Plan, T, K, P, Op, Args...>(w, operand_names, values, adjoints), ...);
        }(std::index_sequence_for<Args...>{});
    }
}

template <class F, class Wrt, class Env>
walkthrough walk(const Env& env) {
    using G = graph_of<F>;
    using T = sweep_scalar_t<F, Env>;
    using Plan = sweep_plan<G, Wrt>;  // wants the value: every node is computed
    constexpr std::size_t n = G::size;
    tape<G, Plan, T> values{};
    forward_sweep<G, Plan, T>(values, env, sweep_context{});
    tape<G, Plan, T> adjoints{};
    reverse_sweep<G, Plan, T>(values, adjoints, T(1), sweep_context{});

    walkthrough w;
    w.formula = to_string(F{});
    w.name.resize(n);
    w.defining.resize(n);
    w.op_name.resize(n);
    w.is_leaf.resize(n);
    w.is_literal.resize(n);
    w.active.assign(Plan::active.begin(), Plan::active.end());
    w.operands.resize(n);
    w.value.resize(n);
    w.adjoint.resize(n);
    w.received.resize(n);

    // Names first: operations are numbered v1, v2, ... in evaluation order.
    std::size_t ops = 0;
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        std::size_t k = 0;
        (([&] {
             if constexpr (is_leaf<Nodes>::value) {
                 w.name[k] = std::string(Nodes::name.view());
                 w.is_leaf[k] = true;
             } else if constexpr (is_literal<Nodes>::value) {
                 w.name[k] = rational_text(Nodes::value, false);
                 w.is_literal[k] = true;
             } else {
                 w.name[k] = k + 1 == n ? "f" : "v" + std::to_string(++ops);
                 w.op_name[k] = std::string(Nodes::op::name);
             }
             ++k;
         }()),
         ...);
    }(typename G::nodes{});

    [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((w.value[K] = static_cast<double>(primal(get<K>(values))),
          w.adjoint[K] = Plan::active[K] ? static_cast<double>(primal(get<K>(adjoints))) : 0.0),
         ...);
    }(std::make_index_sequence<n>{});

    // Each operation: its definition over operand names, and what it passes down.
    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (void)std::initializer_list<int>{(describe_node<G, Plan, T, K>(static_cast<Nodes*>(nullptr), w, values, adjoints), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});

    [&]<class... L>(boost::mp11::mp_list<L...>) { (w.wrt.push_back(G::template index<L>), ...); }(
        typename Wrt::leaves{});
    return w;
}

inline std::string explain_text(const walkthrough& w) {
    const std::size_t n = w.name.size();
    std::string out = "f = " + w.formula + "\n\nForward pass (each node once, operands first):\n";
    for (std::size_t k = 0; k < n; ++k) {
        if (w.is_literal[k]) continue;
        if (w.is_leaf[k])
            out += "  " + w.name[k] + " = " + number_text(w.value[k]) + "\n";
        else
            out += "  " + w.name[k] + " = " + w.defining[k] + " = " + number_text(w.value[k]) + "\n";
    }
    out += "\nBackward pass (δ(n) = ∂f/∂n, from the output down: each consumer passes\n"
           "back its δ times the local derivative; a node that feeds several consumers adds them up):\n";
    out += "  δ(f) = 1\n";
    for (std::size_t k = n - 1; k-- > 0;) {
        if (!w.active[k] || w.is_literal[k]) continue;
        const auto& parts = w.received[k];
        std::string symbolic, numeric;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const auto& c = parts[i];
            const std::string sep = i ? " + " : "";
            symbolic += sep + "δ(" + w.name[c.consumer] + ")·∂" + w.name[c.consumer] + "/∂" + w.name[k];
            numeric += sep + factor_text(w.adjoint[c.consumer]) + "·" + factor_text(c.local);
        }
        out += "  δ(" + w.name[k] + ") = " + symbolic + "\n";
        for (const auto& c : parts) {
            out += "      ∂" + w.name[c.consumer] + "/∂" + w.name[k] + " = " + c.local_text;
            if (c.local_text != number_text(c.local)) out += " = " + number_text(c.local);
            out += "\n";
        }
        out += "      = " + numeric + " = " + number_text(w.adjoint[k]);
        if (parts.size() > 1)
            out += "   (" + w.name[k] + " reaches f along " + std::to_string(parts.size()) + " edges: their shares add)";
        out += "\n";
    }
    out += "\nGradient:\n";
    for (std::size_t k : w.wrt) out += "  ∂f/∂" + w.name[k] + " = δ(" + w.name[k] + ") = " + number_text(w.adjoint[k]) + "\n";
    return out;
}

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
        if (w.is_literal[k]) {
            label = w.name[k];
            shape = "plaintext";
        } else if (w.is_leaf[k]) {
            label = w.name[k] + "\\n= " + number_text(w.value[k]);
            shape = "box";
        } else {
            label = w.name[k] + " = " + dot_escape(w.defining[k]) + "\\n= " + number_text(w.value[k]);
        }
        if (w.active[k] && !w.is_literal[k]) label += "\\nδ = " + number_text(w.adjoint[k]);
        out += "  n" + std::to_string(k) + " [shape=" + shape + ", label=\"" + label + "\"];\n";
    }
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t c : w.operands[k]) {
            std::string label;
            for (const auto& part : w.received[c])
                if (part.consumer == k) label = "∂ = " + number_text(part.local);
            out += "  n" + std::to_string(c) + " -> n" + std::to_string(k);
            if (!label.empty()) out += " [label=\"" + label + "\"]";
            out += ";\n";
        }
    }
    return out + "}\n";
}

// The text of explain and to_dot for an expression with tensors (core/explain_tensor.hpp).
template <class F, class W, class Env>
std::string tensor_explain_text(F e, W wrt_leaves, const Env& env);
template <class F, class W, class Env>
std::string tensor_dot_text(const Env& env);

}  // namespace detail

// The forward and backward passes of grad(f, wrt, env), step by step: for a
// scalar expression each node's value and adjoint, for one with tensors each
// node's shape, which nodes run fused, and the rules the backward pass applies.
template <Expression E, WithRespectTo W, Environment Env>
std::string explain(E, W wrt_leaves, const Env& env) {
    using F = std::remove_cvref_t<E>;
    using Wrt = std::remove_cvref_t<W>;
    if constexpr (!(detail::check_scalar_output<F>() && detail::check_environment<F, Env>() &&
                    detail::check_wrt<F, Wrt>()))
        return std::string{};  // reported by the check
    else if constexpr (detail::needs_workspace<F>)
        return detail::tensor_explain_text(F{}, wrt_leaves, env);
    else
        return detail::explain_text(detail::walk<F, Wrt>(env));
}

// The computational graph in Graphviz DOT: each node with its operation,
// value and adjoint δ, each edge with its local derivative; for an expression
// with tensors, each node with its shape and each edge with its backward rule.
template <Expression E, WithRespectTo W, Environment Env>
std::string to_dot(E, W, const Env& env) {
    using F = std::remove_cvref_t<E>;
    if constexpr (!(detail::check_environment<F, Env>() && detail::check_wrt<F, std::remove_cvref_t<W>>()))
        return std::string{};  // reported by the check
    else if constexpr (detail::needs_workspace<F>)
        return detail::tensor_dot_text<F, std::remove_cvref_t<W>>(env);
    else
        return detail::dot_text(detail::walk<F, std::remove_cvref_t<W>>(env));
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
