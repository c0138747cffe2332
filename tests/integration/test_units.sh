#!/usr/bin/env bash
# test_units.sh - the systemd units and example configurations as shipped:
#  - the example configurations pass the daemons' own check (-t), which is
#    what milter-attach.service's ExecStartPre runs;
#  - `systemd-analyze verify` finds nothing to say about the units (with
#    ExecStart pointed at the binaries just built: no systemd runs here);
#  - `systemd-analyze security --offline` rates each service's exposure at
#    most MG_UNIT_EXPOSURE_MAX (5.0, "OK" is under 6).
# Usage: test_units.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
max=${MG_UNIT_EXPOSURE_MAX:-5.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

for d in milter-attach policyd-quota; do
	if ! out=$("$build/$d/$d" -c "$src/deploy/$d.conf" -t 2>&1 >/dev/null); then
		echo "FAIL deploy/$d.conf does not pass $d -t: $out"; fail=1
	else
		echo "ok   deploy/$d.conf passes $d -t"
	fi
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
