#!/usr/bin/env bash
# test_units.sh - the systemd units and example configurations as shipped:
#  - the example configurations pass the daemons' own check (-t), which is
#    what milter-attach.service's ExecStartPre runs;
#  - `systemd-analyze verify` finds nothing to say about the units (with
#    ExecStart pointed at the binaries just built: no systemd runs here);
#  - `systemd-analyze security --offline` rates each service's exposure at
#    most MG_UNIT_EXPOSURE_MAX (2.0; issue 12 asks for 2.0 at most).
# Usage: test_units.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
max=${MG_UNIT_EXPOSURE_MAX:-2.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# the example as installed, with the inspector helper where it was built
# (-t checks it is executable)
sed "s|/usr/libexec/mailguard/milter-attach-inspect|$build/milter-attach/inspect/milter-attach-inspect|" \
	"$src/deploy/milter-attach.conf" >"$work/milter-attach.conf"
cp "$src/deploy/policyd-quota.conf" "$work/policyd-quota.conf"
for d in milter-attach policyd-quota; do
	if ! out=$("$build/$d/$d" -c "$work/$d.conf" -t 2>&1 >/dev/null); then
		echo "FAIL deploy/$d.conf does not pass $d -t: $out"; fail=1
	else
		echo "ok   deploy/$d.conf passes $d -t"
	fi
	# the units' ExecStartPre/ExecReload check: silent when good, the
	# file:line and a non-zero exit when bad
	out=$("$build/$d/$d" -c "$work/$d.conf" -t -q 2>&1) && [ -z "$out" ] &&
		echo "ok   $d -t -q is silent on deploy/$d.conf" ||
		{ echo "FAIL $d -t -q printed: $out"; fail=1; }
	printf 'user = mailguard\nno_such_key = 1\n' >"$work/bad.conf"
	if out=$("$build/$d/$d" -c "$work/bad.conf" -t -q 2>&1); then
		echo "FAIL $d -t -q accepted a bad config"; fail=1
	elif ! grep -q "bad.conf:2: " <<<"$out"; then
		echo "FAIL $d -t -q: no file:line in: $out"; fail=1
	else
		echo "ok   $d -t -q refuses a bad config with file:line"
	fi
	grep -q "^ExecReload=/usr/sbin/$d .*-t -q$" "$src/deploy/$d.service" &&
		echo "ok   $d.service checks the config before a reload" ||
		{ echo "FAIL $d.service reloads without checking"; fail=1; }
	# one meaning per signal: HUP reloads, USR1 logs the counters
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$src/deploy/$d.service" &&
		echo "ok   $d.service reloads with SIGHUP" ||
		{ echo "FAIL $d.service does not reload with SIGHUP"; fail=1; }
done

for u in "$src"/deploy/*.service "$src"/deploy/*.socket; do
	sed -e "s|/usr/sbin/milter-attach|$build/milter-attach/milter-attach|g" \
	    -e "s|/usr/sbin/policyd-quota|$build/policyd-quota/policyd-quota|g" \
	    "$u" >"$work/$(basename "$u")"
done
out=$(cd "$work" && systemd-analyze verify --man=no ./*.service ./*.socket 2>&1) || true
if [ -n "$out" ]; then
	echo "FAIL systemd-analyze verify:"; echo "$out"; fail=1
else
	echo "ok   systemd-analyze verify: $(cd "$work" && echo *.service *.socket)"
fi

for u in "$work"/*.service; do
	level=$(systemd-analyze security --offline=yes "$u" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -z "$level" ] || awk -v l="$level" -v m="$max" 'BEGIN { exit !(l > m) }'; then
		echo "FAIL $(basename "$u"): exposure ${level:-unknown} (max $max)"; fail=1
	else
		echo "ok   $(basename "$u"): exposure $level (max $max)"
	fi
done
exit $fail
