# compile_fail.cmake: run by CTest for each leibniz_compile_fail() test.
#
#   cmake -DARGS_FILE=<file> -P compile_fail.cmake
#
# ARGS_FILE (written by test/CMakeLists.txt at configure time) sets:
#   CF_NAME      test name (for messages)
#   CF_COMMAND   the compiler command line, as a CMake list
#   CF_REGEX     CMake regex that the compiler's FIRST error must match: the
#                first line of the merged stdout+stderr that holds "error:"
#                (g++ and clang++ both print "<file>:<line>:<col>: error: <text>",
#                the static_assert's message on that same line)
#   CF_OUTPUT_REGEX  (optional) CMake regex that the whole output must match,
#                e.g. the shapes in the instantiation context of a check
#   CF_SOLE      (optional, true) the first error must also be the only one: no cascade
#
# Passes only if the compiler exits non-zero, its first error matches CF_REGEX
# (so our message comes first, before any cascade) and, if given, its output
# matches CF_OUTPUT_REGEX. Otherwise prints why, the command and the full output.
# It runs the compiler directly, never `cmake --build`, so parallel CTest
# does not race on the build tree.

if(NOT ARGS_FILE OR NOT EXISTS "${ARGS_FILE}")
  message(FATAL_ERROR "compile_fail.cmake: ARGS_FILE not given or missing: '${ARGS_FILE}'")
endif()
include("${ARGS_FILE}")

# Plain ASCII quotes and no colour codes, so REGEX sees stable text.
set(ENV{LC_ALL} C)
set(ENV{LANG} C)
unset(ENV{GCC_COLORS})

execute_process(
  COMMAND ${CF_COMMAND}
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _out)

string(REPLACE ";" " " _cmd "${CF_COMMAND}")
string(REGEX MATCH "[^\n]*error:[^\n]*" _first "${_out}")
string(REGEX MATCHALL "error:" _all_errors "${_out}")
list(LENGTH _all_errors _errors)
if(_rc EQUAL 0)
  set(_why "the source compiled, but it must not")
elseif(NOT _rc MATCHES "^-?[0-9]+$")
  set(_why "could not run the compiler (${_rc})")
elseif(NOT _first MATCHES "${CF_REGEX}")
  set(_why "compilation failed (exit ${_rc}), but its first error does not match the regex")
elseif(CF_SOLE AND _errors GREATER 1)
  set(_why "compilation failed (exit ${_rc}) with the expected first error, but ${_errors} errors follow (a cascade)")
elseif(DEFINED CF_OUTPUT_REGEX AND NOT _out MATCHES "${CF_OUTPUT_REGEX}")
  set(_why "compilation failed (exit ${_rc}) with the expected first error, but its output does not match the output regex")
else()
  message(STATUS "[${CF_NAME}] ok: compilation failed (exit ${_rc}) with the expected diagnostic")
  return()
endif()
# message(NOTICE) prints verbatim; FATAL_ERROR would re-wrap the compiler output.
message(NOTICE
  "[${CF_NAME}] FAIL: ${_why}\n"
  "regex:   ${CF_REGEX}\n"
  "output regex: ${CF_OUTPUT_REGEX}\n"
  "first error: ${_first}\n"
  "command: ${_cmd}\n"
  "---------------- compiler output ----------------\n"
  "${_out}"
  "-------------------------------------------------")
message(FATAL_ERROR "[${CF_NAME}] FAIL: ${_why}")
