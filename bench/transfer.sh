#!/usr/bin/env bash
# Benchmark of transfers: the extension's engine vs awscli, rclone, aria2 and curl (Debian's), on the
# local Ceph radosgw. Installs what it needs; prints figures, asserts nothing. Usage: npm run bench:transfer [-- rounds];
# npm run bench:transfer-editor [-- rounds] times the 1 GiB download in the editor instead (bench/transfer-editor.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
[ -d node_modules ] || npm ci --no-audit --no-fund
rm -rf out && npx tsc -p .
bash scripts/s3-server.sh start
bash scripts/apt-install.sh awscli rclone aria2 curl time
# The engine runs on the Node of the editor's extension host: code-server's (Node 24, as the E2E tests use it).
bash scripts/code-server.sh install >/dev/null
eval "$(bash scripts/code-server.sh paths)"
if [ "${1:-}" = "--editor" ]; then
  # The 1 GiB download in the editor itself (bench/transfer-editor.mjs): the packaged extension in code-server.
  shift
  npm run --silent package >/dev/null
  exec node bench/transfer-editor.mjs "$@"
fi
LOGQS_BENCH_EDITOR_NODE="$NODE24" node bench/transfer.mjs "$@"
