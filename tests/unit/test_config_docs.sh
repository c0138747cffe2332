#!/usr/bin/env bash
# test_config_docs.sh - the documentation says what the code does.
# For each daemon (milter-attach, policyd-quota), from the spec table as
# printed by `NAME -t` on an empty file (key = default, with its meaning):
#  - the shipped example deploy/NAME.conf sets every key once, on an
#    active line, and `NAME -c example -t` prints exactly the defaults
#    (so every value shown is the default);
#  - the man page NAME/NAME.conf.5 has an entry per key,
#      \fBkey\fR (type, default \fBvalue\fR)   or   (type, default empty)
#    whose default is the spec's and whose first line is the spec's meaning.
# For the Dovecot plugin: every quota_warn_* setting of qw_settings.c is in
# the snippet deploy/dovecot/15-quota-warn.conf and in quota_warn.7.
# The wiring READMEs and policyd-quota.socket name the sockets the defaults
# listen on.
# Usage: test_config_docs.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
fail=0 checked=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.conf"

bad() { echo "FAIL $*"; fail=1; }

# milter-attach's inspect_helper defaults to the installed helper
# (CMAKE_INSTALL_FULL_LIBEXECDIR); the docs show Debian's path, and -t
# wants an executable: the built one stands in for it, and the dumps show
# the documented path
debian_helper=/usr/libexec/mailguard/milter-attach-inspect
built_helper=$build/milter-attach/inspect/milter-attach-inspect

# dump BIN CONF - the "-t" lines of CONF, without the "configuration ...
# is valid" banner, inspect_helper set to the built helper
dump() {
	local conf=$tmp/dump.conf
	grep -v '^inspect_helper[[:blank:]]*=' "$2" >"$conf" || true
	case $1 in
	*/milter-attach) printf 'inspect_helper = %s\n' "$built_helper" >>"$conf" ;;
	esac
	"$1" -c "$conf" -t | grep -v '^# [a-z-]*: configuration .* is valid$' |
		sed "s|^inspect_helper = .*|inspect_helper = $debian_helper|"
}

# check_example NAME BIN EXAMPLE
check_example() {
	local name=$1 bin=$2 example=$3 key n
	if ! dump "$bin" "$example" >"$tmp/$name.example.t" 2>"$tmp/err"; then
		bad "$name: $example does not pass -t: $(cat "$tmp/err")"
		return
	fi
	if ! diff "$tmp/$name.defaults" "$tmp/$name.example.t" >"$tmp/diff"; then
		bad "$name: $example shows values that are not the defaults:"
		grep '^[<>] [a-z]' "$tmp/diff" | sed 's/^</  default:/; s/^>/  example:/'
	fi
	while read -r key; do
		n=$(grep -c "^$key[[:blank:]]*=" "$example" || true)
		checked=$((checked + 1))
		[ "$n" = 1 ] || bad "$name: $example has $n active \"$key =\" lines, want 1"
	done < <(grep -v '^#' "$tmp/$name.defaults" | sed 's/ =.*//')
}

# unroff TEXT - the man page text without font escapes
unroff() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g'; }

# check_man NAME MAN - every key's entry, default and meaning
check_man() {
	local name=$1 man=$2 help="" line key value want entry next
	[ -f "$man" ] || { bad "$name: no man page $man"; return; }
	while IFS= read -r line; do
		case $line in
		'# '*) help=${line#\# }; continue ;;
		esac
		key=${line%% =*}
		value=${line#* =}
		value=${value# }
		checked=$((checked + 1))
		entry=$(grep -n -F "\\fB$key\\fR (" "$man" | head -1) ||
			{ bad "$name: $man has no entry \\fB$key\\fR (type, default ...)"; continue; }
		next=$(sed -n "$((${entry%%:*} + 1))p" "$man" | unroff)
		entry=$(printf '%s\n' "${entry#*:}" | unroff)
		if [ -n "$value" ]; then want=", default $value)"; else want=", default empty)"; fi
		case $entry in
		"$key ("*"$want") ;;
		*) bad "$name: $man: \"$entry\" does not end with \"$want\"" ;;
		esac
		case $next in
		"${help^}"*) ;;
		*) bad "$name: $man: $key: meaning \"$next\", the spec says \"$help\"" ;;
		esac
	done < <(cat "$tmp/$name.defaults")
}

checked=$((checked + 1))
grep -qx "inspect_helper = $debian_helper" "$src/deploy/milter-attach.conf" ||
	bad "deploy/milter-attach.conf: inspect_helper is not $debian_helper"

for name in milter-attach policyd-quota; do
	bin=$build/$name/$name
	[ -x "$bin" ] || { bad "$name not built ($bin)"; continue; }
	dump "$bin" "$tmp/empty.conf" >"$tmp/$name.defaults"
	check_example "$name" "$bin" "$src/deploy/$name.conf"
	check_man "$name" "$src/$name/$name.conf.5"
done

# the Dovecot plugin's settings: snippet and man page
snippet=$src/deploy/dovecot/15-quota-warn.conf
for key in $(sed -n 's/^[[:blank:]]*{ "\(quota_warn_[a-z_]*\)".*/\1/p' \
		"$src/dovecot-quota-warn/qw_settings.c"); do
	checked=$((checked + 1))
	grep -q "$key\\b" "$snippet" || bad "$snippet does not show $key"
	grep -Eq "^\\.BR? (.* )?\"?$key(\"| |\$)" "$src/dovecot-quota-warn/quota_warn.7" ||
		bad "quota_warn.7 has no entry .B $key"
done

# the sockets the wiring READMEs tell Postfix to use are the defaults':
# the milter's unix socket seen from Postfix's chroot, the policy address
ma_listen=$(sed -n 's/^listen = unix:\/var\/spool\/postfix\///p' "$tmp/milter-attach.defaults")
pq_listen=$(sed -n 's/^listen = //p' "$tmp/policyd-quota.defaults")
for readme in "$src/README.md" "$src/deploy/README.md"; do
	checked=$((checked + 2))
	grep -q "smtpd_milters = { unix:$ma_listen," "$readme" ||
		bad "$readme: smtpd_milters is not unix:$ma_listen (milter-attach's default listen)"
	grep -q "check_policy_service { $pq_listen," "$readme" ||
		bad "$readme: check_policy_service is not $pq_listen (policyd-quota's default listen)"
done

# policyd-quota.socket listens where the daemon would by default (its
# commented unix alternative is the example's)
sock=$src/deploy/policyd-quota.socket
checked=$((checked + 2))
grep -qx "ListenStream=${pq_listen#inet:}" "$sock" ||
	bad "$sock: ListenStream is not ${pq_listen#inet:} (policyd-quota's default listen)"
pq_unix=$(sed -n 's/^#listen = unix://p' "$src/deploy/policyd-quota.conf")
grep -qx "#ListenStream=$pq_unix" "$sock" ||
	bad "$sock: the commented unix ListenStream is not the example's $pq_unix"

echo "$checked checks, $([ $fail = 0 ] && echo "all passed" || echo "some FAILED")"
exit $fail
