#!/bin/bash
# systemd_inside.sh - the admin's steps and the checks of test_systemd.sh,
# run INSIDE the booted Debian 12 container (copied to /root/mgtest with the
# .debs and deploy/README.md).
#
# Usage: systemd_inside.sh install | wire | checks | after-restart | purge
# Each check prints "ok   ..." or "FAIL ..."; the exit status is the number
# of failures (capped at 100).
set -uo pipefail
here=/root/mgtest
DOMAIN=mailguard.test
ALICE=alice@$DOMAIN
SMALL=small@$DOMAIN
QKEY="mg:v1:quota:{$SMALL}"
fails=0

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND... - ok when the command succeeds
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi; }
ms() { date +%s%3N; }

# smtp ARGS... - one swaks session at the MX; prints the transcript
smtp() { swaks --server 127.0.0.1:25 --from "sender@example.com" --timeout 30 "$@" 2>&1; }
# reply_of TRANSCRIPT STAGE - the server's reply lines to the command STAGE
# (RCPT, DATA end: "." ) as "CODE text"
rcpt_reply() { awk '/^ *[~-]> RCPT TO/{r=1; next} r && /^ *<[-~*]+ /{sub(/^ *<[-~*]+ +/,""); print; exit}' <<<"$1"; }
data_reply() { awk '/^ *[~-]> \.$/{r=1; next} r && /^ *<[-~*]+ /{sub(/^ *<[-~*]+ +/,""); print; exit}' <<<"$1"; }

wait_for() { # wait_for SECONDS COMMAND... - until the command succeeds
	local n=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1
	done
}

# ---------------------------------------------------------------- install
cmd_install() {
	cd "$here" || exit 1
	# offline: every dependency is already in the root
	if apt-get install -y -q ./mailguard-common_*.deb ./milter-attach_*.deb \
		./policyd-quota_*.deb ./dovecot-quota-warn_*.deb >apt-install.log 2>&1; then
		ok "apt-get install ./*.deb (offline)"
	else
		fail "apt-get install ./*.deb:"; tail -n 20 apt-install.log; return
	fi
	check "user mailguard from sysusers.d" getent passwd mailguard
	[ "$(stat -c '%a %U %G' /var/spool/postfix/mailguard 2>&1)" = "2750 mailguard postfix" ] &&
		ok "/var/spool/postfix/mailguard 2750 mailguard:postfix (tmpfiles.d)" ||
		fail "/var/spool/postfix/mailguard: $(stat -c '%a %U %G' /var/spool/postfix/mailguard 2>&1)"
	for u in milter-attach.service policyd-quota.service; do
		[ "$(systemctl is-enabled $u)" = enabled ] && ! systemctl -q is-active $u &&
			ok "$u enabled, not started" ||
			fail "$u: $(systemctl is-enabled $u) $(systemctl is-active $u)"
	done
	[ "$(systemctl is-enabled policyd-quota.socket)" = disabled ] &&
		ok "policyd-quota.socket shipped disabled (opt-in)" ||
		fail "policyd-quota.socket: $(systemctl is-enabled policyd-quota.socket)"
	[ "$(systemctl is-enabled mailguard-stats-textfile.timer)" = disabled ] &&
		! systemctl -q is-active mailguard-stats-textfile.timer &&
		ok "mailguard-stats-textfile.timer shipped disabled (opt-in)" ||
		fail "mailguard-stats-textfile.timer: $(systemctl is-enabled mailguard-stats-textfile.timer)"
	for d in milter-attach policyd-quota; do
		check "/etc/mailguard/$d.conf passes $d -t as shipped" \
			runuser -u mailguard -- /usr/sbin/$d -c /etc/mailguard/$d.conf -t
		check "/etc/mailguard/$d.conf is a conffile" \
			grep -qx " /etc/mailguard/$d.conf [0-9a-f]*" <(dpkg-query -W -f='${Conffiles}\n' $d)
	done
	check "plugin in Dovecot's module dir" ls /usr/lib/dovecot/modules/lib*_quota_warn_plugin.so
	check "conf.d/15-quota-warn.conf shipped commented: Dovecot unchanged" \
		bash -c '! doveconf -h mail_plugins | grep -q quota_warn'
	for d in milter-attach policyd-quota; do
		check "$d -V prints 0.4.0" bash -c "/usr/sbin/$d -V 2>&1 | grep -q 0.4.0"
	done
}

# ------------------------------------------------------------------- wire
# the admin's existing mail system (not mailguard's business): a virtual
# domain with two users, Postfix delivering over LMTP to Dovecot
base_mail_system() {
	getent passwd vmail >/dev/null || useradd --system --user-group --home-dir /var/vmail \
		--create-home --shell /usr/sbin/nologin vmail
	local uid; uid=$(id -u vmail)
	cat >/etc/dovecot/users <<-EOF
	$ALICE:{PLAIN}secret:$uid:$uid::/var/vmail/$DOMAIN/alice
	$SMALL:{PLAIN}secret:$uid:$uid::/var/vmail/$DOMAIN/small::userdb_quota_rule=*:storage=1M
	EOF
	cat >/etc/dovecot/local.conf <<-EOF
	protocols = imap lmtp
	ssl = no
	first_valid_uid = $uid
	mail_location = maildir:~/Maildir
	passdb {
	  driver = passwd-file
	  args = /etc/dovecot/users
	}
	userdb {
	  driver = passwd-file
	  args = /etc/dovecot/users
	}
	service lmtp {
	  unix_listener /var/spool/postfix/private/dovecot-lmtp {
	    user = postfix
	    group = postfix
	    mode = 0600
	  }
	}
	EOF
	printf '%s OK\n%s OK\n' "$ALICE" "$SMALL" >/etc/postfix/vmailbox
	postmap /etc/postfix/vmailbox
	postconf -e "myhostname = mgtest.$DOMAIN" "mydestination = localhost" \
		"inet_protocols = ipv4" "virtual_mailbox_domains = $DOMAIN" \
		"virtual_mailbox_maps = hash:/etc/postfix/vmailbox" \
		"virtual_transport = lmtp:unix:private/dovecot-lmtp"
}

# readme_block HEADING - the first fenced block after the line HEADING in
# deploy/README.md (what the admin copies)
readme_block() {
	awk -v h="$1" 'index($0, h) == 1 {s=1; next}
		s && /^```/ {if (b) exit; b=1; next} b' "$here/README.md"
}

cmd_wire() {
	base_mail_system
	# deploy/README.md, "Install from the packages"
	readme_block '### Postfix (`main.cf`)' >"$here/main.cf.readme"
	[ -s "$here/main.cf.readme" ] || { fail "no Postfix block in deploy/README.md"; return; }
	cat "$here/main.cf.readme" >>/etc/postfix/main.cf
	cp /usr/share/doc/dovecot-quota-warn/examples/15-quota-warn.conf /etc/dovecot/conf.d/
	sed -i "s/^local_domains =.*/local_domains = $DOMAIN/" /etc/mailguard/milter-attach.conf
	systemctl enable --now policyd-quota.socket >/dev/null 2>&1
	systemctl start milter-attach redis-server
	systemctl restart dovecot postfix
	check "postfix check" postfix check
	check "doveconf -n" doveconf -n
	check "milter-attach active" systemctl -q is-active milter-attach
	check "policyd-quota.socket listening" systemctl -q is-active policyd-quota.socket
	check "policyd-quota.service not started yet (socket activation)" \
		bash -c '! systemctl -q is-active policyd-quota.service'
	check "the milter's socket in Postfix's spool" test -S /var/spool/postfix/mailguard/milter-attach.sock
}

# ----------------------------------------------------------------- checks
clean_mail_accepted() {
	local t r
	t=$(smtp --to "$ALICE" --header "Subject: hello $1")
	r=$(data_reply "$t")
	[[ $r == 250* ]] && ok "clean mail to alice: $r ($1)" || fail "clean mail ($1): ${r:-$t}"
}

exe_refused() {
	local t r
	printf 'MZ\x90\x00\x03\x00\x00\x00 a test program\n' >"$here/report.bin"
	t=$(smtp --to "$ALICE" --header "Subject: exe $1" --attach-type application/octet-stream \
		--attach-name report.exe --attach @"$here/report.bin")
	r=$(data_reply "$t")
	[[ $r == 5* ]] && ok "banned .exe refused by the milter: $r ($1)" || fail "exe ($1): ${r:-$t}"
}

# fill_small - small@ exactly at its limit: policyd-quota defers a message
# of unknown size (no SIZE= in MAIL FROM) once bytes >= bytes_limit.  A
# message without headers or newline counts its length in Dovecot's vsize;
# doveadm's session publishes when it ends.
qfield() { redis-cli --raw HGET "$QKEY" "$1"; }
fill_small() {
	local n b l
	for n in 1 2 3 4 5; do
		b=$(qfield bytes) l=$(qfield bytes_limit)
		[ -n "$b" ] && [ -n "$l" ] || return 1
		[ "$b" -lt "$l" ] || return 0
		head -c $((l - b)) /dev/zero | tr '\0' x | doveadm save -u "$SMALL" 2>/dev/null || return 1
		wait_for 10 bash -c "[ \"\$(redis-cli --raw HGET '$QKEY' bytes)\" != $b ]" || return 1
	done
	return 1
}

# policy_full WHEN - policyd-quota asked directly (Postfix tempfails every
# message at MAIL FROM while the milter is down: milter_default_action)
policy_full() {
	local r="" line t0 t1
	t0=$(ms)
	# one request on a connection kept open, as Postfix does (no half-close)
	if exec 3<>/dev/tcp/127.0.0.1/10031; then
		printf 'request=smtpd_access_policy\nprotocol_state=RCPT\nsender=sender@example.com\nrecipient=%s\nsize=0\n\n' \
			"$SMALL" >&3
		while IFS= read -r -t 5 line <&3 && [ -n "$line" ]; do r+=$line; done
		exec 3<&-
	fi
	t1=$(ms)
	# DEFER_IF_PERMIT 4.2.2: Postfix replies 450 4.2.2 unless a later restriction rejects
	[[ $r == "action=DEFER_IF_PERMIT 4.2.2 "* ]] &&
		ok "policyd-quota answers ${r:0:35} in $((t1 - t0)) ms ($1)" ||
		fail "policyd-quota ($1): $r"
}

full_mailbox_deferred() {
	local t r t0 t1
	t0=$(ms); t=$(smtp --to "$SMALL" --quit-after RCPT); t1=$(ms)
	r=$(rcpt_reply "$t")
	[[ $r == "450 4.2.2"* ]] && ok "full mailbox: $r, SMTP session to RCPT in $((t1 - t0)) ms ($1)" ||
		fail "full mailbox ($1): ${r:-$t}"
}

# stats_textfile - the counters in Redis for node_exporter, as the admin
# turns it on (deploy/README.md): the directory as Debian's
# prometheus-node-exporter ships it (root, 0755) refuses the unit; after
# dpkg-statoverride the unit writes a file with the plugin's counters
stats_textfile() {
	local dir=/var/lib/prometheus/node-exporter u=mailguard-stats-textfile
	mkdir -p "$dir"
	chmod 755 "$dir"
	if systemctl start $u.service >/dev/null 2>&1; then
		fail "$u.service wrote into a directory of root's"
	else
		ok "$u.service fails while $dir is root's: $(journalctl -u $u.service -o cat | grep -o 'cannot write.*' | tail -n 1)"
	fi
	dpkg-statoverride --update --add root mailguard 2775 "$dir"
	systemctl start $u.service &&
		grep -q '^mailguard_dovecot_quota_warn_publishes_total{host=' "$dir/mailguard.prom" &&
		[ "$(stat -c %a "$dir/mailguard.prom")" = 644 ] &&
		ok "$u.service as mailguard in its sandbox: mailguard.prom 0644 with the plugin's counters" ||
		fail "$u.service: $(systemctl status $u.service 2>&1 | tail -n 3)"
	systemctl enable --now $u.timer >/dev/null 2>&1
	check "$u.timer enabled and active" systemctl -q is-active $u.timer
	echo "exposure $u: $(systemd-analyze security $u.service 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')"
}

cmd_checks() {
	clean_mail_accepted "first"
	exe_refused "first"
	check "the milter logged the refusal" bash -c \
		"journalctl -u milter-attach | grep -q 'action=reject.*ext=.exe\|ext=.exe.*action=reject'"
	# the plugin publishes, warns at 90 %
	local t r big=$here/big.txt
	head -c 960000 /dev/zero | tr '\0' y | fold -w 76 >"$big"
	t=$(smtp --to "$SMALL" --header "Subject: big" --body @"$big")
	r=$(data_reply "$t"); [[ $r == 250* ]] && ok "950 KB to small@ (1 MiB quota): $r" ||
		fail "950 KB to small@: ${r:-$t}"
	wait_for 10 bash -c "doveadm search -u $SMALL mailbox INBOX header X-Quota-Warning 90 | grep -q ." &&
		ok "the plugin warned small@ at 90 % (notice in the INBOX)" || fail "no 90 % warning"
	r=$(redis-cli --raw HGET "$QKEY" bytes)
	[ "${r:-0}" -gt 900000 ] && ok "the plugin published small@'s usage in Redis: bytes=$r" ||
		fail "Redis $QKEY bytes=$r"
	fill_small && ok "small@ filled to its quota: $(qfield bytes)/$(qfield bytes_limit) bytes" ||
		fail "small@ not full: $(qfield bytes)/$(qfield bytes_limit) bytes"
	full_mailbox_deferred "socket-activated"
	policy_full "socket-activated"
	check "policyd-quota.service started by its socket" systemctl -q is-active policyd-quota.service
	stats_textfile

	# a broken config: the reload fails, the running config stays
	local d
	for d in milter-attach policyd-quota; do
		cp /etc/mailguard/$d.conf "$here/$d.conf.good"
		echo "no_such_key = 1" >>/etc/mailguard/$d.conf
		if systemctl reload $d >/dev/null 2>&1; then fail "systemctl reload $d accepted a broken config"
		else ok "systemctl reload $d fails on a broken config"; fi
		check "$d still active after the failed reload" systemctl -q is-active $d
		cp "$here/$d.conf.good" /etc/mailguard/$d.conf
	done
	exe_refused "after the failed reload"
	full_mailbox_deferred "after the failed reload"

	# one unit stopped, the others work
	systemctl stop milter-attach
	policy_full "milter-attach stopped"
	redis-cli DEL "$QKEY" >/dev/null
	doveadm quota get -u "$SMALL" >/dev/null 2>&1
	wait_for 10 bash -c "redis-cli --raw HGET '$QKEY' bytes | grep -q ." &&
		ok "the plugin republishes small@ with milter-attach stopped" ||
		fail "the plugin did not republish small@ with milter-attach stopped"
	systemctl start milter-attach
	systemctl stop policyd-quota.socket policyd-quota.service
	exe_refused "policyd-quota stopped"
	systemctl start policyd-quota.socket
	full_mailbox_deferred "policyd-quota back through its socket"

	local u
	for u in milter-attach policyd-quota; do
		echo "exposure $u: $(systemd-analyze security $u 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')"
	done
}

cmd_after_restart() {
	# Redis kept its data (Debian's redis.conf saves at shutdown); a doveadm
	# session republishes small@ anyway
	doveadm quota get -u "$SMALL" >/dev/null 2>&1
	check "milter-attach active after the restart" systemctl -q is-active milter-attach
	check "policyd-quota.socket active after the restart" systemctl -q is-active policyd-quota.socket
	check "redis, dovecot, postfix active" systemctl -q is-active redis-server dovecot postfix
	clean_mail_accepted "after the restart"
	exe_refused "after the restart"
	full_mailbox_deferred "after the restart"
}

cmd_purge() {
	apt-get purge -y -q milter-attach policyd-quota dovecot-quota-warn mailguard-common \
		>"$here/apt-purge.log" 2>&1 && ok "apt-get purge" || { fail "apt-get purge"; tail "$here/apt-purge.log"; }
	local left
	left=$(systemctl list-unit-files 'milter-attach*' 'policyd-quota*' 'mailguard-*' --no-legend 2>/dev/null)
	[ -z "$left" ] && ok "no unit file left" || fail "unit files left: $left"
	left=$(systemctl list-units --all 'milter-attach*' 'policyd-quota*' 'mailguard-*' --no-legend 2>/dev/null)
	[ -z "$left" ] && ok "no unit loaded" || fail "units left: $left"
	left=$(find /etc/systemd/system -name 'milter-attach*' -o -name 'policyd-quota*')
	[ -z "$left" ] && ok "no enablement link left" || fail "links left: $left"
	check "no user mailguard" bash -c '! getent passwd mailguard'
	check "no group mailguard" bash -c '! getent group mailguard'
	check "no /var/spool/postfix/mailguard" test ! -e /var/spool/postfix/mailguard
	check "no /etc/mailguard" test ! -e /etc/mailguard
	check "no /run/milter-attach, /run/policyd-quota" bash -c '! ls -d /run/milter-attach /run/policyd-quota'
	check "nothing listens on 10031" bash -c '! ss -Hltn "sport = :10031" | grep -q .'
	check "Postfix's own spool intact" test -d /var/spool/postfix/private
	check "Dovecot's configuration still valid (the purged conf.d snippet went with the plugin)" doveconf -n
}

case ${1:-} in
	install) cmd_install ;;
	wire) cmd_wire ;;
	checks) cmd_checks ;;
	after-restart) cmd_after_restart ;;
	purge) cmd_purge ;;
	*) echo "usage: $0 install|wire|checks|after-restart|purge" >&2; exit 2 ;;
esac
[ $fails -le 100 ] || fails=100
exit $fails
