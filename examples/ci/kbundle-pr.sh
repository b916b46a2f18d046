#!/usr/bin/env bash
# What CI runs on a pull request (examples/ci/github-actions.yaml and gitlab-ci.yaml call this
# script, and tests/diff_golden.rs runs it on a two-commit repository): `kbundle check` on the
# change, then `kbundle diff --base` as Markdown, written to a file the workflow posts as a
# comment. The exit status is check's when it failed, else diff's (1 on a change at
# KBUNDLE_FAIL_ON). The Markdown is written either way, so the comment shows why a run failed.
#
#   KBUNDLE_BASE         revision to compare with (required), e.g. origin/main
#   KBUNDLE_PATHS        space-separated paths to check and compare (default: .)
#   KBUNDLE_ENVIRONMENT  the Environment, when the paths hold several
#   KBUNDLE_FAIL_ON      error (default), warning or never
#   KBUNDLE_DIFF_OUT     where the Markdown goes (default: kbundle-diff.md)
set -euo pipefail

base="${KBUNDLE_BASE:?set KBUNDLE_BASE to the revision to compare with, e.g. origin/main}"
read -r -a paths <<<"${KBUNDLE_PATHS:-.}"
out="${KBUNDLE_DIFF_OUT:-kbundle-diff.md}"
fail_on="${KBUNDLE_FAIL_ON:-error}"
env_args=()
if [ -n "${KBUNDLE_ENVIRONMENT:-}" ]; then
  env_args=(--environment "$KBUNDLE_ENVIRONMENT")
fi

check=0
kbundle check "${env_args[@]}" "${paths[@]}" || check=$?

diff=0
kbundle diff --base "$base" "${env_args[@]}" --fail-on "$fail_on" --format markdown \
  "${paths[@]}" >"$out" || diff=$?
# The human form goes to the job log.
kbundle diff --base "$base" "${env_args[@]}" --fail-on never "${paths[@]}" || true

if [ "$check" -ne 0 ]; then
  exit "$check"
fi
exit "$diff"
