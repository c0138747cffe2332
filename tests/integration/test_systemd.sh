#!/usr/bin/env bash
# test_systemd.sh - the .debs under a real systemd, as a Debian admin runs them.
#
# Usage: test_systemd.sh SOURCE_DIR BUILD_DIR
# (MG_DEB_DIR=DIR: install the .debs of DIR instead of building them)
#
# 1. a Debian 12 root with Postfix, Dovecot and Redis, debootstrapped once and
#    cached as BUILD_DIR/systemd-test/rootfs.tar (systemd_rootfs.sh);
# 2. the .debs built from SOURCE_DIR by deploy/package (lintian included);
# 3. a fresh copy of the root booted with systemd-nspawn -b (private network,
#    not registered: see /work/shared/notes/systemd-nspawn.md), the .debs
#    installed offline with apt, Postfix and Dovecot wired as deploy/README.md
#    says, then the checks of systemd_inside.sh through real SMTP: the milter
#    over its unix socket in the spool, the socket-activated policyd-quota,
#    the plugin, reloads with a broken config, one unit stopped, exposure;
# 4. poweroff and boot again: everything back;
# 5. apt purge: no unit, user or socket left.
# The container is stopped and its root removed on any exit.  Each phase's
# time is printed.  Needs root, systemd-nspawn and debootstrap.
set -euo pipefail
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd)
work=$build/systemd-test
root=$work/root.$$          # one per run: a cleanup never meets a new root
name=mgtest-$$
nspawn_pid="" cpid=""
failed=0

t_start=$(date +%s)
t_phase=$t_start
p_name="" timings=""
phase() { # phase NAME - start a phase; the previous one's time is recorded
	local now; now=$(date +%s)
	[ -z "$p_name" ] || timings+=$(printf '%5d s  %s' $((now - t_phase)) "$p_name")$'\n'
	[ "$1" = end ] || echo "---- $1"
	p_name=$1 t_phase=$now
}

# ct CMD... - run in the container (all its namespaces)
ct() { nsenter -t "$cpid" -a "$@"; }

# container_pid - the container's systemd: the child of systemd-nspawn
container_pid() {
	local p
	for p in $(pgrep -P "$nspawn_pid" 2>/dev/null); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = systemd ] && { echo "$p"; return 0; }
	done
	return 1
}

boot() {
	setsid systemd-nspawn -b -D "$root" -M "$name" --register=no --keep-unit \
		--private-network --console=passive >>"$work/nspawn.log" 2>&1 &
	nspawn_pid=$!
	local st
	for _ in $(seq 300); do
		cpid=$(container_pid) && break
		sleep 0.2
	done
	[ -n "$cpid" ] || { echo "FAIL the container did not start"; tail "$work/nspawn.log"; return 1; }
	for _ in $(seq 600); do
		st=$(ct systemctl is-system-running 2>/dev/null || true)
		case $st in running|degraded) break ;; esac
		sleep 0.2
	done
	echo "booted: $st (systemd pid $cpid on the host)"
	[ "$st" = running ] || ct systemctl --failed --no-legend || true
}

# poweroff - a clean shutdown; SIGKILL of the container's systemd if it hangs
poweroff() {
	[ -n "$nspawn_pid" ] || return 0
	[ -z "$cpid" ] || ct systemctl poweroff >/dev/null 2>&1 || true
	for _ in $(seq 300); do
		kill -0 "$nspawn_pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$nspawn_pid" 2>/dev/null; then
		[ -z "$cpid" ] || kill -KILL "$cpid" 2>/dev/null || true
		sleep 1
		kill -KILL "$nspawn_pid" 2>/dev/null || true
	fi
	wait "$nspawn_pid" 2>/dev/null || true
	nspawn_pid="" cpid=""
}

cleanup() {
	poweroff
	rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# inside STEP - one step of systemd_inside.sh; its failures are counted
inside() {
	local rc=0
	ct /root/mgtest/systemd_inside.sh "$1" || rc=$?
	[ $rc -eq 0 ] || failed=$((failed + rc))
}

mkdir -p "$work"
phase "rootfs (debootstrap once, cached in $work/rootfs.tar)"
"$src/tests/integration/systemd_rootfs.sh" "$work/rootfs.tar"

phase "packages (deploy/package)"
debs=$work/debs
if [ -n "${MG_DEB_DIR:-}" ]; then
	debs=$MG_DEB_DIR; echo "the .debs already built in $debs (MG_DEB_DIR)"
else
	"$src/deploy/package" "$debs" | grep -v '^lintian: N' | grep -v 'root privileges'
fi

phase "root copy and boot"
rm -rf "$root"; mkdir -p "$root"
tar -C "$root" -xf "$work/rootfs.tar"
chmod 755 "$root"    # "/" of the container, searchable by its users
mkdir -p "$root/root/mgtest"
cp "$debs"/*.deb "$root/root/mgtest/"
rm -f "$root"/root/mgtest/*-dbgsym_*.deb
cp "$src/deploy/README.md" "$src/tests/integration/systemd_inside.sh" "$root/root/mgtest/"
: >"$work/nspawn.log"
boot

phase "install (apt, offline)"
inside install
phase "wire Postfix and Dovecot as deploy/README.md says"
inside wire
phase "checks through SMTP"
inside checks

phase "container restart (poweroff, boot)"
poweroff
boot
inside after-restart

phase "apt purge"
inside purge

poweroff
phase end
printf 'phase times:\n%s%5d s  total\n' "$timings" $(( $(date +%s) - t_start ))
if [ $failed -ne 0 ]; then
	echo "test_systemd: $failed check(s) failed"
	exit 1
fi
echo "test_systemd: all checks passed"
