#!/usr/bin/env bash
# Runs every test on a fresh clone, installing what it needs:
#   lint         ESLint with typescript-eslint's type-checked rules
#   unit         the domain core, adapters and commands in plain Node
#   integration  the S3 adapter and listings against a real Ceph radosgw on 127.0.0.1
#   e2e          the packaged extension in a real VS Code (code-server) driven by Chromium
# Ends with one line "N passed, N failed". Stages: LOGQS_STAGES="unit integration e2e".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STAGES=${LOGQS_STAGES:-unit integration e2e}
# The tests run on the machine's Node 20; the SDK's warning about it would drown the output.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export LOGQS_TEST_SUMMARY=$ROOT/test-artifacts/summary.jsonl
mkdir -p test-artifacts && : > "$LOGQS_TEST_SUMMARY"

step() { printf '\n=== %s ===\n' "$*"; }
# A stage that can't even start counts as one failure, so a broken set-up is never green.
broken() { echo "{\"stage\":\"$1\",\"passes\":0,\"failures\":1,\"pending\":0,\"error\":\"$2\"}" >> "$LOGQS_TEST_SUMMARY"; echo "!!! $1: $2"; }
has() { [[ " $STAGES " == *" $1 "* ]]; }
# Mocha's exit code is not the verdict (the summary's totals are), but a stage that ends without its totals (a test
# file that throws while loading, no test files found) counts as a failure, not as a stage that was never there.
mocha_stage() {
  local stage=$1; shift
  LOGQS_TEST_STAGE=$stage npx mocha --reporter "$ROOT/test/support/summaryReporter.cjs" "$@" || true
  grep -q "\"stage\":\"$stage\"" "$LOGQS_TEST_SUMMARY" || broken "$stage" "mocha ended before reporting its totals"
}

step "install npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || { broken setup "npm ci failed"; }
fi

step "compile and package"
built=1
# A clean out/: compiled tests of deleted sources must not run.
rm -rf out
npx tsc -p . && npm run --silent package || { built=0; broken setup "compile or package failed"; }

step "lint (ESLint + typescript-eslint)"
# Counted as one test: lint errors fail the run like a failing test.
if npx eslint --max-warnings 0 .; then
  echo '{"stage":"lint","passes":1,"failures":0,"pending":0}' >> "$LOGQS_TEST_SUMMARY"
else
  broken lint "ESLint found problems"
fi

if has unit && [ $built = 1 ]; then
  step "unit tests"
  mocha_stage unit 'out/test/unit/**/*.test.js'
fi

if (has integration || has e2e) && [ $built = 1 ]; then
  step "S3 server (Ceph radosgw)"
  # A server that was already up (a developer's) is left running; one started here is stopped.
  if ! bash scripts/s3-server.sh status >/dev/null 2>&1; then
    trap 'bash scripts/s3-server.sh stop >/dev/null 2>&1 || true' EXIT
  fi
  if bash scripts/s3-server.sh start; then
    s3_up=1
  else
    s3_up=0; broken s3-server "the S3 server did not start"
  fi
fi

if (has integration || has e2e) && [ $built = 1 ]; then
  step "clients the acceptance tests run (Debian's boto3 and AWS CLI)"
  bash scripts/apt-install.sh python3-boto3 awscli || broken clients "python3-boto3 or awscli could not be installed"
fi

if has integration && [ $built = 1 ] && [ "${s3_up:-0}" = 1 ]; then
  step "integration tests (real S3 server)"
  mocha_stage integration --timeout 60000 'out/test/integration/**/*.test.js'
fi

if has e2e && [ $built = 1 ] && [ "${s3_up:-0}" = 1 ]; then
  step "end-to-end tests (code-server + Chromium)"
  if bash scripts/code-server.sh install; then
    mocha_stage e2e --timeout 300000 'test/e2e/**/*.e2e.mjs'
  else
    broken e2e "code-server or Chromium could not be installed"
  fi
fi

step "summary"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
let passed = 0, failed = 0, skipped = 0;
for (const s of lines) {
  console.log(`${s.stage.padEnd(12)} ${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ""}${s.error ? ` (${s.error})` : ""}`);
  passed += s.passes; failed += s.failures; skipped += s.pending;
}
if (lines.length === 0) { failed = 1; console.log("no test stage ran"); }
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
' "$LOGQS_TEST_SUMMARY"
