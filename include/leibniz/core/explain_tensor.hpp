#pragma once
// explain(f, wrt(...), env) for expressions with tensors: each node with its
// shape (the batch as bound in env), which nodes run fused in one loop, and
// the backward pass as the rules it applies — δ(W1) [784×128] = xᵀ·δ(v1) —
// in the notes' vocabulary. Tensor values are not printed; the loss and the
// norm of each gradient are.

#include <leibniz/core/explain.hpp>
#include <leibniz/core/workspace.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace leibniz {

namespace detail {

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

template <class Op, std::size_t P>
std::string vjp_formula_text() {
    if constexpr (requires { Op::vjp_formula[P]; } && !std::is_convertible_v<decltype(Op::vjp_formula), std::string_view>)
        return std::string(Op::vjp_formula[P]);
    else
        return std::string(Op::vjp_formula);
}

struct tensor_walkthrough {
    std::string formula;
    std::vector<std::string> name, shape, defining, note;
    std::vector<bool> is_leaf, is_literal, active, interior;
    std::vector<std::vector<std::pair<std::size_t, std::string>>> received;  // (consumer, rule)
    std::vector<std::vector<std::size_t>> operands;
    std::vector<std::size_t> wrt;
};

template <class G, class Plan, std::size_t K, class Node>
void describe_tensor_node(Node*, tensor_walkthrough&) {}  // a leaf or a literal

// The rule by which node K passes δ to its operand P.
template <class G, class Plan, std::size_t K, std::size_t P, class Op, class Node, class... Args>
void describe_tensor_edge(tensor_walkthrough& w, const std::vector<std::string>& names) {
    using Arg = boost::mp11::mp_at_c<boost::mp11::mp_list<Args...>, P>;
    constexpr std::size_t c = G::template index<Arg>;
    if constexpr (Plan::active[c] && Plan::active[K]) {
        std::string rule;
        if constexpr (traits_of<Op>().elementwise) {
            // A compound local derivative in parentheses: δ(v3) ⊙ (1 - tanh²(v2) = 1 - v3²).
            const std::string local = substitute(local_derivative_text<Op, P>(), names, w.name[K]);
            const bool compound = local.find(" - ") != std::string::npos || local.find(" + ") != std::string::npos;
            rule = "δ(" + w.name[K] + ") ⊙ " + (compound ? "(" + local + ")" : local);
            if constexpr (shape_of<Arg>::rank < shape_of<Node>::rank) rule += ", summed over the broadcast axes";
        } else {
            rule = rule_text(vjp_formula_text<Op, P>(), names, w.name[K]);
        }
        w.received[c].push_back({K, rule});
    }
}

template <class G, class Plan, std::size_t K, class Op, class... Args>
void describe_tensor_node(node<Op, Args...>*, tensor_walkthrough& w) {
    using Node = node<Op, Args...>;
    const std::vector<std::string> names{w.name[G::template index<Args>]...};
    std::array<std::string, sizeof...(Args)> texts;
    for (std::size_t p = 0; p < names.size(); ++p) texts[p] = names[p];
    w.defining[K] = format_op<false, Op, sizeof...(Args)>(texts, {((void)sizeof(Args*), precedence::atom)...});
    w.operands[K] = {G::template index<Args>...};
    if (Plan::interior[K])
        w.note[K] = "(fused into the loop of its consumer)";
    else if (Plan::fusable[K])
        w.note[K] = "(one loop over its elements)";
    [&]<std::size_t... P>(std::index_sequence<P...>) {
        (describe_tensor_edge<G, Plan, K, P, Op, Node, Args...>(w, names), ...);
    }(std::index_sequence_for<Args...>{});
}

template <class F, class Wrt, class Env>
tensor_walkthrough tensor_walk(const Env& env) {
    using G = graph_of<F>;
    using Plan = sweep_plan<G, Wrt>;
    constexpr std::size_t n = G::size;
    const std::size_t batch = batch_extent<G>(env);
    tensor_walkthrough w;
    w.formula = to_string(F{});
    w.name.resize(n);
    w.shape.resize(n);
    w.defining.resize(n);
    w.note.resize(n);
    w.is_leaf.resize(n);
    w.is_literal.resize(n);
    w.active.assign(Plan::active.begin(), Plan::active.end());
    w.interior.assign(Plan::interior.begin(), Plan::interior.end());
    w.received.resize(n);
    w.operands.resize(n);

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

    [&]<class... Nodes>(boost::mp11::mp_list<Nodes...>) {
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (void)std::initializer_list<int>{(describe_tensor_node<G, Plan, K>(static_cast<Nodes*>(nullptr), w), 0)...};
        }(std::index_sequence_for<Nodes...>{});
    }(typename G::nodes{});

    [&]<class... L>(boost::mp11::mp_list<L...>) { (w.wrt.push_back(G::template index<L>), ...); }(
        typename Wrt::leaves{});
    return w;
}

// The text of explain(f, wrt, env) once its checks have passed.
template <class F, class W, class Env>
std::string tensor_explain_text(F e, W wrt_leaves, const Env& env) {
    const auto w = detail::tensor_walk<F, std::remove_cvref_t<W>>(env);
    const std::size_t n = w.name.size();
    std::string out = "f = " + w.formula + "\n\nForward pass (each node once, operands first):\n";
    for (std::size_t k = 0; k < n; ++k) {
        if (w.is_literal[k]) continue;
        if (w.is_leaf[k])
            out += "  " + w.name[k] + " " + w.shape[k] + "\n";
        else
            out += "  " + w.name[k] + " " + w.shape[k] + " = " + w.defining[k] + (w.note[k].empty() ? "" : "   " + w.note[k]) + "\n";
    }
    out += "\nBackward pass (δ(n) = ∂f/∂n, from the output down; ⊙ multiplies elementwise,\n"
           "and a node that feeds several consumers adds their shares):\n  δ(f) = 1\n";
    for (std::size_t k = n - 1; k-- > 0;) {
        if (!w.active[k] || w.is_literal[k] || w.received[k].empty()) continue;
        out += "  δ(" + w.name[k] + ") " + w.shape[k] + " = ";
        for (std::size_t i = 0; i < w.received[k].size(); ++i) out += (i ? "\n        + " : "") + w.received[k][i].second;
        out += "\n";
    }
    const auto r = value_and_grad(e, wrt_leaves, env);
    out += "\nf = " + detail::number_text(static_cast<double>(r.value)) + "\nGradient:\n";
    std::size_t i = 0;
    std::apply(
        [&](const auto&... g) {
            ((out += "  ∂f/∂" + w.name[w.wrt[i]] + " " + w.shape[w.wrt[i]] + " = δ(" + w.name[w.wrt[i]] + "), norm " +
                     [&] {
                         double sq = 0;
                         if constexpr (requires { g.size(); })
                             for (std::size_t j = 0; j < g.size(); ++j) sq += double(g.data()[j]) * double(g.data()[j]);
                         else
                             sq = double(g) * double(g);
                         return detail::number_text(std::sqrt(sq));
                     }() + "\n",
              ++i),
             ...);
        },
        r.gradient);
    return out;
}

// to_dot(f, wrt, env) for an expression with tensors: the graph of explain,
// each node with its shape (leaves in boxes), each edge that carries δ
// labelled with the backward rule it applies.
template <class F, class W, class Env>
std::string tensor_dot_text(const Env& env) {
    const auto w = detail::tensor_walk<F, W>(env);
    const std::size_t n = w.name.size();
    std::string out = "digraph leibniz {\n  rankdir=BT;\n  node [fontname=\"Helvetica\"];\n";
    out += "  label=\"f = " + dot_escape(w.formula) + "\";\n  labelloc=t;\n";
    for (std::size_t k = 0; k < n; ++k) {
        std::string label, shape = "ellipse";
        if (w.is_literal[k]) {
            label = w.name[k];
            shape = "plaintext";
        } else if (w.is_leaf[k]) {
            label = w.name[k] + " " + w.shape[k];
            shape = "box";
        } else {
            label = w.name[k] + " " + w.shape[k] + " = " + dot_escape(w.defining[k]);
            if (w.interior[k]) label += "\\n(fused)";
        }
        out += "  n" + std::to_string(k) + " [shape=" + shape + ", label=\"" + label + "\"];\n";
    }
    for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t c : w.operands[k]) {
            std::string label;
            for (const auto& [consumer, rule] : w.received[c])
                if (consumer == k) label = "δ(" + w.name[c] + ") += " + dot_escape(rule);
            out += "  n" + std::to_string(c) + " -> n" + std::to_string(k);
            if (!label.empty()) out += " [label=\"" + label + "\"]";
            out += ";\n";
        }
    }
    return out + "}\n";
}

}  // namespace detail

}  // namespace leibniz
