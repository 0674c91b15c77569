#!/usr/bin/env bash
# The compile-time series of leibniz (DESIGN §4: compile time is part of the
# design): the gradient of a generated n-node expression (generate.py),
# compiled for n = 25, 50, 100, 200, 400 with g++ and clang++ at -O2; also the
# bare header and two small first programs (small_example.cpp, and
# examples/chain_rule.cpp when it exists); and a short series with deep
# sharing (generate.py --shared), each compile cut off after a timeout; and a
# tensor MLP (mlp.py L: L hidden tanh layers of 64, value_and_grad with respect
# to all 2L + 2 parameters), L = 1 to 128, with g++'s -ftime-report top lines
# for the largest L up to 100 (what dominates).
# For each compile: wall seconds and max RSS (/usr/bin/time -f "%e %M"), user
# + system CPU seconds (the better measure on a loaded machine), and the
# object's size. Each generated program is then linked (from the g++ object)
# and run once, to confirm its node count. Writes bench/compile_time/results.md
# (the tables, the machine, the compilers).
#
#   bench/compile_time/run.sh                 n = 25 50 100 200 400, g++ and clang++
#   bench/compile_time/run.sh 400             only n = 400
#   COMPILERS=g++ bench/compile_time/run.sh   only g++
#   REPEAT=3 bench/compile_time/run.sh        best of 3 compiles (on a noisy machine)
#   RESULTS=/tmp/r.md bench/compile_time/run.sh   write the table elsewhere
#   SHARED_SIZES="50 100" SHARED_TIMEOUT=60   the deep-sharing series (default
#                      n = 50 100 150, each compile cut off after 120 s); "" skips it
#   MLP_SIZES="1 100" MLP_TIMEOUT=300   the tensor MLP series (default
#                      L = 1 16 32 64 100 128, each compile cut off after 600 s); "" skips it
#
# Acceptance (g++): n = 400 in under 15 s and 1 GB; the small program under 10 s;
# the MLP with L = 100 under 30 s and 1 GB, L = 128 compiling with every compiler.
# Compiles run one at a time: the numbers are per compile, on one core.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

sizes=("$@")
((${#sizes[@]})) || sizes=(25 50 100 200 400)
read -r -a compilers <<<"${COMPILERS:-g++ clang++}"
repeat=${REPEAT:-1}
read -r -a shared_sizes <<<"${SHARED_SIZES-50 100 150}"
shared_timeout=${SHARED_TIMEOUT:-120}
read -r -a mlp_sizes <<<"${MLP_SIZES-1 16 32 64 100 128}"
mlp_timeout=${MLP_TIMEOUT:-600}
results=${RESULTS:-$here/results.md}
flags=(-std=c++20 -O2 -I"$root/include")

[[ -x /usr/bin/time ]] || { echo "run.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure <compiler> <source> <object>: "<wall s> <MB> <object KB> <cpu s>", best of $repeat.
measure() {
  local cxx=$1 src=$2 obj=$3 best_s="" best_m="" best_c="" s m u y
  for ((k = 0; k < repeat; ++k)); do
    if ! /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$cxx" "${flags[@]}" -c "$src" -o "$obj" 2>"$work/err"; then
      echo "error"
      return
    fi
    read -r s m u y <"$work/time"
    c=$(awk -v u="$u" -v y="$y" 'BEGIN { print u + y }')
    if [[ -z $best_s ]] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then best_s=$s; fi
    if [[ -z $best_c ]] || awk -v a="$c" -v b="$best_c" 'BEGIN { exit !(a < b) }'; then best_c=$c; fi
    if [[ -z $best_m ]] || ((m < best_m)); then best_m=$m; fi
  done
  awk -v s="$best_s" -v m="$best_m" -v o="$(stat -c %s "$obj")" -v c="$best_c" \
    'BEGIN { printf "%.2f %.0f %.0f %.2f\n", s, m / 1024, o / 1024, c }'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "compile-time series: ${compilers[*]} ${flags[*]:0:2}, n = ${sizes[*]} (load average $load_before)"

ok=1
verdict=()
failures=()
check() {  # check <what> <value> <limit> <unit> [<cpu seconds>]
  if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v < l) }'; then
    verdict+=("- $1: $2 $4 (< $3 $4): **pass**")
  elif [[ -n ${5:-} ]] && awk -v v="$5" -v l="$3" 'BEGIN { exit !(v < l) }'; then
    # Wall time over the limit, CPU time under it: other jobs had the cores.
    verdict+=("- $1: $2 $4 wall (>= $3 $4), but $5 s of CPU: **pass on CPU time** (the machine was loaded)")
  else
    verdict+=("- $1: $2 $4 (>= $3 $4): **FAIL**")
    ok=0
  fi
}
header="| program | nodes |"
rule="|---|---:|"
for cxx in "${compilers[@]}"; do
  header+=" $cxx s | $cxx cpu s | $cxx MB | $cxx .o KB |"
  rule+="---:|---:|---:|---:|"
done

lines=()
add_row() {  # add_row <label> <nodes> <source>
  local label=$1 nodes=$2 src=$3 line="| $1 | $2 |" cxx r s m o c
  for cxx in "${compilers[@]}"; do
    r=$(measure "$cxx" "$src" "$work/$(basename "$src" .cpp).$cxx.o")
    if [[ $r == error ]]; then  # the first error, shortened (type names can be megabytes long)
      local msg
      msg=$(grep -m1 -E 'error|fatal' "$work/err" | cut -c1-300 | sed -E 's/\|/\\|/g')
      printf '  %-26s %5s %-8s FAILED: %s\n' "$label" "$nodes" "$cxx" "$msg"
      line+=" failed: \`${msg##*error: }\` | | | |"
      failures+=("$label, n = $nodes, $cxx: $msg")
      ok=0
      continue
    fi
    read -r s m o c <<<"$r"
    printf '  %-26s %5s %-8s %7s s (cpu %6s s) %6s MB %6s KB\n' "$label" "$nodes" "$cxx" "$s" "$c" "$m" "$o"
    line+=" $s | $c | $m | $o |"
    if [[ $cxx == g++ ]]; then  # the acceptance
      if [[ $nodes == 400 ]]; then
        check "g++, n = 400, time" "$s" 15 s "$c"
        check "g++, n = 400, memory" "$m" 1024 MB
      fi
      case $label in small_example.cpp | examples/chain_rule.cpp) check "g++, $label, time" "$s" 10 s "$c" ;; esac
    fi
  done
  lines+=("$line")
}

# The fixed cost: the umbrella header and an empty main.
printf '#include <leibniz/leibniz.hpp>\nint main() {}\n' >"$work/header_only.cpp"
add_row "leibniz.hpp alone" "-" "$work/header_only.cpp"

# The small programs.
add_row "small_example.cpp" "-" "$here/small_example.cpp"
if [[ -f $root/examples/chain_rule.cpp ]]; then
  add_row "examples/chain_rule.cpp" "-" "$root/examples/chain_rule.cpp"
fi

# The series.
for n in "${sizes[@]}"; do
  src=$work/grad_$n.cpp
  python3 "$here/generate.py" "$n" -o "$src"
  add_row "grad of an n-node chain" "$n" "$src"
  # The file static_asserts its node count; the program prints it too.
  if [[ -f $work/grad_$n.g++.o ]]; then
    g++ "$work/grad_$n.g++.o" -o "$work/grad_$n"
    printed=$("$work/grad_$n" | awk '{ print $1 }')
    [[ $printed == "$n" ]] || { echo "run.sh: grad_$n prints $printed nodes" >&2; exit 1; }
  fi
done

# Deep sharing (generate.py --shared): the same n-node graphs, but the
# expression tree doubles at each shared step. Each compile is cut off after
# $shared_timeout s.
shared_lines=()
for n in "${shared_sizes[@]}"; do
  src=$work/shared_$n.cpp
  python3 "$here/generate.py" "$n" --shared -o "$src"
  line="| grad of an n-node chain, --shared | $n |"
  for cxx in "${compilers[@]}"; do
    if /usr/bin/time -f "%e %M %U %S" -o "$work/time" timeout "$shared_timeout" \
      "$cxx" "${flags[@]}" -c "$src" -o "$work/shared.o" 2>"$work/err"; then
      read -r s m u y <"$work/time"
      c=$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')
      m=$((m / 1024)) o=$(($(stat -c %s "$work/shared.o") / 1024))
      line+=" $s | $c | $m | $o |"
      printf '  %-26s %5s %-8s %7s s (cpu %6s s) %6s MB %6s KB\n' "--shared" "$n" "$cxx" "$s" "$c" "$m" "$o"
    else
      line+=" > $shared_timeout (cut off) | | | |"
      printf '  %-26s %5s %-8s cut off after %s s\n' "--shared" "$n" "$cxx" "$shared_timeout"
    fi
  done
  shared_lines+=("$line")
done

# The tensor MLP (mlp.py L): the program a user writes with raw expressions,
# value_and_grad with respect to every parameter. Each compile is cut off after
# $mlp_timeout s; each g++ object is linked and run once.
mlp_lines=()
report_L=""
for L in "${mlp_sizes[@]}"; do
  src=$work/mlp_$L.cpp
  python3 "$here/mlp.py" "$L" -o "$src"
  line="| tensor MLP, L hidden layers of 64 | $L |"
  for cxx in "${compilers[@]}"; do
    obj=$work/mlp_$L.$cxx.o
    if /usr/bin/time -f "%e %M %U %S" -o "$work/time" timeout "$mlp_timeout" \
      "$cxx" "${flags[@]}" -c "$src" -o "$obj" 2>"$work/err"; then
      read -r s m u y <"$work/time"
      c=$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')
      m=$((m / 1024)) o=$(($(stat -c %s "$obj") / 1024))
      line+=" $s | $c | $m | $o |"
      printf '  %-26s %5s %-8s %7s s (cpu %6s s) %6s MB %6s KB\n' "tensor MLP" "$L" "$cxx" "$s" "$c" "$m" "$o"
      if [[ $cxx == g++ && $L == 100 ]]; then
        check "g++, MLP L = 100, time" "$s" 30 s "$c"
        check "g++, MLP L = 100, memory" "$m" 1024 MB
      fi
      if [[ $L == 128 ]]; then verdict+=("- $cxx, MLP L = 128: compiles: **pass**"); fi
      if [[ $cxx == g++ ]]; then
        g++ "$obj" -o "$work/mlp_$L"
        "$work/mlp_$L" >/dev/null || { echo "run.sh: mlp_$L fails to run" >&2; exit 1; }
      fi
    else
      msg=$(grep -m1 -E 'error|fatal' "$work/err" | cut -c1-300 | sed -E 's/\|/\\|/g')
      line+=" failed or cut off after $mlp_timeout s | | | |"
      printf '  %-26s %5s %-8s FAILED or cut off: %s\n' "tensor MLP" "$L" "$cxx" "$msg"
      failures+=("tensor MLP, L = $L, $cxx: ${msg:-cut off after $mlp_timeout s}")
      if [[ $L == 100 || $L == 128 ]]; then verdict+=("- $cxx, MLP L = $L: **FAIL** (does not compile)"); ok=0; fi
    fi
    rm -f "$obj"
  done
  mlp_lines+=("$line")
  if ((L <= 100)); then report_L=$L; fi
done

# What dominates g++'s compile of the largest MLP up to L = 100: -ftime-report's
# top lines by CPU time (user + system).
time_report=()
if [[ -n $report_L ]] && [[ " ${compilers[*]} " == *" g++ "* ]]; then
  if g++ "${flags[@]}" -ftime-report -c "$work/mlp_$report_L.cpp" -o "$work/report.o" 2>"$work/report"; then
    # Lines "name : usr ( x%) sys ( x%) wall ( x%) ggc ( x%)"; TOTAL has no percentages.
    # A name starting with "|" is a part of the phases around it (counted in them too).
    parse='{ name = $1; gsub(/^ +| +$/, "", name); if (sub(/^\|/, "", name)) name = "(part of the above) " name;
             rest = $2; gsub(/\( *[0-9]+%\)/, "", rest); split(rest, a, " ") }'
    total=$(awk -F: "$parse"' name == "TOTAL" { print a[1] + a[2] }' "$work/report")
    mapfile -t time_report < <(awk -F: -v total="$total" "$parse"'
      NF >= 2 && name != "TOTAL" && a[1] + a[2] > 0 {
        printf "%.2f|%s|%.0f\n", a[1] + a[2], name, 100 * (a[1] + a[2]) / total }' "$work/report" |
      sort -t'|' -k1,1 -gr | head -12 | awk -F'|' '{ printf "| %s | %s | %s%% |\n", $2, $1, $3 }')
  fi
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cpu=$(lscpu 2>/dev/null | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2; exit }')
{
  echo "# leibniz compile-time series"
  echo
  echo "Written by \`bench/compile_time/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "(leibniz $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet -- include 2>/dev/null || echo ', include/ modified')):"
  echo "the gradient (\`lz::grad\` with respect to all four leaves) of a generated"
  echo "n-node scalar chain (\`generate.py n\`; n counts the distinct graph nodes,"
  echo "leaves and literals included, checked by \`lz::graph_of<decltype(f)>::size\`),"
  echo "compiled with \`${flags[*]:0:2}\` (no -march), one compile at a time."
  echo "\"s\" is wall time, \"cpu s\" user + system time (the better measure on a loaded"
  echo "machine), MB the compiler's maximum resident set (\`/usr/bin/time -f \"%e %M %U %S\"\`),"
  echo "KB the object file's size$( ((repeat > 1)) && echo "; best of $repeat compiles")."
  echo
  echo "$header"
  echo "$rule"
  printf '%s\n' "${lines[@]}"
  if ((${#shared_lines[@]})); then
    echo
    echo "Deep sharing (\`generate.py n --shared\`: the whole expression so far is used twice,"
    echo "twice per 13 steps, as in a chain of residual or swish layers; the graph still has"
    echo "n nodes, the expression tree doubles at each such step). Cut off after ${shared_timeout} s:"
    echo
    echo "$header"
    echo "$rule"
    printf '%s\n' "${shared_lines[@]}"
  fi
  if ((${#mlp_lines[@]})); then
    echo
    echo "The tensor MLP a user writes with raw expressions (\`mlp.py L\`: x [32, 64] float, L hidden"
    echo "layers tanh(h·W_i + b_i) of 64, an output layer, the mean squared error;"
    echo "\`lz::value_and_grad\` with respect to all 2L + 2 parameters, with a workspace)."
    echo "Cut off after ${mlp_timeout} s:"
    echo
    echo "$header" | sed 's/| program | nodes |/| program | L |/'
    echo "$rule"
    printf '%s\n' "${mlp_lines[@]}"
  fi
  if ((${#time_report[@]})); then
    echo
    echo "What dominates g++'s compile of the MLP with L = $report_L: \`-ftime-report\`'s top phases"
    echo "by CPU time (user + system; one more compile, so its figures differ a little from the table's;"
    echo "the phases overlap: \"phase ...\" lines are the totals of the others):"
    echo
    echo "| phase | cpu s | of the total |"
    echo "|---|---:|---:|"
    printf '%s\n' "${time_report[@]}"
  fi
  echo
  if ((${#failures[@]})); then
    echo
    echo "Failed compiles (the first error of each, shortened):"
    echo
    for f in "${failures[@]}"; do echo "- $f"; done
  fi
  echo
  echo "Acceptance (g++): n = 400 under 15 s and 1 GB; a small program under 10 s;"
  echo "the tensor MLP with L = 100 under 30 s and 1 GB; L = 128 compiling with every compiler."
  echo
  printf '%s\n' "${verdict[@]}"
  echo
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM,"
  echo "shared with other jobs: load average $load_before before the series, $load_after after"
  echo "(a load above the core count slows every compile; compare rows of one run)."
  echo
  echo "Compilers:"
  for cxx in "${compilers[@]}"; do echo "- $("$cxx" --version | head -1)"; done
} >"$results"

echo
cat "$results"
((ok)) || exit 1
