#!/bin/sh
# Bootstrap for every npm entry point (`npm test`, `npm run demo`, `npm run stack`): makes sure the
# Node dependencies match package-lock.json (running `npm ci` on a fresh clone or after the lock
# changed), then hands over to the `sluice` CLI (cli/main.ts). Keeps the README's two commands self-sufficient.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
stamp=node_modules/.sluice-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -d node_modules ] || [ "$want" != "$have" ]; then
  echo "[sluice] installing Node dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
exec node --import tsx cli/main.ts "$@"
