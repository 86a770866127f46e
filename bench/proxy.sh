#!/usr/bin/env bash
# bench/proxy.sh - the sandbox's network path against direct loopback, one
# run, side by side, reported as ratios. "Through the proxy" runs inside srt
# and crosses the real sandbox listener (localhost:3128 in the sandbox's
# network namespace) to srt's HTTP proxy; "direct" is the same client on the
# host. Origin and echo peer: srt-bench-netsrv on 127.0.0.1 (ephemeral ports).
#
# Exact command (from the repository root, after building):
#   bench/proxy.sh build-e2enet
# usage: bench/proxy.sh [BUILD_DIR] [GET_COUNT] [CONN_COUNT] [RTT_COUNT]
#
# Targets: 1 GiB download >= 0.75x direct; 300 GETs (16 parallel) >= 0.5x
# direct; >= 1,500 sequential connections/s through the proxy; added round
# trip p50 <= 50 us. Not a test: prints numbers, exits 0 unless a step broke.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
case $build in /*) ;; *) build=$root/$build ;; esac
gets=${2:-300}
conns=${3:-3000}
rtts=${4:-20000}
srt=$build/bin/srt
srv=$build/bench/srt-bench-netsrv
cli=$build/bench/srt-bench-netcli
for f in "$srt" "$srv" "$cli"; do
  [ -x "$f" ] || { echo "build first: cmake --build $build ($f missing)"; exit 1; }
done
command -v curl >/dev/null || { echo "curl is needed"; exit 1; }

work=$(mktemp -d /tmp/srt-bench-proxy-XXXXXX)
chmod 755 "$work"
srv_pid=
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$srv" "$work/ports" & srv_pid=$!
for _ in $(seq 100); do [ -f "$work/ports" ] && break; sleep 0.05; done
. "$work/ports"   # HTTP_PORT ECHO_PORT
settings=$work/settings.json
cat > "$settings" <<JSON
{"network":{"allowedDomains":["127.0.0.1:$HTTP_PORT","127.0.0.1:$ECHO_PORT"],"deniedDomains":[]},
 "filesystem":{"denyRead":[],"allowWrite":[],"denyWrite":[]}}
JSON
chmod 644 "$settings"
GIB=1073741824
url=http://127.0.0.1:$HTTP_PORT
# NO_PROXY inside the sandbox lists 127.0.0.1, so the proxy is named explicitly.
via="--noproxy '' -x http://localhost:3128"

# in_srt LINE: run LINE in the sandbox, sampling srt's peak RSS (VmHWM, KiB)
# into $work/rss while it runs.
in_srt() {
  "$srt" -s "$settings" -c "$1" > "$work/out" &
  local pid=$! hwm=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$v" ] && hwm=$v
    sleep 0.05
  done
  wait "$pid"
  echo "$hwm" > "$work/rss"
  cat "$work/out"
}

dl='-s -o /dev/null -w %{speed_download}'
echo "1 GiB download (curl, bytes/s) ..."
d_dl=$(curl $dl "$url/bytes/$GIB")
p_dl=$(in_srt "curl $dl $via $url/bytes/$GIB")
rss_abs=$(cat "$work/rss")
p_tun=$(in_srt "curl $dl -p $via $url/bytes/$GIB")
rss_tun=$(cat "$work/rss")

echo "$gets GETs, 16 in parallel ..."
{
  for i in $(seq "$gets"); do printf 'url = "%s/bytes/1024?%d"\noutput = "/dev/null"\n' "$url" "$i"; done
} > "$work/gets.cfg"
chmod 644 "$work/gets.cfg"
get_run='s=$(date +%s%N); curl -s --no-progress-meter -Z --parallel-max 16 -w "%{http_code}\n" -K '"$work/gets.cfg"' ARGS | grep -c "^200$"; e=$(date +%s%N); echo $(( (e - s) / 1000 ))'
d_get=$(bash -c "${get_run/ARGS/}" | tr '\n' ' ')
p_get=$(in_srt "${get_run/ARGS/$via}" | tr '\n' ' ')
read -r d_get_ok d_get_us <<<"$d_get"
read -r p_get_ok p_get_us <<<"$p_get"
[ "$d_get_ok" = "$gets" ] && [ "$p_get_ok" = "$gets" ] || {
  echo "GETs failed: direct $d_get_ok/$gets, proxy $p_get_ok/$gets"; exit 1; }

echo "sequential connections ($conns) ..."
d_conn=$("$cli" conns - - 127.0.0.1 "$ECHO_PORT" "$conns" | sed 's/.*=//')
p_conn=$(in_srt "$cli conns localhost 3128 127.0.0.1 $ECHO_PORT $conns" | sed 's/.*=//')

echo "round trips ($rtts x 64 bytes) ..."
d_rtt=$("$cli" rtt - - 127.0.0.1 "$ECHO_PORT" "$rtts")
p_rtt=$(in_srt "$cli rtt localhost 3128 127.0.0.1 $ECHO_PORT $rtts")
field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }

awk -v d_dl="$d_dl" -v p_dl="$p_dl" -v p_tun="$p_tun" \
    -v gets="$gets" -v d_get_us="$d_get_us" -v p_get_us="$p_get_us" \
    -v d_conn="$d_conn" -v p_conn="$p_conn" \
    -v d50="$(field p50_us "$d_rtt")" -v d99="$(field p99_us "$d_rtt")" \
    -v p50="$(field p50_us "$p_rtt")" -v p99="$(field p99_us "$p_rtt")" \
    -v rss_abs="$rss_abs" -v rss_tun="$rss_tun" 'BEGIN {
  mb = 1000000
  dr = gets / (d_get_us / 1e6); pr = gets / (p_get_us / 1e6)
  printf "\n%-40s %14s %14s %9s %8s\n", "metric", "direct", "via srt", "ratio", "target"
  printf "%-40s %9.0f MB/s %9.0f MB/s %8.2fx %8s\n", "1 GiB download, absolute-form GET", d_dl / mb, p_dl / mb, p_dl / d_dl, ">=0.75x"
  printf "%-40s %9.0f MB/s %9.0f MB/s %8.2fx %8s\n", "1 GiB download, CONNECT tunnel", d_dl / mb, p_tun / mb, p_tun / d_dl, ">=0.75x"
  printf "%-40s %9.0f r/s  %9.0f r/s  %8.2fx %8s\n", gets " GETs of 1 KiB, 16 parallel", dr, pr, pr / dr, ">=0.5x"
  printf "%-40s %9.0f c/s  %9.0f c/s  %8.2fx %8s\n", "sequential connections (+1-byte echo)", d_conn, p_conn, p_conn / d_conn, ">=1500/s"
  printf "%-40s %9.1f us   %9.1f us   %+7.1fus %8s\n", "round trip p50 (64 B ping-pong)", d50, p50, p50 - d50, "<=+50us"
  printf "%-40s %9.1f us   %9.1f us   %+7.1fus %8s\n", "round trip p99", d99, p99, p99 - d99, "-"
  printf "%-40s %14s %9.1f MiB %9s %8s\n", "srt peak RSS, absolute-form download", "-", rss_abs / 1024, "", "-"
  printf "%-40s %14s %9.1f MiB %9s %8s\n", "srt peak RSS, tunnel download", "-", rss_tun / 1024, "", "-"
}'
