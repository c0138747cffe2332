#!/usr/bin/env bash
# systemd_rootfs.sh - the Debian 12 root the real-systemd test boots, made once
# and cached as a tarball.
#
# Usage: systemd_rootfs.sh TARBALL
#
# Prints nothing and exits 0 when TARBALL exists.  Otherwise debootstraps
# bookworm (minbase + systemd) from the mirror of the host's apt sources,
# brings it to the host's point releases and security updates (so the
# .debs built here find the library versions they were linked against),
# installs what the test needs inside (Postfix, Dovecot, Redis, swaks, the
# components' runtime libraries) with no service started, and writes
# TARBALL.  Installing the mailguard .debs in the booted root then needs
# no network.  Needs root and the network (deb.debian.org) the first time.
set -euo pipefail
out=$1

# the packages the booted root holds besides minbase
MG_ROOT_BOOT="systemd,systemd-sysv,dbus,procps"
MG_ROOT_PKGS="postfix dovecot-core dovecot-lmtpd dovecot-imapd redis-server redis-tools
  swaks libmilter1.0.1 libhiredis0.14 libmagic1 libmagic-mgc libarchive13 libseccomp2
  libssl3 libsystemd0 zlib1g libmicrohttpd12 iproute2 socat ca-certificates"
# the lists a tarball was made with, beside it (TARBALL.pkgs): a tarball of
# other lists is made again (a new runtime library must be in the root)
want=$(echo "$MG_ROOT_BOOT" $MG_ROOT_PKGS)
cached() { [ -s "$out" ] && [ "$(cat "$out.pkgs" 2>/dev/null)" = "$want" ]; }

cached && exit 0
[ "$(id -u)" -eq 0 ] || { echo "systemd_rootfs.sh: needs root" >&2; exit 1; }
# one maker at a time (tests/run starts one early, the test may ask again):
# the second waits for the first and finds the tarball
mkdir -p "${out%/*}"
exec 9>"$out.lock"
flock 9
cached && exit 0
rm -f "$out" "$out.pkgs"

# the mirror of the host's sources (deb822 or one-line), Debian's by default
mirror() {
	local u
	u=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
	[ -n "$u" ] || u=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${u:-http://deb.debian.org/debian}"
}

root=$(mktemp -d "${out%/*}/rootfs.XXXXXX")
cleanup() {
	umount -l "$root/proc" 2>/dev/null || true
	rm -rf "$root"
}
trap cleanup EXIT

mkdir -p "${out%/*}"
debootstrap --variant=minbase --include="$MG_ROOT_BOOT" bookworm "$root" "$(mirror)" \
	>"${out%/*}/debootstrap.log" 2>&1 ||
	{ tail -n 30 "${out%/*}/debootstrap.log"; exit 1; }

# apt inside: the host's sources; no service starts while installing
rm -f "$root"/etc/apt/sources.list
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null ||
	cp /etc/apt/sources.list "$root/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
echo "mailguard.test" >"$root/etc/mailname"
chroot "$root" debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select Internet Site
postfix postfix/mailname string mailguard.test
EOF
pkgs=$(echo $MG_ROOT_PKGS)
chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c "
	apt-get update -qq &&
	apt-get -y -qq dist-upgrade &&
	apt-get install -y -qq --no-install-recommends $pkgs &&
	apt-get clean" >>"${out%/*}/debootstrap.log" 2>&1 ||
	{ tail -n 30 "${out%/*}/debootstrap.log"; exit 1; }
umount "$root/proc"
rm -f "$root/usr/sbin/policy-rc.d"
# a machine id made at the first boot, a hostname of its own
: >"$root/etc/machine-id"
echo mgtest >"$root/etc/hostname"
chmod 755 "$root"   # mktemp made it 0700: "/" must be searchable by every user
tar -C "$root" -cf "$out.tmp" . && mv "$out.tmp" "$out"
printf '%s\n' "$want" >"$out.pkgs"
