#!/usr/bin/env bash
# The action's gate step (action.yml): runs rushgate with the action's inputs (RUSHGATE_* variables) and
# records its exit code in $GITHUB_OUTPUT instead of failing here, so the report is uploaded before the
# last step fails the job with that code. rushgate itself writes the `::error` annotations (one per failed
# rule, when GITHUB_ACTIONS=true) and appends the verdict to $GITHUB_STEP_SUMMARY.
set -u
rushgate=(node "${GITHUB_ACTION_PATH:?}/bin/rushgate.js")
out="${RUSHGATE_OUT:-rushgate-report}"
args=(run --ci --scenario "${RUSHGATE_SCENARIO:-eu-morning}" --stack "${RUSHGATE_STACK:-local}" --units "${RUSHGATE_UNITS:-2}" --out "$out")
[ -n "${RUSHGATE_TARGET_COMMAND:-}" ] && args+=(--target-command "$RUSHGATE_TARGET_COMMAND")
[ -n "${RUSHGATE_PUBLISHER:-}" ] && args+=(--publisher "$RUSHGATE_PUBLISHER")
[ -n "${RUSHGATE_DURATION:-}" ] && args+=(--duration "$RUSHGATE_DURATION")
[ -n "${RUSHGATE_PEAK_RPS:-}" ] && args+=(--peak-rps "$RUSHGATE_PEAK_RPS")
[ -n "${RUSHGATE_LIMITS_FILE:-}" ] && args+=(--limits-file "$RUSHGATE_LIMITS_FILE")
while IFS= read -r limit; do
  [ -n "$limit" ] && args+=(--limit "$limit")
done <<< "${RUSHGATE_LIMITS:-}"
# Extra options are one line of words, split as a shell would.
read -r -a extra <<< "${RUSHGATE_ARGS:-}"

"${rushgate[@]}" "${args[@]}" "${extra[@]}"
code=$?
case "$code" in
  0) verdict=passed ;;
  1) verdict=failed ;;
  *) verdict=error ;;
esac
{
  echo "exit-code=$code"
  echo "verdict=$verdict"
  echo "report-dir=$out"
} >> "${GITHUB_OUTPUT:?}"
echo "rushgate: gate $verdict (exit code $code); report in $out"
