#!/usr/bin/env bash
# stack_down_check.sh - the fixture's cleanup, and issue 2's promise:
# `deploy/stack down` stops everything `up` started and frees every port.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
env_out=$("$top/deploy/stack" env)
ports=$(sed -n 's/^MG_[A-Z_]*=127\.0\.0\.1:\([0-9]*\)$/\1/p' <<<"$env_out")
pids=$("$top/deploy/stack" status | sed -n 's/.*(pid \([0-9]*\))$/\1/p')
[ -n "$ports" ] && [ -n "$pids" ] || { echo "FAIL: nothing recorded"; exit 1; }
"$top/deploy/stack" down
fail=0
for pid in $pids; do
	if kill -0 "$pid" 2>/dev/null; then echo "FAIL: pid $pid still runs"; fail=1; fi
done
# A port freed by down may be taken at once by another engineer's server
# (default ports): only a listener belonging to this stack is a failure.
. "$top/deploy/lib.sh"
state=$(sed -n 's/^MG_STATE_DIR=//p' <<<"$env_out")
for port in $ports; do
	if mg_port_held_by_dir "$port" "$state"; then
		echo "FAIL: port $port still bound by this stack"; fail=1
	elif ss -Htln "sport = :$port" | grep -q .; then
		echo "note: port $port freed, then taken by another program"
	fi
done
if pgrep -f "$(sed -n 's/^MG_STATE_DIR=//p' <<<"$env_out")" >/dev/null; then
	echo "FAIL: processes still mention the state dir:"; pgrep -af "$(sed -n 's/^MG_STATE_DIR=//p' <<<"$env_out")"; fail=1
fi
if "$top/deploy/stack" status >/dev/null; then echo "FAIL: status says running"; fail=1; fi
# what the stack wrote (mail, logs, spool) goes too, passed or failed,
# unless MG_KEEP_STATE=1 asks to keep it for a look; only a stopped
# integration-test stack's own directory is ever removed
case $state in
/var/tmp/mailguard-itest-*)
	if [ "${MG_KEEP_STATE:-0}" = 1 ]; then echo "note: state kept in $state"
	elif ! "$top/deploy/stack" status >/dev/null; then rm -rf -- "$state"
	fi ;;
esac
[ $fail -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
