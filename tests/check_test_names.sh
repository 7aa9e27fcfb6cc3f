#!/usr/bin/env bash
# doctest_discover_tests registers each test case as a ctest entry through a CMake list, so a
# ';' in a test name splits it into entries that run nothing and still "pass". Refuse them.
set -u
status=0
for exe in "$@"; do
  if [ ! -x "$exe" ]; then echo "$exe: not built"; status=1; continue; fi
  bad=$("$exe" --list-test-cases --no-colors=true 2>/dev/null | grep ';')
  if [ -n "$bad" ]; then
    echo "$exe: test names must not contain ';' (ctest would split them):"
    echo "$bad"
    status=1
  fi
done
exit $status
