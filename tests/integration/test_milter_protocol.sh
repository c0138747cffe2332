#!/bin/sh
# test_milter_protocol.sh - milter-attach over the milter protocol
#
#   test_milter_protocol.sh BUILD_DIR
# Starts the built milter-attach on a unix socket in a temp dir (Redis
# unreachable on purpose: error_action = accept, static rules only), runs
# milter_protocol.lua with miltertest, stops the milter by pid.
set -eu
B=$1
HERE=$(cd "$(dirname "$0")" && pwd)
command -v miltertest >/dev/null || { echo "miltertest not installed"; exit 1; }
T=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
LIMIT=2000
cat >"$T/m.conf" <<EOC
listen = unix:$T/m.sock
user =
redis_server = unix:$T/no-redis.sock
redis_connect_timeout = 50ms
size_limit = $LIMIT
error_action = accept
notice_enable = no
EOC
"$B/milter-attach/milter-attach" -c "$T/m.conf" -t >/dev/null
"$B/milter-attach/milter-attach" -c "$T/m.conf" -f >"$T/log" 2>&1 &
PID=$!
i=0
while [ ! -S "$T/m.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
rc=0
miltertest -D sock="unix:$T/m.sock" -D limit=$LIMIT -s "$HERE/milter_protocol.lua" || rc=$?
# the decision lines carry the queue id, the action and the file name
grep -q 'queue_id=QEXE .*action=reject reason=banned_ext.*name=100%.exe ext=.exe' "$T/log" ||
	{ echo "decision line missing"; rc=1; }
grep -q 'queue_id=QMAIL .*size=2001 stage=mail action=reject reason=size' "$T/log" ||
	{ echo "MAIL-stage decision line missing"; rc=1; }
[ $rc -eq 0 ] || cat "$T/log"
exit $rc
