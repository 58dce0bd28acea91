#!/usr/bin/env bash
# Benchmark: listing a large prefix through the extension vs the AWS CLI, on the local Ceph radosgw.
# Installs what it needs (npm packages, the S3 server, Debian's awscli); prints figures, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p .
bash scripts/s3-server.sh start
missing=()
command -v aws >/dev/null || missing+=(awscli)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
node bench/list-prefix.mjs "$@"
