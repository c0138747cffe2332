#!/usr/bin/env bash
# bench_lmtp.sh - LMTP deliveries/s with `quota` alone and with
# `quota quota_warn`, in one run, as a ratio (target >= 0.95).
#
# Needs the stack up (its Redis and its Dovecot configuration) and the
# plugin built.  Two extra Dovecot instances are started from the stack's
# configuration, each with its own directories and LMTP port, and stopped
# at the end; they are measured alternately, MG_BENCH_ROUNDS (3) times,
# each phase starting from an empty mail directory,
# MG_BENCH_CONNS (4) connections x MG_BENCH_MESSAGES (150) messages each.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$top/deploy/stack" env)"
rounds=${MG_BENCH_ROUNDS:-3}
conns=${MG_BENCH_CONNS:-4}
per=${MG_BENCH_MESSAGES:-150}
work=$(mktemp -d /var/tmp/mailguard-bench-lmtp.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
	for v in quota quota_warn; do
		[ -f "$work/$v/dovecot.conf" ] && doveadm -c "$work/$v/dovecot.conf" stop 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

declare -A PORT
for v in quota quota_warn; do
	d=$work/$v
	mkdir -p "$d/run" "$d/state" "$d/mail"
	chown mailguard: "$d/mail"
	PORT[$v]=$(free_port)
	plugins="quota"
	[ "$v" = quota_warn ] && plugins="quota quota_warn"
	sed -e "s|^instance_name = .*|instance_name = mailguard-bench-$v-$$|" \
	    -e "s|^base_dir = .*|base_dir = $d/run|" \
	    -e "s|^state_dir = .*|state_dir = $d/state|" \
	    -e "s|^log_path = .*|log_path = $d/dovecot.log|" \
	    -e "s|^protocols = .*|protocols = lmtp|" \
	    -e "s|^mail_location = .*|mail_location = maildir:$d/mail/%d/%n/Maildir|" \
	    -e "s|^mail_plugins = .*|mail_plugins = \$mail_plugins $plugins|" \
	    -e "/service lmtp {/,/^}/s|    port = .*|    port = ${PORT[$v]}|" \
	    -e "/service quota-status {/,/^}/s|    port = .*|    port = 0|" \
	    -e "/inet_listener imap {/,/}/s|    port = .*|    port = 0|" \
	    "$MG_DOVECOT_CONF" >"$d/dovecot.conf"
	dovecot -c "$d/dovecot.conf" </dev/null >/dev/null 2>&1
done
sleep 1
rcpt=alice@$MG_DOMAIN
declare -A SUM
SUM[quota]=0; SUM[quota_warn]=0
printf '%-12s %6s %10s\n' plugins round deliveries/s
for ((r = 1; r <= rounds; r++)); do
	order="quota quota_warn"          # ABBA: a drift over the run
	((r % 2 == 0)) && order="quota_warn quota"   # favours neither
	for v in $order; do
		# a growing maildir and its index logs slow every delivery down:
		# start each phase from the same empty mail directory
		rm -rf "${work:?}/$v/mail/"*
		out=$(python3 "$top/tests/bench/lmtp_load.py" "127.0.0.1:${PORT[$v]}" "$rcpt" "$conns" "$per")
		rate=$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' <<<"$out")
		SUM[$v]=$(awk -v a="${SUM[$v]}" -v b="$rate" 'BEGIN{print a+b}')
		printf '%-12s %6s %10s\n' "$v" "$r" "$rate"
	done
done
grep -q "quota_warn" "$work/quota_warn/dovecot.log" && grep -c "quota_warn: " "$work/quota_warn/dovecot.log" >/dev/null || true
awk -v a="${SUM[quota]}" -v b="${SUM[quota_warn]}" -v r="$rounds" 'BEGIN {
	printf "\nmean: quota %.1f/s, quota quota_warn %.1f/s, ratio %.3f\n", a/r, b/r, b/a }'
redis-cli -h "${MG_REDIS%:*}" -p "${MG_REDIS##*:}" HGET "mg:v1:quota:{$rcpt}" msgs >/dev/null
