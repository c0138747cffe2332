# shellcheck shell=bash
# deploy/lib.sh - shared by deploy/stack and tests/run (sourced, not run)
#
# mg_install_missing PKG...   install the Debian packages that are missing
# mg_build [BUILD_DIR] [cmake args...]   configure and build with CMake
# mg_free_port DEFAULT        DEFAULT if free on 127.0.0.1, else a free one
# mg_take_port DEFAULT VAR    the same, never twice in one run, into VAR
# mg_port_held_by_dir PORT DIR   a listener on PORT belongs to the stack in DIR
# mg_wait_tcp PORT EXPECT SECONDS   wait for a greeting on 127.0.0.1:PORT
# mg_wait_greeting HOST:PORT EXPECT SECONDS   the same on any address
# mg_wait_listen PORT         wait (10 s) until something listens on PORT
# mg_in_ns CMD...             run CMD in the network namespace $MG_NETNS
#                             (unset or empty: where the caller runs)
# mg_spawn PIDFILE CMD...     start CMD in the background (in $MG_NETNS if
#                             set), its own pid in PIDFILE

MG_TOP=${MG_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# What each part needs, all from Debian 12 (word lists, used by the
# scripts that source this file).
# shellcheck disable=SC2034
MG_BUILD_PKGS="cmake make gcc pkg-config libmilter-dev libhiredis-dev libmagic-dev
  libssl-dev libsystemd-dev libcmocka-dev dovecot-dev zlib1g-dev libarchive-dev libseccomp-dev
  libmicrohttpd-dev"
# shellcheck disable=SC2034
MG_RUN_PKGS="postfix redis-server dovecot-core dovecot-imapd dovecot-lmtpd python3
  iproute2 procps libmagic1 libmagic-mgc libarchive13 libseccomp2 libmicrohttpd12"
# shellcheck disable=SC2034
MG_PKG_PKGS="debhelper dpkg-dev lintian"
# shellcheck disable=SC2034
MG_TEST_PKGS="clang libclang-rt-14-dev miltertest clamav-testfiles swaks systemd
  libpython3.11-testsuite valgrind debootstrap systemd-container $MG_PKG_PKGS
  xorriso genisoimage udftools dosfstools mtools
  qemu-utils p7zip-full gcab zstd xz-utils bzip2 lzip zip unar libarchive-tools
  python3-cryptography ntfs-3g python3-prometheus-client prometheus"

mg_log() { printf '%s: %s\n' "${MG_PROG:-mailguard}" "$*" >&2; }
mg_die() { mg_log "error: $*"; exit 1; }

mg_as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else mg_die "must run as root (or with sudo) to: $*"
	fi
}

mg_install_missing() {
	local missing=() p st
	for p in "$@"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$st" = "install ok installed" ] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mg_log "installing Debian packages: ${missing[*]}"
	# Postfix asks how to configure the system instance: we want none, and
	# no system daemon started by the install (the stack runs its own).
	echo "postfix postfix/main_mailer_type select No configuration" |
		mg_as_root debconf-set-selections
	local own_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | mg_as_root tee /usr/sbin/policy-rc.d >/dev/null
		mg_as_root chmod 755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	local rc=0
	mg_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
	if [ $rc -eq 0 ]; then
		mg_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	fi
	[ $own_policy -eq 1 ] && mg_as_root rm -f /usr/sbin/policy-rc.d
	[ $rc -eq 0 ] || mg_die "apt-get failed (exit $rc) installing: ${missing[*]}"
}

mg_build() {
	local dir=${1:-$MG_TOP/build}
	shift || true
	cmake -S "$MG_TOP" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null ||
		mg_die "cmake configure failed in $dir"
	cmake --build "$dir" -j"$(nproc)" >"$dir/build.log" 2>&1 || {
		tail -n 40 "$dir/build.log" >&2
		mg_die "build failed (full log: $dir/build.log)"
	}
}

mg_in_ns() {
	if [ -n "${MG_NETNS:-}" ]; then ip netns exec "$MG_NETNS" "$@"; else "$@"; fi
}

# (not for `&`: a function run in the background is a subshell of its
# own, whose pid is not the command's; use mg_spawn)

# mg_spawn PIDFILE CMD... - CMD in the background, stdin /dev/null, fd 8
# (the stack's lock) closed, stdout/stderr the caller's; PIDFILE holds the
# command's pid (ip netns exec and setpriv exec, they do not fork)
mg_spawn() {
	local pidfile=$1 pre=()
	shift
	[ -z "${MG_NETNS:-}" ] || pre=(ip netns exec "$MG_NETNS")
	"${pre[@]}" "$@" </dev/null 8>&- &
	echo $! >"$pidfile"
}

mg_port_free() {
	! mg_in_ns ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# mg_port_held_by_dir PORT DIR - some process listening on 127.0.0.1:PORT
# belongs to the stack in DIR (its working directory is under DIR or its
# command line names DIR).  On a shared machine a port freed by `down` may
# be taken at once by somebody else's server: that one is not ours.
mg_port_held_by_dir() {
	local port=$1 dir=$2 pid cwd
	for pid in $(ss -Htlnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' |
		cut -d= -f2 | sort -u); do
		cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
		case "$cwd/" in "$dir"/*) return 0 ;; esac
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/" && return 0
	done
	return 1
}

# mg_port_taken_here PORT - PORT was already handed out by this run
# (chosen, not yet bound: the servers start after all ports are picked)
MG_PORTS_TAKEN=" "
mg_port_taken_here() {
	case "$MG_PORTS_TAKEN" in *" $1 "*) return 0 ;; esac
	return 1
}

# mg_take_port DEFAULT VAR - like mg_free_port, and remembers the port so
# the same run does not hand it out twice; the port is stored in the
# caller's variable VAR (no subshell: the memory must survive the call)
mg_take_port() {
	local _mg_port
	_mg_port=$(mg_free_port "$1")
	MG_PORTS_TAKEN="$MG_PORTS_TAKEN$_mg_port "
	printf -v "$2" '%s' "$_mg_port"
}

# Fallback ports come from 20000-32767, below Linux's ephemeral range
# (32768-60999), so they do not collide with ports the kernel hands out to
# other programs binding port 0 or connecting out.
mg_free_port() {
	local p=$1 tries=0
	while ! mg_port_free "$p" || mg_port_taken_here "$p"; do
		p=$(( (RANDOM % 12768) + 20000 ))
		tries=$((tries + 1))
		[ $tries -lt 200 ] || mg_die "no free port found"
	done
	echo "$p"
}

# mg_wait_tcp PORT EXPECT SECONDS - wait until 127.0.0.1:PORT greets with EXPECT
mg_wait_tcp() { mg_wait_greeting "127.0.0.1:$1" "$2" "$3"; }

# mg_wait_greeting HOST:PORT EXPECT SECONDS - wait until HOST:PORT (an IPv4
# address) greets with EXPECT, from the namespace $MG_NETNS if set
mg_wait_greeting() {
	local host=${1%:*} port=${1##*:} expect=$2 secs=$3 i line
	for ((i = 0; i < secs * 10; i++)); do
		# in a shell of its own: a failed exec redirection ends the shell
		# running it, and it runs in the namespace
		line=$(mg_in_ns bash -c 'exec 9<>"/dev/tcp/$1/$2" && read -r -t 2 l <&9 &&
			echo "$l"' _ "$host" "$port" 2>/dev/null || true)
		case "$line" in "$expect"*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# mg_wait_listen PORT - wait up to 10 s until something listens on PORT
mg_wait_listen() {
	local i
	for ((i = 0; i < 100; i++)); do
		mg_port_free "$1" || return 0
		sleep 0.1
	done
	return 1
}
