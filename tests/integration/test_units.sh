#!/usr/bin/env bash
# test_units.sh - the systemd units and example configurations as shipped:
#  - the example configurations pass the daemons' own check (-t), which is
#    what milter-attach.service's ExecStartPre runs;
#  - `systemd-analyze verify` finds nothing to say about the units (with
#    ExecStart pointed at the binaries just built: no systemd runs here);
#  - `systemd-analyze security --offline` rates each service's exposure at
#    most MG_UNIT_EXPOSURE_MAX (2.0; issue 12 asks for 2.0 at most);
#  - mailguard-stats-textfile.service's command, run as the user the unit
#    names against the stack's Redis, writes a file promtool accepts (mode
#    0644), and says so clearly when the directory is missing; its timer
#    fires every minute and is the only one enabled through [Install].
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

for u in "$src"/deploy/*.service "$src"/deploy/*.socket "$src"/deploy/*.timer; do
	sed -e "s|/usr/sbin/milter-attach|$build/milter-attach/milter-attach|g" \
	    -e "s|/usr/sbin/policyd-quota|$build/policyd-quota/policyd-quota|g" \
	    -e "s|/usr/sbin/mailguard-ctl|$build/ctl/mailguard-ctl|g" \
	    "$u" >"$work/$(basename "$u")"
done
out=$(cd "$work" && systemd-analyze verify --man=no ./*.service ./*.socket ./*.timer 2>&1) || true
if [ -n "$out" ]; then
	echo "FAIL systemd-analyze verify:"; echo "$out"; fail=1
else
	echo "ok   systemd-analyze verify: $(cd "$work" && echo *.service *.socket *.timer)"
fi

# mailguard-stats-textfile: the unit's own command line, the binary and the
# directory moved into the build and $work, the stack's settings added
unit=$src/deploy/mailguard-stats-textfile.service
timer=$src/deploy/mailguard-stats-textfile.timer
textdir=/var/lib/prometheus/node-exporter
cmdline=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
eval "$("$src/deploy/stack" env)"
chmod 755 "$work"
mkdir "$work/node-exporter"
chown "$user:" "$work/node-exporter"
# a hash of this test's own in the stack's Redis (removed below): the
# daemons may not have written theirs yet
rcli() { redis-cli -p "${MG_REDIS##*:}" "$@" >/dev/null; }
rcli HSET mg:v1:stats:mgtest-units:unithost checks 3
# shellcheck disable=SC2086 # the unit's words
set -- ${cmdline//$textdir/$work/node-exporter}
run_unit_cmd() {
	setpriv --reuid="$user" --regid="$user" --init-groups \
		"$build/ctl/mailguard-ctl" -c "$MG_POLICY_CONF" "${@:2}"
}
if [ "$1" != /usr/sbin/mailguard-ctl ] || ! grep -q "^ReadWritePaths=-$textdir$" "$unit"; then
	echo "FAIL $unit: not mailguard-ctl writing into $textdir: $cmdline"; fail=1
elif ! out=$(run_unit_cmd "$@" 2>&1) || [ -n "$out" ]; then
	echo "FAIL mailguard-stats-textfile's command as $user: $out"; fail=1
elif [ "$(stat -c %a "$work/node-exporter/mailguard.prom")" != 644 ] ||
	! promtool check metrics <"$work/node-exporter/mailguard.prom" >/dev/null 2>&1 ||
	! grep -qx 'mailguard_mgtest_units_checks_total{host="unithost"} 3' \
		"$work/node-exporter/mailguard.prom"; then
	echo "FAIL mailguard.prom: not 0644, refused by promtool or without the counter:"
	promtool check metrics <"$work/node-exporter/mailguard.prom" || true
	cat "$work/node-exporter/mailguard.prom"; fail=1
else
	echo "ok   mailguard-stats-textfile's command as $user: mailguard.prom 0644, promtool accepts it"
fi
rcli DEL mg:v1:stats:mgtest-units:unithost
rm -r "$work/node-exporter"
if out=$(run_unit_cmd "$@" 2>&1) || ! grep -q "directory $work/node-exporter does not exist" <<<"$out"; then
	echo "FAIL mailguard-stats-textfile without its directory: $out"; fail=1
else
	echo "ok   mailguard-stats-textfile without its directory fails and says so"
fi
if grep -q '^OnCalendar=minutely$' "$timer" && grep -q '^WantedBy=timers.target$' "$timer" &&
	! grep -q '^\[Install\]' "$unit"; then
	echo "ok   mailguard-stats-textfile.timer: every minute; the service is static"
else
	echo "FAIL mailguard-stats-textfile.timer/.service: schedule or [Install]"; fail=1
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
