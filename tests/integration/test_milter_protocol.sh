#!/bin/sh
# test_milter_protocol.sh - milter-attach over the milter protocol
#
#   test_milter_protocol.sh BUILD_DIR
# Starts the built milter-attach on a unix socket in a temp dir (Redis
# unreachable on purpose: error_action = accept, static rules only) with
# its notices going to smtp_sink.py, runs milter_protocol.lua with
# miltertest, stops the milter and the sink by pid.
set -eu
B=$1
HERE=$(cd "$(dirname "$0")" && pwd)
command -v miltertest >/dev/null || { echo "miltertest not installed"; exit 1; }
T=$(mktemp -d)
PID=
SINK=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
LIMIT=2000
# the notice transport under test: an SMTP server that records what it gets
python3 "$HERE/smtp_sink.py" "$T/sink.port" "$T/sent" &
SINK=$!
i=0
while [ ! -s "$T/sink.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
cat >"$T/m.conf" <<EOC
listen = unix:$T/m.sock
user =
redis_server = unix:$T/no-redis.sock
redis_connect_timeout = 50ms
size_limit = $LIMIT
error_action = accept
local_domains = mailguard.test
notice_smtp = 127.0.0.1:$(cat "$T/sink.port")
inspect_helper = $B/milter-attach/inspect/milter-attach-inspect
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
# SIGHUP reloads (libmilter alone would stop): the new limit applies
sed -i "s/^size_limit = .*/size_limit = 3000/" "$T/m.conf"
kill -HUP "$PID"
i=0
while ! grep -q 'configuration reloaded' "$T/log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$PID" || { echo "milter died on SIGHUP"; rc=1; }
miltertest -D sock="unix:$T/m.sock" -D limit=3000 -s "$HERE/milter_protocol.lua" >/dev/null ||
	{ echo "protocol run after SIGHUP reload (limit 3000) failed"; rc=1; }
# the refused .exe gave one notice to the local recipient, through SMTP
i=0
while ! grep -q 'action=notice queue_id=QEXE' "$T/log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q '^MAIL FROM:<>$' "$T/sent" 2>/dev/null &&
grep -q '^RCPT TO:<r@mailguard.test>$' "$T/sent" 2>/dev/null ||
	{ echo "no notice through notice_smtp"; rc=1; }
grep -q '^Auto-Submitted: auto-generated$' "$T/sent" 2>/dev/null ||
	{ echo "notice lacks Auto-Submitted"; rc=1; }
grep -q '^X-Mailguard-Notice: QEXE$' "$T/sent" 2>/dev/null ||
	{ echo "notice lacks the queue id"; rc=1; }
grep -q '^Subject: =?UTF-8?B?' "$T/sent" 2>/dev/null &&
grep -q '^Content-Transfer-Encoding: quoted-printable$' "$T/sent" 2>/dev/null ||
	{ echo "notice not RFC 2047 + quoted-printable"; rc=1; }
# notice_sendmail is gone: a config that still sets it fails -t, naming
# the line and the replacement
printf 'user =\nnotice_sendmail = /usr/sbin/sendmail\n' >"$T/old.conf"
if out=$("$B/milter-attach/milter-attach" -c "$T/old.conf" -t 2>&1); then
	echo "-t accepted notice_sendmail"; rc=1
fi
echo "$out" | grep -q "old.conf:2: notice_sendmail was removed: use notice_smtp" ||
	{ echo "-t error for notice_sendmail: $out"; rc=1; }
grep -q 'action=notice queue_id=QEXE .*status=sent' "$T/log" ||
	{ echo "notice not logged as sent"; rc=1; }
[ $rc -eq 0 ] || { cat "$T/log"; cat "$T/sent" 2>/dev/null; }
exit $rc
