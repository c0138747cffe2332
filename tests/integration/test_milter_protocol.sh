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
local_domains = mailguard.test
notice_sendmail = $T/fake-sendmail
EOC
# the notice transport under test: a sendmail that records what it gets
cat >"$T/fake-sendmail" <<EOS
#!/bin/sh
echo "ARGS: \$*" >>"$T/sent"
cat >>"$T/sent"
EOS
chmod +x "$T/fake-sendmail"
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
# the refused .exe gave one notice to the local recipient, through sendmail
i=0
while ! grep -q 'event=notice queue_id=QEXE' "$T/log" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
grep -q '^ARGS: -i -f <> -- r@mailguard.test$' "$T/sent" 2>/dev/null ||
	{ echo "no notice through sendmail"; rc=1; }
grep -q '^Auto-Submitted: auto-generated$' "$T/sent" 2>/dev/null ||
	{ echo "notice lacks Auto-Submitted"; rc=1; }
grep -q '^X-Mailguard-Notice: QEXE$' "$T/sent" 2>/dev/null ||
	{ echo "notice lacks the queue id"; rc=1; }
grep -q 'event=notice queue_id=QEXE .*status=sent' "$T/log" ||
	{ echo "notice not logged as sent"; rc=1; }
[ $rc -eq 0 ] || { cat "$T/log"; cat "$T/sent" 2>/dev/null; }
exit $rc
