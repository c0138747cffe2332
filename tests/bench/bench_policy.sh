#!/usr/bin/env bash
# bench_policy.sh - policyd-quota against its peers, in one run.
#
# Needs the stack up (deploy/stack up) and the build (build/).  For 1, 16
# and 64 persistent connections it drives, with the same Postfix-like
# requests for the stack's users:
#   (a) policyd-quota  (b) Dovecot's quota-status  (c) a no-backend server
# and prints requests/s, p50/p99/p99.9 latency and the ratios.
#   MG_BENCH_SECONDS (default 5) per measurement.
# MG_BENCH_METRICS=1: then the cost of metrics, policyd-quota twice in the
# same run (metrics off / on and scraped every second: metrics_twins.py).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$top/deploy/stack" env)"
B=${MG_BUILD_DIR:-$top/build}
secs=${MG_BENCH_SECONDS:-5}
[ -n "${MG_POLICY:-}" ] || { echo "policyd-quota is not running in the stack" >&2; exit 1; }

# the quota state the plugin publishes, so policyd-quota decides for real
now=$(date +%s)
rcpts=()
for u in $MG_USERS; do
	rcpts+=("$u")
	redis-cli -h "${MG_REDIS%:*}" -p "${MG_REDIS##*:}" HSET "mg:v1:quota:{$u}" bytes 1000 \
		bytes_limit 1073741824 msgs 1 msgs_limit 0 updated "$now" >/dev/null
done

nullport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$B/tests/bench/policy_null" "$nullport" &
nullpid=$!
trap 'kill $nullpid 2>/dev/null || true' EXIT
sleep 0.3

declare -A RPS P99
printf '%-14s %6s %10s %9s %9s %9s\n' server conns req/s p50_us p99_us p999_us
for c in 1 16 64; do
	for name in policyd-quota quota-status no-backend; do
		case $name in
		policyd-quota) addr=$MG_POLICY ;;
		quota-status) addr=$MG_QUOTA_STATUS ;;
		no-backend) addr=127.0.0.1:$nullport ;;
		esac
		out=$("$B/tests/bench/policy_load" "$addr" "$c" "$secs" "${rcpts[@]}")
		rps=$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$out")
		p50=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$out")
		p99=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$out")
		p999=$(sed -n 's/.* p999_us=\([0-9]*\).*/\1/p' <<<"$out")
		RPS[$name.$c]=$rps
		P99[$name.$c]=$p99
		printf '%-14s %6s %10s %9s %9s %9s\n' "$name" "$c" "$rps" "$p50" "$p99" "$p999"
	done
done
echo
for c in 1 16 64; do
	awk -v c="$c" -v a="${RPS[policyd-quota.$c]}" -v q="${RPS[quota-status.$c]}" \
	    -v n="${RPS[no-backend.$c]}" 'BEGIN {
		printf "conns=%s policyd-quota/quota-status = %.1fx   policyd-quota/no-backend = %.2f\n",
		       c, a / (q > 0 ? q : 1), a / (n > 0 ? n : 1) }'
done
if [ "${MG_BENCH_METRICS:-0}" = 1 ]; then
	echo
	echo "metrics: policyd-quota twins, off / on (metrics_listen scraped every second)"
	python3 "$top/tests/bench/metrics_twins.py" policy "$secs" "${rcpts[@]}"
fi
