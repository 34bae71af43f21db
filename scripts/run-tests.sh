#!/usr/bin/env bash
# `make pytest`: the unit and database tests (no model needed) run while the test model trains, then the tests
# that need the model and real servers, with the test stories (`rasa test core`) beside them. Each pytest run's log
# lines are searched for personal data (tests/conftest.py).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
source scripts/start-test-postgres.sh || exit 1
mkdir -p var
echo "unit and database tests run in the background while the test model trains (output: var/unit-tests.log) …"
TEST_LOG_NAME=unit $PY -m pytest -p no:cacheprovider -m "not model and not server" --durations=10 \
  > var/unit-tests.log 2>&1 &
unit=$!
# `make pytest` has just run `bot build`; training here does not rebuild var/build under the running tests.
mkdir -p "${TEST_MODEL_DIR:=var/test-model}"
$PY -m bot train --out "$TEST_MODEL_DIR" --epochs-scale "${TEST_EPOCHS_SCALE:-1.0}"
trained=$?
wait "$unit"
unit_rc=$?
cat var/unit-tests.log
[ "$trained" -eq 0 ] || { echo "training the test model failed" >&2; exit "$trained"; }
model=$(ls -t "$TEST_MODEL_DIR"/qybot-*.tar.gz | head -1)
echo "test stories run in the background (output: var/stories.log) …"
$PY -m rasa test core --stories tests/test_stories.yml --fail-on-prediction-errors -m "$model" \
  --out var/test-results > var/stories.log 2>&1 &
stories=$!
TEST_LOG_NAME=model $PY -m pytest -p no:cacheprovider -m "model or server" --durations=15
rc=$?
wait "$stories"
stories_rc=$?
grep -E "Correct:|Accuracy:|prediction errors|Failed stories" var/stories.log || true
[ "$unit_rc" -eq 0 ] || { echo "unit and database tests failed (var/unit-tests.log)" >&2; exit "$unit_rc"; }
[ "$stories_rc" -eq 0 ] || { echo "test stories failed (var/stories.log)" >&2; exit "$stories_rc"; }
exit "$rc"
