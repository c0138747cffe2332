#!/usr/bin/env bash
# check_layers.sh - common/ in two layers, as built:
#  - no file of common/core includes a header of common/daemon (lower
#    layers never include higher ones);
#  - libmgcommon.a (core) needs nothing from libsystemd;
#  - the Dovecot plugin (when built) links neither libsystemd nor any
#    mgdaemon code (listen sockets, milter syntax, SMTP client).
# Usage: check_layers.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
fail=0

for h in "$src"/common/daemon/*.h; do
	name=$(basename "$h")
	if grep -l "#include \"$name\"" "$src"/common/core/*.[ch] >/dev/null 2>&1; then
		echo "FAIL common/core includes $name: $(grep -l "#include \"$name\"" "$src"/common/core/*.[ch] | tr '\n' ' ')"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "ok   common/core includes no common/daemon header"

lib=$(find "$build/common/core" -name 'libmgcommon.a' | head -1)
if nm "$lib" | grep -E ' U sd_' >/dev/null; then
	echo "FAIL libmgcommon.a needs libsystemd: $(nm "$lib" | grep -E ' U sd_' | sort -u | tr '\n' ' ')"
	fail=1
else
	echo "ok   libmgcommon.a needs nothing from libsystemd"
fi

plugin=$(find "$build/dovecot-quota-warn" -name 'lib20_quota_warn_plugin.so' 2>/dev/null | head -1)
if [ -n "$plugin" ]; then
	daemon_syms=$(nm "$(find "$build/common/daemon" -name 'libmgdaemon.a' | head -1)" |
		awk '$2 ~ /^[TD]$/ { print $3 }')
	found=""
	for s in $daemon_syms; do
		nm "$plugin" | awk '{ print $NF }' | grep -qx "$s" && found="$found $s"
	done
	if ldd "$plugin" | grep -q libsystemd || [ -n "$found" ]; then
		echo "FAIL the plugin links daemon code:$found $(ldd "$plugin" | grep libsystemd || true)"
		fail=1
	else
		echo "ok   the plugin links no libsystemd and no mgdaemon symbol"
	fi
fi
exit $fail
