#!/usr/bin/env bash
# test_e2e_net.sh - the network path end to end through the built srt: the
# sandbox's proxy variables, the HTTP proxy (absolute-form and CONNECT), the
# SOCKS5 proxy, srt-connect, the resolved-address guard, direct egress, and
# the violation reports (stderr summary, --trace). THREATS.md N1-N14, N19, N20.
#
# Runs as root in a private mount and network namespace of its own: test
# names reach 127.0.0.1 through a bind-mounted hosts file, a bind-mounted
# resolv.conf points at a DNS peer that logs each query, and the origins
# (peers.py) listen on that namespace's loopback, so nothing here touches the
# machine's network or its /etc. Every check asserts what an origin saw (or
# that it saw nothing), not only a status. The checks that depend on who runs
# srt are repeated as the unprivileged user srt-test.
set -u
B=${SRT_BUILD_DIR:?}
HERE=$(cd "$(dirname "$0")" && pwd)
SRT=$B/bin/srt
CONNECT=$B/libexec/srt/srt-connect
P=$HERE/peers.py

skip() { echo "skip: $1"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (private network namespace, bind mounts)"
for t in unshare runuser python3 curl openssl ip; do
  command -v "$t" >/dev/null || skip "$t not installed"
done
[ -x "$SRT" ] || { echo "FAIL: $SRT not built"; exit 1; }
if [ -z "${E2E_NET_NS:-}" ]; then
  E2E_NET_NS=1 exec unshare -m -n --propagation private bash "$0" "$@"
fi

T=$(mktemp -d /tmp/srt-e2enet-XXXXXX)
chmod 755 "$T"
PEERS_PID=
cleanup() {
  [ -n "$PEERS_PID" ] && kill "$PEERS_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
# check NAME CONDITION: CONDITION is evaluated; on failure the sandbox's
# output is shown so the report carries the exact evidence.
check() {
  if eval "$2"; then ok "$1"; else
    bad "$1"
    sed 's/^/    out: /' "$T/out" 2>/dev/null | head -8
    sed 's/^/    err: /' "$T/err" 2>/dev/null | head -4
    return 1
  fi
}

# --- the namespace: loopback up, one more local address, names and DNS.
ip link set lo up
ip addr add 10.77.0.1/32 dev lo        # an own-interface address that is not loopback
cat > "$T/hosts" <<'EOF'
127.0.0.1 localhost
::1 localhost
127.0.0.1 allowed.test api.allowed.test denied.test evilallowed.test
127.0.0.1 rebind.test x.both.test y.both.test both.test ports.test other.test
169.254.169.254 meta.test
10.77.0.1 own.test
EOF
echo 'nameserver 127.0.0.1' > "$T/resolv.conf"
chmod 644 "$T/hosts" "$T/resolv.conf"
mount --bind "$T/hosts" /etc/hosts
mount --bind "$T/resolv.conf" /etc/resolv.conf

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=allowed.test -addext subjectAltName=DNS:allowed.test \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || { echo "FAIL: openssl req"; exit 1; }
chmod 644 "$T/cert.pem"

python3 "$P" serve "$T" & PEERS_PID=$!
for _ in $(seq 100); do [ -f "$T/ports" ] && break; sleep 0.05; done
[ -f "$T/ports" ] || { echo "FAIL: peers did not start"; exit 1; }
. "$T/ports"   # ORIGIN_PORT REBIND_PORT TLS_PORT ECHO_PORT WIDE_PORT UDP_PORT

# Main policy. Names map to 127.0.0.1, so the guard admits them only on the
# ports whose 127.0.0.1:<port> is listed: ORIGIN, TLS and ECHO, never REBIND.
cat > "$T/s.json" <<EOF
{"network":{"allowedDomains":["allowed.test","127.0.0.1:$ORIGIN_PORT","127.0.0.1:$TLS_PORT",
  "127.0.0.1:$ECHO_PORT","both.test","*.both.test","ports.test:$ORIGIN_PORT","rebind.test",
  "meta.test","own.test","*.dns.test"],
  "deniedDomains":["denied.test","both.test","x.both.test","*.exfil.test"]},
 "filesystem":{"denyRead":[],"allowWrite":["$T/rw"],"denyWrite":[]}}
EOF
mkdir -p "$T/rw" && chmod 777 "$T/rw"
chmod 644 "$T"/*.json

rc=0
# sb SETTINGS LINE [SRT OPTIONS...]: run LINE in the sandbox as $AS.
sb() {
  local s=$1 line=$2; shift 2
  $AS "$SRT" "$@" -s "$s" -c "$line" >"$T/out" 2>"$T/err"; rc=$?
}
seen() { [ -f "$T/$1.log" ] && wc -l < "$T/$1.log" || echo 0; }
O=http://allowed.test:$ORIGIN_PORT
PROXY_RAW="python3 $P raw localhost 3128"
# codes URL...: inside the sandbox, one curl per URL through the proxy
# variables, printing the status codes on one line.
CODES='codes() { for u; do curl -s -o /dev/null -w "%{http_code} " "$u"; done; }; codes'


# --- checks that depend on who runs srt: run as root and as srt-test.
common_checks() {
  local who=$1 n

  sb "$T/s.json" 'for v in HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy; do printf "%s=%s\n" $v "$(printenv $v)"; done'
  check "$who: proxy variables point at localhost:3128" \
    "[ \$(grep -c '=http://localhost:3128\$' $T/out) -eq 6 ]"

  n=$(seen origin)
  sb "$T/s.json" "curl -sS $O/get-$who"
  check "$who: GET through the proxy returns the origin's body, Host preserved" \
    "[ $rc -eq 0 ] && grep -qx 'origin GET /get-$who host=allowed.test:$ORIGIN_PORT len=0 chunked=0 sha=e3b0c44298fc1c14' $T/out && [ \$(seen origin) -eq $((n + 1)) ]"

  n=$(seen origin)
  sb "$T/s.json" "curl -sS -i http://denied.test:$ORIGIN_PORT/denied-$who"
  check "$who: denied host gets 403 blocked-by-allowlist, origin never contacted" \
    "grep -q '^HTTP/1.1 403' $T/out && grep -qi '^X-Proxy-Error: blocked-by-allowlist' $T/out && [ \$(seen origin) -eq $n ]"

  sb "$T/s.json" "curl -sS --cacert $T/cert.pem https://allowed.test:$TLS_PORT/tls-$who"
  check "$who: HTTPS through CONNECT, certificate verifies, body correct" \
    "[ $rc -eq 0 ] && grep -qx 'tls GET /tls-$who host=allowed.test:$TLS_PORT.*' $T/out"

  sb "$T/s.json" "python3 $P socks localhost 1080 domain allowed.test $ECHO_PORT ping-$who"
  check "$who: SOCKS5 (RFC 1928 client) TCP echo round trip" \
    "grep -qx 'rep=0' $T/out && grep -qx 'echo=ping-$who' $T/out"

  sb "$T/s.json" "echo tunnel-$who | $CONNECT localhost 3128 allowed.test $ECHO_PORT"
  check "$who: srt-connect tunnel to an allowed echo server round-trips" \
    "[ $rc -eq 0 ] && grep -qx 'tunnel-$who' $T/out"

  n=$(seen echo)
  sb "$T/s.json" "echo x | $CONNECT localhost 3128 denied.test $ECHO_PORT"
  check "$who: srt-connect to a denied host exits 1 with the 403 line" \
    "[ $rc -eq 1 ] && grep -q 'proxy refused: HTTP/1.1 403' $T/err && [ \$(seen echo) -eq $n ]"

  n=$(seen origin)
  sb "$T/s.json" "curl -sS --noproxy '*' --max-time 3 http://127.0.0.1:$ORIGIN_PORT/direct"
  check "$who: curl --noproxy '*' fails and the origin saw nothing" \
    "[ $rc -ne 0 ] && [ \$(seen origin) -eq $n ]"

  n=$(seen wide)
  sb "$T/s.json" "python3 $P tcp 127.0.0.1 $WIDE_PORT; python3 $P tcp 10.77.0.1 $WIDE_PORT"
  check "$who: raw connect to the outside's loopback and address fails (ECONNREFUSED, ENETUNREACH)" \
    "[ \"\$(tr '\n' ' ' < $T/out)\" = 'ECONNREFUSED ENETUNREACH ' ] && [ \$(seen wide) -eq $n ]"

  n=$(seen udp)
  sb "$T/s.json" "python3 $P udp 8.8.8.8 53; python3 $P udp 10.77.0.1 443; python3 $P udp 127.0.0.1 $UDP_PORT"
  check "$who: UDP to 8.8.8.8:53 and to the outside's address fails, to its loopback never arrives (N3, N20)" \
    "[ \"\$(head -2 $T/out | tr '\n' ' ')\" = 'ENETUNREACH ENETUNREACH ' ] && sleep 0.2 && [ \$(seen udp) -eq $n ]"
}

AS=
common_checks root
if ! id srt-test >/dev/null 2>&1; then
  useradd --system --no-create-home srt-test >/dev/null 2>&1
fi
if id srt-test >/dev/null 2>&1; then
  mkdir -p "$T/home-srt-test" && chown srt-test: "$T/home-srt-test"
  AS="runuser -u srt-test -- env HOME=$T/home-srt-test"
  common_checks srt-test
  AS=
else
  bad "cannot create the srt-test user"
fi

# --- HTTP absolute-form.
sb "$T/s.json" "curl -sS --data-binary 'hello body' $O/post"
check "POST with a body reaches the origin intact" \
  "grep -qx \"origin POST /post host=allowed.test:$ORIGIN_PORT len=10 chunked=0 sha=$(printf 'hello body' | sha256sum | cut -c1-16)\" $T/out"

head -c 300000 /dev/urandom > "$T/upload.bin"
chmod 644 "$T/upload.bin"
sb "$T/s.json" "curl -sS -H 'Transfer-Encoding: chunked' --data-binary @$T/upload.bin $O/chunked"
check "chunked upload arrives chunked and byte-exact" \
  "grep -qx \"origin POST /chunked host=allowed.test:$ORIGIN_PORT len=300000 chunked=1 sha=$(sha256sum < "$T/upload.bin" | cut -c1-16)\" $T/out"

head -c 2500000 /dev/urandom > "$T/big.bin"
chmod 644 "$T/big.bin"
sb "$T/s.json" "curl -sS -H 'Expect: 100-continue' --data-binary @$T/big.bin $O/expect"
check "2.5 MB POST with Expect: 100-continue arrives byte-exact" \
  "grep -qx \"origin POST /expect host=allowed.test:$ORIGIN_PORT len=2500000 chunked=0 sha=$(sha256sum < "$T/big.bin" | cut -c1-16)\" $T/out"

sb "$T/s.json" "curl -sS -x 'http://[::1]:3128' $O/v6; curl -sS --socks5-hostname '[::1]:1080' $O/v6s"
check "the proxies also listen on ::1 inside the sandbox" \
  "grep -q '^origin GET /v6 ' $T/out && grep -q '^origin GET /v6s ' $T/out"

sb "$T/s.json" "curl -sS $O/quiet"
check "a run without refusals prints no violation summary" \
  "grep -q '^origin GET /quiet' $T/out && ! grep -q violation $T/err"

n=$(seen origin)
sb "$T/s.json" "$PROXY_RAW 'GET $O/ka1 HTTP/1.1\r\nHost: allowed.test:$ORIGIN_PORT\r\n\r\n' 'GET http://denied.test:$ORIGIN_PORT/ka2 HTTP/1.1\r\nHost: denied.test:$ORIGIN_PORT\r\n\r\n'"
check "keep-alive: 200 then 403 for a denied host on the same connection (N13)" \
  "[ \"\$(grep ^HTTP $T/out | cut -c1-12 | tr '\n' ' ')\" = 'HTTP/1.1 200 HTTP/1.1 403 ' ]"
check "keep-alive: the origin saw only the first request" \
  "[ \$(seen origin) -eq $((n + 1)) ] && ! grep -q /ka2 $T/origin.log"

n=$(seen origin)
sb "$T/s.json" "$PROXY_RAW 'GET $O/n12 HTTP/1.1\r\nHost: denied.test\r\n\r\n'"
check "Host header naming another host: routed to the checked authority or refused (N12)" \
  "grep -q 'HTTP/1.1 421\|HTTP/1.1 403\|HTTP/1.1 400' $T/out && [ \$(seen origin) -eq $n ] || grep -qx 'body:origin GET /n12 host=allowed.test:$ORIGIN_PORT.*' $T/out"

n=$(seen origin)
for shape in \
  "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab" \
  "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" \
  "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" \
  "X-A: 1\r\n folded\r\n\r\n" \
  "X-A: 1\nX-B: 2\r\n\r\n"; do
  sb "$T/s.json" "$PROXY_RAW 'POST $O/smuggle HTTP/1.1\r\nHost: allowed.test:$ORIGIN_PORT\r\n$shape'"
  check "smuggling shape answered 400: $(printf '%s' "$shape" | cut -c1-40) (N14)" \
    "grep -q '^HTTP/1.1 400' $T/out"
done
check "smuggling shapes never reached the origin" "[ \$(seen origin) -eq $n ]"

# --- CONNECT.
n=$(seen tls)
sb "$T/s.json" "curl -sS -i --cacert $T/cert.pem https://denied.test:$TLS_PORT/"
check "CONNECT to a denied host: 403 and the TLS server saw nothing" \
  "grep -q '^HTTP/1.1 403' $T/out && [ \$(seen tls) -eq $n ]"

# Deny beats exact and wildcard allow; a wildcard still admits the rest.
sb "$T/s.json" "$CODES http://both.test:$ORIGIN_PORT/ http://x.both.test:$ORIGIN_PORT/ http://y.both.test:$ORIGIN_PORT/"
check "deny beats exact and wildcard allow (both.test, x.both.test 403; y.both.test 200)" \
  "[ \"\$(cat $T/out)\" = '403 403 200 ' ]"

cat > "$T/wild.json" <<EOF
{"network":{"allowedDomains":["*.allowed.test","127.0.0.1:$ORIGIN_PORT"],"deniedDomains":[]},
 "filesystem":{"denyRead":[],"allowWrite":[],"denyWrite":[]}}
EOF
chmod 644 "$T/wild.json"
sb "$T/wild.json" "$CODES http://api.allowed.test:$ORIGIN_PORT/ http://allowed.test:$ORIGIN_PORT/ http://evilallowed.test:$ORIGIN_PORT/"
check "*.allowed.test admits api.allowed.test, refuses the apex and evilallowed.test" \
  "[ \"\$(cat $T/out)\" = '200 403 403 ' ]"

cat > "$T/empty.json" <<EOF
{"network":{"allowedDomains":[],"deniedDomains":[]},
 "filesystem":{"denyRead":[],"allowWrite":[],"denyWrite":[]}}
EOF
chmod 644 "$T/empty.json"
n=$(seen origin); t=$(seen tls)
sb "$T/empty.json" "$CODES $O/; curl -s -o /dev/null -w '%{http_code} ' --noproxy '' -x http://localhost:3128 http://127.0.0.1:$ORIGIN_PORT/ --cacert $T/cert.pem https://allowed.test:$TLS_PORT/; python3 $P socks localhost 1080 ipv4 127.0.0.1 $ECHO_PORT"
check "empty allowedDomains refuses everything: HTTP, CONNECT, SOCKS5 (N1, CVE-2025-66479)" \
  "[ \"\$(tr '\n' ' ' < $T/out)\" = '403 403 000 rep=2 ' ] && [ \$(seen origin) -eq $n ] && [ \$(seen tls) -eq $t ]"

# --- the resolved-address guard.
n=$(seen rebind)
sb "$T/s.json" "curl -sS -i http://rebind.test:$REBIND_PORT/"
check "DNS rebinding: allowed name resolving to 127.0.0.1 gets 403 blocked-by-sandbox-runtime (N9)" \
  "grep -q '^HTTP/1.1 403' $T/out && grep -qi '^X-Proxy-Error: blocked-by-sandbox-runtime' $T/out && grep -qi loopback $T/out && [ \$(seen rebind) -eq $n ]"
sed "s/\"rebind.test\"/\"rebind.test\",\"127.0.0.1:$REBIND_PORT\"/" "$T/s.json" > "$T/rebind.json"
chmod 644 "$T/rebind.json"
sb "$T/rebind.json" "curl -sS http://rebind.test:$REBIND_PORT/listed"
check "DNS rebinding: reachable once 127.0.0.1:<port> is listed" \
  "grep -qx 'rebind GET /listed host=rebind.test:$REBIND_PORT.*' $T/out && [ \$(seen rebind) -eq $((n + 1)) ]"

n=$(seen rebind)
for h in 2130706433 0x7f.1 127.1 0177.0.0.1 '[::ffff:127.0.0.1]' '[64:ff9b::7f00:1]' 127.0.0.1; do
  sb "$T/s.json" "$PROXY_RAW 'CONNECT $h:$REBIND_PORT HTTP/1.1\r\nHost: $h:$REBIND_PORT\r\n\r\n'"
  check "IP literal spelling $h:<unlisted port> gets 403 (N7)" "grep -q '^HTTP/1.1 403' $T/out"
done
check "IP literal spellings never reached the server" "[ \$(seen rebind) -eq $n ]"
for h in 2130706433 0x7f.1 127.1 0177.0.0.1 '[::ffff:127.0.0.1]'; do
  sb "$T/s.json" "$PROXY_RAW 'GET http://$h:$ORIGIN_PORT/spell HTTP/1.1\r\n\r\n'"
  check "$h:<listed port> canonicalises to 127.0.0.1 and is dialed there" \
    "grep -qx 'body:origin GET /spell host=127.0.0.1:$ORIGIN_PORT.*' $T/out"
done

sb "$T/s.json" "$PROXY_RAW 'CONNECT 169.254.169.254:80 HTTP/1.1\r\n\r\n'; $PROXY_RAW 'CONNECT [fd00:ec2::254]:80 HTTP/1.1\r\n\r\n'; $PROXY_RAW 'CONNECT 100.100.100.200:80 HTTP/1.1\r\n\r\n'; curl -s -i http://meta.test/latest/"
check "metadata addresses get 403, also by an allowed name resolving there (N8)" \
  "[ \$(grep -c '^HTTP/1.1 403' $T/out) -eq 4 ] && grep -qi '^X-Proxy-Error: blocked-by-sandbox-runtime' $T/out"
n=$(seen wide)
sb "$T/s.json" "curl -s -i http://own.test:$WIDE_PORT/"
check "allowed name resolving to the host's own address gets 403 (guard)" \
  "grep -q '^HTTP/1.1 403' $T/out && [ \$(seen wide) -eq $n ]"

# --- strict ports and authorities (N10, N11, N19).
n=$(seen origin)
for a in "allowed.test:0" "allowed.test:65536" "allowed.test:+$ORIGIN_PORT" "allowed.test:${ORIGIN_PORT}x" \
         "allowed.test:" "allowed.test" "allowed.test: $ORIGIN_PORT" "allowed.test:0x50"; do
  sb "$T/s.json" "$PROXY_RAW 'CONNECT $a HTTP/1.1\r\n\r\n'"
  check "odd port CONNECT '$a' refused 400/403 (N10)" "grep -q '^HTTP/1.1 40[03]' $T/out"
done
check "odd ports never reached the origin" "[ \$(seen origin) -eq $n ]"
sb "$T/s.json" "$CODES http://ports.test:$ORIGIN_PORT/ http://ports.test:$REBIND_PORT/"
check "port-scoped allow ports.test:<port>: that port 200, another 403 (N10, N19)" \
  "[ \"\$(cat $T/out)\" = '200 403 ' ]"
n=$(seen origin)
for a in "allowed.test@denied.test:$ORIGIN_PORT" "denied.test%00.allowed.test:$ORIGIN_PORT" \
         "denied.test#.allowed.test:$ORIGIN_PORT" "denied.test\\x00.allowed.test:$ORIGIN_PORT" \
         "allowed.test:$ORIGIN_PORT@denied.test:$ORIGIN_PORT" "allowed.test%2edenied.test:$ORIGIN_PORT"; do
  sb "$T/s.json" "$PROXY_RAW 'CONNECT $a HTTP/1.1\r\n\r\n'"
  check "authority confusion CONNECT '$a' refused (N11)" "grep -q '^HTTP/1.1 40[03]' $T/out"
  sb "$T/s.json" "$PROXY_RAW 'GET http://$a/n11 HTTP/1.1\r\n\r\n'"
  check "authority confusion GET 'http://$a/' refused (N11)" "grep -q '^HTTP/1.1 40[03]' $T/out"
done
check "authority confusion never reached the origin" "[ \$(seen origin) -eq $n ]"
sb "$T/s.json" "curl -sS http://ALLOWED.test.:$ORIGIN_PORT/case"
check "ALLOWED.test. matches allowed.test (N11)" "grep -q '^origin GET /case' $T/out"

# --- the proxy resolves only allowed names (N4).
sb "$T/s.json" "$CODES http://s3cr3t.exfil.test/ http://s3cr3t.unlisted.test/ https://s3cr3t2.exfil.test/ http://probe.dns.test/"
check "denied and unlisted names are never resolved; an allowed one is (N4)" \
  "[ \"\$(cat $T/out)\" = '403 403 000 502 ' ] && ! grep -q s3cr3t $T/dns.log && grep -qx probe.dns.test $T/dns.log"

# --- SOCKS5.
sb "$T/s.json" "curl -sS --socks5-hostname localhost:1080 $O/socks"
check "curl --socks5-hostname through the SOCKS5 proxy works for an allowed name" \
  "grep -qx 'origin GET /socks host=allowed.test:$ORIGIN_PORT.*' $T/out"
n=$(seen origin)
sb "$T/s.json" "curl -sS --socks5-hostname localhost:1080 http://denied.test:$ORIGIN_PORT/; echo rc=\$?; python3 $P socks localhost 1080 domain denied.test $ORIGIN_PORT; python3 $P socks localhost 1080 ipv4 127.0.0.1 $REBIND_PORT; python3 $P socks localhost 1080 domain 127.0.0.1 $REBIND_PORT; python3 $P socks localhost 1080 ipv6 ::ffff:169.254.169.254 80; python3 $P socks localhost 1080 domain 'denied.test\\x00.allowed.test' $ORIGIN_PORT"
check "SOCKS5: curl fails; REP 0x02 for denied name, unlisted IP, IP as name, mapped metadata, NUL name (N5, N6)" \
  "grep -q '^rc=97' $T/out && [ \"\$(grep ^rep $T/out | tr '\n' ' ')\" = 'rep=2 rep=2 rep=2 rep=2 rep=2 ' ] && [ \$(seen origin) -eq $n ]"

sb "$T/s.json" "python3 $P socks localhost 1080 domain allowed.test $ECHO_PORT '' 2; python3 $P socks localhost 1080 ipv4 0.0.0.0 0 '' 3"
check "SOCKS5 BIND and UDP ASSOCIATE get REP 0x07" "[ \"\$(tr '\n' ' ' < $T/out)\" = 'rep=7 rep=7 ' ]"

# --- direct egress.

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$T/rw/ready" "$T/rw/result"
$SRT -s "$T/s.json" -c "python3 $P listen $port $T/rw/ready $T/rw/result" >"$T/out" 2>"$T/err" &
sbpid=$!
for _ in $(seq 100); do [ -f "$T/rw/ready" ] && break; sleep 0.05; done
outside=$(python3 "$P" tcp 127.0.0.1 "$port")
wait "$sbpid"
check "a server started inside the sandbox is unreachable from outside" \
  "[ -f $T/rw/ready ] && [ '$outside' = ECONNREFUSED ] && [ \"\$(cat $T/rw/result)\" = none ]"

# N18: the proxy listeners live in the sandbox's own network namespace, so
# nothing outside it (another user, another sandbox) reaches them.
rm -f "$T/rw/ready"
$SRT -s "$T/s.json" -c "touch $T/rw/ready; sleep 1" >"$T/out" 2>"$T/err" &
sbpid=$!
for _ in $(seq 100); do [ -f "$T/rw/ready" ] && break; sleep 0.05; done
http_out=$(python3 "$P" tcp 127.0.0.1 3128)
socks_out=$(python3 "$P" tcp 127.0.0.1 1080)
wait "$sbpid"
check "the sandbox's proxy ports are not reachable from outside it (N18)" \
  "[ -f $T/rw/ready ] && [ '$http_out' = ECONNREFUSED ] && [ '$socks_out' = ECONNREFUSED ]"

# --- violations: stderr summary and --trace.
rm -f "$T/trace.jsonl"
sb "$T/s.json" "curl -s -o /dev/null http://denied.test:$ORIGIN_PORT/; curl -s -o /dev/null -p http://denied.test:$TLS_PORT/; python3 $P socks localhost 1080 domain denied.test $ECHO_PORT" --trace "$T/trace.jsonl"
check "stderr carries the monitor's violation summary" \
  "grep -q 'monitor: 3 sandbox violations' $T/err"
trace_ok() {
  python3 - "$T/trace.jsonl" "$ORIGIN_PORT" "$TLS_PORT" "$ECHO_PORT" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((r["kind"], r["target"]) for r in rows)
want = sorted([("net.request", "denied.test:" + sys.argv[2]),
               ("net.connect", "denied.test:" + sys.argv[3]),
               ("net.connect", "denied.test:" + sys.argv[4])])
sys.exit(0 if got == want and all(r.get("reason") and r.get("time") for r in rows) else 1)
PY
}
check "--trace writes one JSON line per refusal: kind net.connect/net.request, target host:port" trace_ok

# --- load: 200 concurrent requests through the proxy.
n=$(seen origin)
urls=$(for i in $(seq 200); do printf '%s/c%d ' "$O" "$i"; done)
sb "$T/s.json" "curl -s -Z --parallel-immediate --parallel-max 200 -o /dev/null -w '%{http_code}\n' $urls"
check "200 concurrent requests through the proxy all succeed" \
  "[ \$(grep -cx 200 $T/out) -eq 200 ] && [ \$(seen origin) -eq $((n + 200)) ]"

# --- THREATS K11: 10,000 connections opened on the sandbox's proxy ports
# and held while srt's memory is read from the host; afterwards the proxy
# still serves. Connections past the proxies' limit are closed at accept.
cat > "$T/flood.py" <<'PY'
import os, resource, socket, sys, time
rw = sys.argv[1]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 12000), hard))
held, failed = [], 0
for i in range(10000):
    try:
        held.append(socket.create_connection(("127.0.0.1", 3128 if i % 2 else 1080), timeout=1))
    except OSError:
        failed += 1
        if failed > 200:
            break
with open(rw + "/holding.tmp", "w") as f:
    f.write("%d %d\n" % (len(held), failed))
os.rename(rw + "/holding.tmp", rw + "/holding")
for _ in range(600):
    if os.path.exists(rw + "/release"):
        break
    time.sleep(0.05)
for s in held:
    s.close()
PY
chmod 644 "$T/flood.py"
rm -f "$T/rw/holding" "$T/rw/release"
n=$(seen origin)
"$SRT" -s "$T/s.json" -c "python3 $T/flood.py $T/rw; sleep 0.5; curl -sS --max-time 10 $O/after-flood" \
  >"$T/out" 2>"$T/err" &
flood_pid=$!
for _ in $(seq 600); do [ -f "$T/rw/holding" ] && break; sleep 0.05; done
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$flood_pid/status" 2>/dev/null)
host_ok=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$ORIGIN_PORT/host-during-flood")
touch "$T/rw/release"
wait "$flood_pid"; rc=$?
read -r held failed < "$T/rw/holding" 2>/dev/null
echo "# K11 flood: $held connections held, $failed failed, srt RSS ${rss_kib:-?} KiB while held"
check "K11: 10,000 connections to the proxies: opened, srt's memory stays under 64 MiB" \
  "[ \"\${held:-0}\" -ge 9800 ] && [ \"\${rss_kib:-999999}\" -lt 65536 ]"
check "K11: the host answers during the flood and the proxy serves after it" \
  "[ '$host_ok' = 200 ] && [ $rc -eq 0 ] && grep -q '^origin GET /after-flood' $T/out &&
   [ \$(seen origin) -eq $((n + 2)) ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
