#!/usr/bin/env bash
# Starts the extension for a person to try, on a fresh clone, installing what it needs:
#   - a real S3 server (Ceph radosgw) on 127.0.0.1:7480 with sample robot logs in bucket logqs-sample
#   - a real VS Code (code-server) on http://127.0.0.1:${LOGQS_TRY_PORT:-8080} with the extension
#     installed and a pre-configured (managed) object store "logqs-sample" scoped to logs/
# Usage: bash scripts/try.sh [start|stop]
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LOGQS_TRY_PORT:-8080}
# Outside the clone: a workspace inside it makes VS Code offer to open the parent git repository.
STATE=${LOGQS_TRY_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/logqs-try}
S3_ENDPOINT=${LOGQS_S3_ENDPOINT:-http://127.0.0.1:${LOGQS_S3_PORT:-7480}}

if [ "${1:-start}" = stop ]; then
  bash scripts/code-server.sh stop --user-data-dir "$STATE/user-data" || true
  bash scripts/s3-server.sh stop
  exit 0
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent package
bash scripts/s3-server.sh start
LOGQS_S3_ENDPOINT=$S3_ENDPOINT node --no-warnings scripts/s3-seed.mjs logqs-sample
bash scripts/code-server.sh install

mkdir -p "$STATE/user-data/User" "$STATE/workspace"
# The store is provisioned the way LogQS provisions managed stores: a file named by a setting.
node - "$STATE" "$S3_ENDPOINT" <<'JS'
const fs = require('fs');
const path = require('path');
const [state, endpoint] = process.argv.slice(2);
const managed = path.join(state, 'managed-object-stores.json');
fs.writeFileSync(managed, JSON.stringify({
  objectStores: [{
    name: 'logqs-sample',
    bucket_name: 'logqs-sample',
    region_name: 'us-east-1',
    access_key_id: process.env.LOGQS_S3_ACCESS_KEY || 'TESTACCESSKEY',
    secret_access_key: process.env.LOGQS_S3_SECRET_KEY || 'TESTSECRETKEY123',
    endpoint_url: endpoint,
    key_prefix: 'logs/',
    default: true,
    note: 'Sample robot logs on the local Ceph radosgw started by scripts/try.sh',
  }],
}, null, 2), { mode: 0o600 });
const settingsFile = path.join(state, 'user-data', 'User', 'settings.json');
let settings = {};
try { settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch {}
fs.writeFileSync(settingsFile, JSON.stringify({
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
  ...settings,
  'logqs.managedObjectStoresFile': managed,
}, null, 2));
JS

bash scripts/code-server.sh stop --user-data-dir "$STATE/user-data" >/dev/null 2>&1 || true
bash scripts/code-server.sh start --port "$PORT" --user-data-dir "$STATE/user-data" \
  --extensions-dir "$STATE/extensions" --vsix dist/logqs-object-stores.vsix --workspace "$STATE/workspace"
cat <<MSG

LogQS Object Stores is running in VS Code (code-server): http://127.0.0.1:$PORT/?folder=$STATE/workspace
Open the LogQS icon in the activity bar: the managed store "logqs-sample" lists the sample logs.
To add your own store against the same server: LogQS: Add Object Store, bucket logqs-sample,
access key TESTACCESSKEY, secret TESTSECRETKEY123, endpoint $S3_ENDPOINT.
Stop everything with: bash scripts/try.sh stop
MSG
