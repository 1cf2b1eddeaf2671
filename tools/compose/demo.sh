#!/usr/bin/env bash
# npm run demo:compose: the compose stack under podman with the stand-ins of
# compose.offline.yml, healthy, then the demo (tools/demo) run on it: PostgreSQL
# against MongoDB, then SQLite against PostgreSQL. The stack and its volumes are
# removed at the end, also when a step fails. Needs podman, runc, podman-compose
# and debootstrap (.ci/run installs them) and the demo compiled into dist/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
project=dualstore
compose=(podman-compose -p "$project" -f "$root/docker-compose.yml" -f "$root/compose.offline.yml")
log=$(mktemp -t dualstore-compose.XXXXXX.log)
say() { printf 'demo:compose: %s\n' "$*" >&2; }
quiet() { "$@" >>"$log" 2>&1 || { tail -30 "$log" >&2; return 1; }; }

"$here/standins.sh"

say "building the app image from the Dockerfile"
quiet "${compose[@]}" build app-sqlite

# podman-compose 1.0.3 tries every container and volume of the file, slowly: skip it when none exists.
down() {
  [ -n "$(podman ps -aq --filter "label=io.podman.compose.project=$project")$(podman volume ls -q --filter "label=io.podman.compose.project=$project")" ] || return 0
  "${compose[@]}" down -v >>"$log" 2>&1 || true
}
failed() {
  say "failed; the containers' last lines:"
  for service in postgres mongo app-sqlite app-postgres app-mongodb; do
    podman logs --tail 15 "${project}_${service}_1" 2>&1 | sed "s/^/  $service | /" >&2 || true
  done
}
trap 'status=$?; [ $status -eq 0 ] || failed; down; say "stack removed (log: $log)"; exit $status' EXIT
down

# Podman runs healthchecks from systemd timers, which these machines lack: run them here until they pass.
healthy() {
  local container=${project}_$1_1
  for _ in $(seq 90); do
    podman healthcheck run "$container" >/dev/null 2>&1 && return 0
    sleep 2
  done
  say "$1 is not healthy after 180 s"
  return 1
}

say "starting the stores"
quiet "${compose[@]}" up -d postgres mongo
healthy postgres
healthy mongo
say "starting the app once per store"
quiet "${compose[@]}" up -d
for port in 3001 3002 3003; do
  for attempt in $(seq 60); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/posts?limit=1" && break
    [ "$attempt" -lt 60 ] || { say "nothing answers on 127.0.0.1:$port after 60 s"; exit 1; }
    sleep 1
  done
done
podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}  {{.Image}}  {{.Status}}  {{.Ports}}' >&2

say "PostgreSQL (A) against MongoDB (B)"
node "$root/dist/tools/demo/main.js" http://127.0.0.1:3002 http://127.0.0.1:3003
say "SQLite (A) against PostgreSQL (B)"
node "$root/dist/tools/demo/main.js" http://127.0.0.1:3001 http://127.0.0.1:3002
