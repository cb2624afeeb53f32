#!/usr/bin/env bash
# tools/run demo's stages (tools/demo/steps.sh): a step's output goes to the
# log, not the terminal, under one heading; a failing step shows the log's
# tail and its exit status, and stops the run.
set -euo pipefail
top=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# As tools/run uses it: under set -e, in a shell of its own.
rc=0
out=$(bash -c '
  set -euo pipefail
  source "$1/tools/demo/steps.sh"
  steps_begin "$2/logs/demo.log" 3
  step "Quiet step" sh -c "echo apt-noise; echo ninja-noise >&2"
  step "Failing step" sh -c "echo line-before-failure; exit 7"
  echo "not reached"' demo "$top" "$work") || rc=$?
echo "$out"
[ "$rc" -eq 7 ] || fail "the run's status is $rc, not the failing step's 7"
grep -qx "install and build output: $work/logs/demo.log" <<<"$out" || fail "the log's path is not printed"
grep -qx "==> \[1/3\] Quiet step" <<<"$out" || fail "no heading for step 1"
grep -qx "==> \[2/3\] Failing step" <<<"$out" || fail "no heading for step 2"
! grep -q "noise" <<<"$out" || fail "a step's output reached the terminal"
grep -q "apt-noise" "$work/logs/demo.log" || fail "a step's stdout is not in the log"
grep -q "ninja-noise" "$work/logs/demo.log" || fail "a step's stderr is not in the log"
grep -q "FAILED (exit status 7)" <<<"$out" || fail "the failure is not said"
grep -qx "    | line-before-failure" <<<"$out" || fail "the log's tail is not shown on failure"
! grep -q "not reached" <<<"$out" || fail "the run went on after a failed step"
echo "demo steps: ok"
