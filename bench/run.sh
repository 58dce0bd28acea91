#!/usr/bin/env bash
# Benchmark: listing a large prefix through the extension vs the AWS CLI, on the local Ceph radosgw.
# Installs what it needs (npm packages, the S3 server, Debian's awscli); prints figures, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p .
bash scripts/s3-server.sh start
bash scripts/apt-install.sh awscli time
node bench/list-prefix.mjs "$@"
