#!/bin/sh
# test_alert_rules.sh - deploy/prometheus/mailguard-alerts.yml is valid for
# Prometheus (Debian's promtool, package prometheus) and every metric it
# names is one the daemons export (milter-attach.8 / policyd-quota.8 list
# them), so a renamed family cannot leave a rule that never fires.
#   test_alert_rules.sh SOURCE_DIR
set -eu
S=$1
rules=$S/deploy/prometheus/mailguard-alerts.yml
command -v promtool >/dev/null || { echo "promtool not installed (package prometheus)"; exit 1; }
promtool check rules "$rules"
rc=0
for m in $(grep -o 'mailguard_[a-z_]*' "$rules" | sort -u); do
	# a histogram's or counter's family name as documented
	grep -q "$m" "$S/milter-attach/milter-attach.8" "$S/policyd-quota/policyd-quota.8" \
		"$S/common/core/mg_redis.h" ||
		{ echo "FAIL $m is not an exported family"; rc=1; }
done
[ $rc -eq 0 ] && echo "ok   every family the rules name is exported"
# the packages ship it among their examples
for p in milter-attach policyd-quota; do
	grep -q '^deploy/prometheus/mailguard-alerts.yml$' "$S/deploy/debian/$p.examples" ||
		{ echo "FAIL $p does not ship the alert rules"; rc=1; }
done
exit $rc
