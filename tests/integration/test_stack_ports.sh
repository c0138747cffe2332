#!/usr/bin/env bash
# test_stack_ports.sh - how deploy/lib.sh picks ports for the stack
#
# Table of cases against real listening sockets (python3 binds them):
# a free default is kept, a taken default is replaced by a free port
# below the ephemeral range, one run never hands out a port twice, and
# mg_port_held_by_dir tells this stack's listeners from other programs'.
# Prints "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../deploy/lib.sh
. "$top/deploy/lib.sh"

pass=0
fail=0
# check NAME CONDITION... - one row: the condition must hold
# (a leading "!" negates it)
check() {
	local name=$1 want=0 rc=0; shift
	if [ "$1" = "!" ]; then want=1; shift; fi
	"$@" || rc=1
	if [ $rc -eq $want ]; then pass=$((pass + 1)); echo "ok   $name"
	else fail=$((fail + 1)); echo "FAIL $name"; fi
}

work=$(mktemp -d)
held=$(mktemp -d "$work/stackXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

# listen DIR - a listener on a kernel-chosen port, running with cwd DIR;
# prints the port
listen() {
	(cd "$1" && exec python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(600)' >"$work/port.$$" 2>/dev/null) &
	pids+=($!)
	local i
	for ((i = 0; i < 50; i++)); do [ -s "$work/port.$$" ] && break; sleep 0.1; done
	cat "$work/port.$$"; rm -f "$work/port.$$"
}

in_fallback_range() { [ "$1" -ge 20000 ] && [ "$1" -le 32767 ]; }

taken=$(listen "$work")             # someone else's listener
ours=$(listen "$held")              # a listener of the stack in $held

# a free default: find one in the fallback range that nobody listens on
free=20000
while ! mg_port_free "$free"; do free=$((free + 1)); done

check "free default kept"              [ "$(mg_free_port "$free")" = "$free" ]
p=$(mg_free_port "$taken")
check "taken default replaced"         [ "$p" != "$taken" ]
check "replacement is free"            mg_port_free "$p"
check "replacement below ephemeral"    in_fallback_range "$p"

MG_PORTS_TAKEN=" "
first="" second=""                  # set by mg_take_port
mg_take_port "$free" first
mg_take_port "$free" second
check "take: free default first time"  [ "$first" = "$free" ]
check "take: never the same port twice" [ "$second" != "$first" ]
check "take: both remembered"          mg_port_taken_here "$second"
all_distinct() {
	local i port seen=" "
	MG_PORTS_TAKEN=" "
	for ((i = 0; i < 30; i++)); do
		mg_take_port "$taken" port
		case "$seen" in *" $port "*) return 1 ;; esac
		seen="$seen$port "
	done
}
check "take: 30 picks all distinct"    all_distinct

check "held: our listener"             mg_port_held_by_dir "$ours" "$held"
check "held: other program's listener" ! mg_port_held_by_dir "$taken" "$held"
check "held: free port"                ! mg_port_held_by_dir "$free" "$held"
check "held: prefix of another dir"    ! mg_port_held_by_dir "$ours" "${held%????}"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
