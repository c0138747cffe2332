#!/usr/bin/env bash
# test_cluster.sh - issue 14: deploy/cluster up, test_cluster.py run from
# the cluster's client namespace, then deploy/cluster down, always (trap),
# and a check that down left nothing: no pid of ours, no namespace, no
# state dir.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$top/deploy/cluster
export MG_CLUSTER_DIR=${MG_CLUSTER_DIR:-/var/tmp/mailguard-citest-cluster}
trap '"$cluster" down >/dev/null 2>&1 || true' EXIT

"$cluster" down >/dev/null 2>&1 || true      # left by an interrupted run
"$cluster" up
set -a
eval "$("$cluster" env)"      # MG_CLUSTER_* (outputs: no input of the script)
set +a
rc=0
timeout 600 ip netns exec "$MG_CLUSTER_CLIENT_NETNS" \
	python3 "$top/tests/integration/test_cluster.py" || rc=$?

# down stops everything by pid and removes the namespaces and the state dir
pids=$("$cluster" status | sed -n 's/.*(pid \([0-9]*\))$/\1/p' || true)
prefix=${MG_CLUSTER_NET_NETNS%-net}
"$cluster" down
fail=0
for pid in $pids; do
	if kill -0 "$pid" 2>/dev/null; then echo "FAIL down: pid $pid still runs"; fail=1; fi
done
if ip netns list | grep -q "^$prefix-"; then
	echo "FAIL down: namespaces left:"; ip netns list | grep "^$prefix-"; fail=1
fi
[ ! -e "$MG_CLUSTER_DIR" ] || { echo "FAIL down: $MG_CLUSTER_DIR left"; fail=1; }
st=0; "$cluster" status >/dev/null || st=$?
[ "$st" -eq 3 ] || { echo "FAIL down: status exits $st, not 3"; fail=1; }
"$cluster" down >/dev/null 2>&1 || { echo "FAIL down: a second down fails"; fail=1; }
if [ $fail -eq 0 ]; then echo "ok   cluster_down"; else rc=1; fi
exit $rc
