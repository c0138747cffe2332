#!/usr/bin/env bash
# check_version.sh - one version everywhere: CMake's project(... VERSION),
# what every built binary prints with -V, and the upstream part of the
# first entry of deploy/debian/changelog (when that file exists: without
# it the changelog check is skipped, with a message), the man pages' .TH.
# Usage: check_version.sh SOURCE_DIR BUILD_DIR VERSION
set -euo pipefail
src=$1 build=$2 version=$3
fail=0

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# the generated header holds the number CMake passed
hdr=$build/common/core/mg_version.h
if grep -qx "#define MG_VERSION \"$version\"" "$hdr"; then
	ok "mg_version.h says $version"
else
	bad "$hdr does not define MG_VERSION \"$version\""
fi

# every binary that is built: "NAME (mailguard) VERSION"
for bin in milter-attach/milter-attach milter-attach/milter-attach-ctl ctl/mailguard-ctl \
	policyd-quota/policyd-quota; do
	[ -x "$build/$bin" ] || { echo "skip $bin (not built)"; continue; }
	name=$(basename "$bin")
	out=$("$build/$bin" -V 2>&1) || true
	if [ "$out" = "$name (mailguard) $version" ]; then
		ok "$name -V: $out"
	else
		bad "$name -V printed \"$out\", want \"$name (mailguard) $version\""
	fi
done
# the plugin carries the string it logs at init
so=$build/dovecot-quota-warn/lib20_quota_warn_plugin.so
if [ -f "$so" ]; then
	if grep -aq "mailguard %s loaded" "$so" && grep -aqx -e "$version" <(strings -n 3 "$so"); then
		ok "the Dovecot plugin carries $version"
	else
		bad "$so does not carry the version $version"
	fi
fi

# the man pages say which version they describe: .TH ... "mailguard VERSION"
for man in "$src"/milter-attach/*.[0-9] "$src"/policyd-quota/*.[0-9] "$src"/ctl/*.[0-9] \
	"$src"/dovecot-quota-warn/*.[0-9]; do
	if grep -q "^\.TH .* \"mailguard $version\"" "$man"; then
		ok "${man#"$src"/} is for $version"
	else
		bad "${man#"$src"/}: .TH does not say \"mailguard $version\""
	fi
done

# Debian's changelog: "mailguard (0.4.0-1) unstable; urgency=medium"
log=$src/deploy/debian/changelog
if [ ! -f "$log" ]; then
	echo "skip deploy/debian/changelog absent: nothing to compare"
else
	first=$(head -n 1 "$log")
	deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$log")
	upstream=${deb#*:}              # no epoch
	upstream=${upstream%-*}         # no Debian revision
	if [ "$upstream" = "$version" ]; then
		ok "deploy/debian/changelog: $deb"
	else
		bad "deploy/debian/changelog's first line \"$first\" has upstream version \"$upstream\", CMake says $version"
	fi
fi
exit $fail
