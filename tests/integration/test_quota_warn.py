#!/usr/bin/env python3
"""Issue 5 through the real stack: Dovecot with the quota and quota_warn
plugins, deliveries over LMTP and SMTP, Redis, IMAP."""
import os
import re
import signal
import socket
import smtplib
import subprocess
import time

from mgtest import (Checks, stack_env, make_message, smtp_send, imap_login,
                    imap_wait_header, imap_count, imap_expunge_all, redis, hostport,
                    notice_text)

ENV = stack_env()
SMALL = ENV["MG_SMALL_USER"]
ALICE = "alice@" + ENV["MG_DOMAIN"]
QKEY = "mg:v1:quota:{%s}" % SMALL
WKEY = "mg:v1:warn:{%s}" % SMALL


def doveadm(*args):
    return subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"]] + list(args),
                          check=True, capture_output=True, text=True).stdout


def quota_kib(user):
    out = doveadm("-f", "tab", "quota", "get", "-u", user)
    for line in out.splitlines()[1:]:
        cols = line.split("\t")
        if cols[1] == "STORAGE":
            return int(cols[2]), int(cols[3])
    raise AssertionError(out)


def lmtp_deliver(user, lines, subject=None):
    m = make_message("sender@example.com", user, subject=subject,
                     body=("q" * 76 + "\n") * lines)
    with smtplib.LMTP(*hostport(ENV["MG_LMTP"]), timeout=30) as l:
        l.sendmail("sender@example.com", [user], m.as_bytes())
    return m


def qkey(user):
    return "mg:v1:quota:{%s}" % user


def warnings(threshold, user=SMALL):
    return imap_count(ENV, user, "X-Quota-Warning", str(threshold))


def percent(user=SMALL):
    b = int(redis(ENV, "HGET", qkey(user), "bytes"))
    l = int(redis(ENV, "HGET", qkey(user), "bytes_limit"))
    return b * 100 // l


def wait_published(check, timeout=10):
    """an IMAP session publishes when it ends, just after the client's
    LOGOUT: wait for it"""
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "not published within %ss" % timeout
        time.sleep(0.1)


def msgs(user=SMALL):
    return int(redis(ENV, "HGET", qkey(user), "msgs") or 0)


def fill_to(pct, lines=600, user=SMALL):
    """deliver ~47 KB messages until the published usage reaches pct;
    LMTP answers before its session publishes, so wait for each one"""
    for _ in range(60):
        if percent(user) >= pct:
            return
        before = msgs(user)
        lmtp_deliver(user, lines)
        wait_published(lambda: msgs(user) > before)
    raise AssertionError("usage stuck at %d%%" % percent(user))


def clean_start(user=SMALL):
    imap_expunge_all(ENV, user)
    doveadm("quota", "recalc", "-u", user)
    # the expunge released every claim (under the 85 % re-arm mark)
    wkey = "mg:v1:warn:{%s}" % user
    assert percent(user) < 85
    assert redis(ENV, "HGETALL", wkey) == [], redis(ENV, "HGETALL", wkey)


def one_warning_at_90_then_silence():
    clean_start()
    fill_to(90)
    assert percent() < 100
    assert warnings(90) == 1, warnings(90)
    raw = imap_wait_header(ENV, SMALL, "X-Quota-Warning", "90")
    assert b"(Postfix)" not in raw                        # saved, not sent
    assert b"Auto-Submitted: auto-generated" in raw
    assert b"Subject: =?UTF-8?B?" in raw                 # French, encoded
    subject, body = notice_text(raw)                       # decoded (mg_mail)
    assert subject.startswith("Votre boîte aux lettres est remplie à "), subject
    assert "Votre boîte aux lettres" in body, body
    # one warn line in the shared log vocabulary (common/README.md)
    log = open(os.path.join(ENV["MG_STATE_DIR"], "dovecot", "dovecot.log")).read()
    assert re.search(r"action=warn user=%s threshold=90 .*status=sent via=inbox"
                     % re.escape(SMALL), log), log[-2000:]
    for _ in range(2):                                     # more deliveries, no repeat
        if percent() >= 97:
            break
        lmtp_deliver(SMALL, 150)
    assert warnings(90) == 1, warnings(90)
    claimed = redis(ENV, "HGETALL", WKEY)
    assert claimed[0] == "90", claimed


def full_notice_reaches_the_full_mailbox():
    fill_to(100, lines=200)
    assert percent() >= 100
    # the mailbox is full for everybody else ...
    try:
        lmtp_deliver(SMALL, 1000)
        raise AssertionError("a full mailbox accepted a large message")
    except smtplib.SMTPRecipientsRefused as e:
        assert list(e.recipients.values())[0][0] == 452, e.recipients
    # ... but the 100 % notice is there, once, and the 90 % one still once
    imap_wait_header(ENV, SMALL, "X-Quota-Warning", "100")
    assert warnings(100) == 1 and warnings(90) == 1


def near_limit_delivery_publishes_once():
    """near the limit (90 % claimed), an accepted LMTP delivery publishes
    once: the state after it is saved.  LMTP's RCPT quota check (a session
    of its own, just before) used to publish the unchanged state too:
    164 publishes for 93 deliveries in the capacity bench"""
    assert 85 <= percent() < 100, percent()
    before = msgs()
    with Monitor() as mon:
        lmtp_deliver(SMALL, 20)
        wait_published(lambda: msgs() > before)
        lines = mon.until_mark("qw-near-mark")
    pubs = publishes_by_writer(lines, SMALL, '"msgs" "%d"' % (before + 1))
    assert [len(p) for p in pubs.values()] == [1], lines


def refused_delivery_publishes_once():
    """a delivery LMTP refuses at RCPT (full: 452) changes nothing in the
    mailbox, but its quota check is the only look at it: it publishes, once
    and before the reply, so a state gone stale (a lowered limit, an old
    `updated`) is current again for policyd-quota"""
    assert percent() >= 100, percent()
    with Monitor() as mon:
        redis(ENV, "HSET", QKEY, "updated", 1)
        try:
            lmtp_deliver(SMALL, 1000)
            raise AssertionError("a full mailbox accepted a large message")
        except smtplib.SMTPRecipientsRefused as e:
            assert list(e.recipients.values())[0][0] == 452, e.recipients
        lines = mon.until_mark("qw-refused-mark")
    assert int(redis(ENV, "HGET", QKEY, "updated")) > 1
    # (an IMAP session of the check before may end meanwhile: once each)
    pubs = publishes_by_writer(lines, SMALL)
    assert pubs and all(len(p) == 1 for p in pubs.values()), lines

def redis_values_equal_doveadm():
    # doveadm's own session publishes too; sessions that ended just before
    # publish asynchronously: compare once they have settled
    def same():
        used, limit = quota_kib(SMALL)
        # doveadm shows kilobytes rounded up
        got = ((int(redis(ENV, "HGET", QKEY, "bytes")) + 1023) // 1024,
               int(redis(ENV, "HGET", QKEY, "bytes_limit")) // 1024)
        same.last = (got, used, limit)
        return got == (used, limit)
    try:
        wait_published(same, timeout=5)
    except AssertionError:
        raise AssertionError("redis/doveadm differ: %r" % (same.last,))
    msgs = int(redis(ENV, "HGET", QKEY, "msgs"))
    i = imap_login(ENV, SMALL)
    typ, data = i.select("INBOX")
    i.logout()
    assert msgs == int(data[0]), (msgs, data)
    assert abs(int(redis(ENV, "HGET", QKEY, "updated")) - time.time()) < 60
    assert 0 < redis(ENV, "TTL", QKEY) <= 30 * 86400


def rearmed_after_expunge_under_85_and_warned_again():
    imap_expunge_all(ENV, SMALL)
    wait_published(lambda: percent() < 85)
    wait_published(lambda: redis(ENV, "HGETALL", WKEY) == [])   # re-armed
    fill_to(90)
    assert warnings(90) == 1, warnings(90)             # the old one was expunged too
    assert redis(ENV, "HGETALL", WKEY)[0] == "90"


def recalc_publishes():
    redis(ENV, "HSET", QKEY, "bytes", 1, "updated", 1)
    doveadm("quota", "recalc", "-u", SMALL)
    used, _ = quota_kib(SMALL)
    assert (int(redis(ENV, "HGET", QKEY, "bytes")) + 1023) // 1024 == used
    assert int(redis(ENV, "HGET", QKEY, "updated")) > 1


def published_change_is_announced():
    # policyd-quota's cache listens on this channel: a delivery announces itself
    import socket
    s = socket.create_connection(hostport(ENV["MG_REDIS"]), timeout=10)
    s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$19\r\nmg:v1:quota-changed\r\n")
    s.recv(1000)
    lmtp_deliver(ALICE, 5)
    data = b""
    deadline = time.time() + 10
    while ALICE.encode() not in data and time.time() < deadline:
        data += s.recv(1000)
    s.close()
    assert ALICE.encode() in data, data


def redis_down_does_not_stop_deliveries():
    rpid = int(open(os.path.join(ENV["MG_STATE_DIR"], "redis", "pid")).read())
    os.kill(rpid, signal.SIGSTOP)
    try:
        t0 = time.time()
        for n in range(3):
            m = lmtp_deliver(ALICE, 5, subject="redis down %d" % n)
        elapsed = time.time() - t0
    finally:
        os.kill(rpid, signal.SIGCONT)
    imap_wait_header(ENV, ALICE, "Message-ID", m["Message-ID"])
    assert elapsed < 10, "deliveries took %.1f s with Redis hung" % elapsed
    log = open(os.path.join(ENV["MG_STATE_DIR"], "dovecot", "dovecot.log")).read()
    assert "quota_warn: redis unavailable" in log


def notices_through_the_submission_host():
    """smallsmtp@ has quota_warn_submission_host = Postfix's internal
    smtpd (userdb): its 90 % notice goes through Postfix with the null
    sender, its 100 % notice is still saved into the full mailbox"""
    user = ENV["MG_SMALL_SMTP_USER"]
    clean_start(user)
    fill_to(90, user=user)
    raw = imap_wait_header(ENV, user, "X-Quota-Warning", "90")
    assert b"(Postfix)" in raw and b"Return-Path: <>" in raw, raw[:600]
    assert b"Auto-Submitted: auto-generated" in raw
    subject, body = notice_text(raw)                       # intact through Postfix
    assert subject.startswith("Votre boîte aux lettres est remplie à "), subject
    assert "Votre boîte aux lettres" in body and user in body, body
    assert warnings(90, user) == 1
    fill_to(100, lines=200, user=user)
    raw = imap_wait_header(ENV, user, "X-Quota-Warning", "100")
    assert b"(Postfix)" not in raw                        # could not go through LMTP
    assert warnings(100, user) == 1 and warnings(90, user) == 1
    clean_start(user)


def notice_saved_when_the_submission_host_is_down():
    """a doveadm save crosses 90 % for small@ with a submission host that
    refuses connections: the notice is saved into the INBOX, not lost"""
    clean_start()
    fill_to(85)                    # 47 KB steps: ends between 85 and 90 %
    assert percent() < 90
    m = make_message("sender@example.com", SMALL, body=("s" * 76 + "\n") * 800)
    r = subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"],
                        "-o", "plugin/quota_warn_submission_host=127.0.0.1:1",
                        "save", "-u", SMALL], input=m.as_bytes(), capture_output=True)
    assert r.returncode == 0, r.stderr
    assert b"not submitted, saved into the INBOX instead" in r.stderr, r.stderr
    raw = imap_wait_header(ENV, SMALL, "X-Quota-Warning", "90")
    assert b"(Postfix)" not in raw
    assert warnings(90) == 1
    clean_start()


class Monitor:
    """Redis MONITOR on a connection of its own: the commands every client
    sends, each line naming the client's address"""

    def __enter__(self):
        self.s = socket.create_connection(hostport(ENV["MG_REDIS"]), timeout=10)
        self.s.sendall(b"*1\r\n$7\r\nMONITOR\r\n")
        self.f = self.s.makefile("rb")
        assert self.f.readline() == b"+OK\r\n"
        return self

    def __exit__(self, *exc):
        self.f.close()
        self.s.close()

    def until_mark(self, mark):
        """the lines seen until our own ECHO mark (sent after the event)"""
        redis(ENV, "ECHO", mark)
        out = []
        while True:
            line = self.f.readline().decode(errors="replace")
            assert line, "MONITOR connection closed"
            if mark in line:
                return out
            out.append(line)


def publishes_by_writer(lines, user, hset_has='"bytes_limit"'):
    """{client address: its PUBLISHes of user's quota-changed} for each
    connection (one per Dovecot process) that wrote user's quota hash with
    an HSET containing hset_has"""
    writers = {re.search(r"\[\d+ ([^\]]+)\]", l).group(1) for l in lines
               if '"HSET" "%s"' % qkey(user) in l and hset_has in l}
    return {w: [l for l in lines if "[0 %s]" % w in l and '"PUBLISH"' in l
                and '"%s"' % user in l] for w in writers}

def bad_setting_named_once_default_used():
    """settings are read once when the user is created: a bad value (here
    from doveadm -o, as from a userdb field) is named once in the log and
    its default used; the state is still published"""
    redis(ENV, "HSET", qkey(ALICE), "updated", 1)
    r = subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"],
                        "-o", "plugin/quota_warn_rearm=abc",
                        "-o", "plugin/quota_warn_redis_timeout=0",
                        "quota", "recalc", "-u", ALICE], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count(b'quota_warn_rearm: bad value "abc" (not a number); '
                          b'using default 85') == 1, r.stderr
    assert r.stderr.count(b'quota_warn_redis_timeout: bad value "0" ') == 1, r.stderr
    assert r.stderr.count(b"bad value") == 2, r.stderr
    assert int(redis(ENV, "HGET", qkey(ALICE), "updated")) > 1


def stats_per_host_hash():
    """each publication adds its counters to stats:dovecot-quota-warn:<host>
    in the same pipeline: the host name by default, quota_warn_stats_host
    when set"""
    own = "mg:v1:stats:dovecot-quota-warn:" + socket.gethostname()
    assert int(redis(ENV, "HGET", own, "publishes") or 0) > 0, redis(ENV, "HGETALL", own)
    key = "mg:v1:stats:dovecot-quota-warn:mgtest-qw"
    redis(ENV, "DEL", key)
    for n in (1, 2):
        r = subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"],
                            "-o", "plugin/quota_warn_stats_host=mgtest-qw",
                            "quota", "recalc", "-u", ALICE], capture_output=True)
        assert r.returncode == 0, r.stderr
        # each doveadm process publishes at least once, then exits
        assert int(redis(ENV, "HGET", key, "publishes") or 0) >= n, \
            redis(ENV, "HGETALL", key)
    assert redis(ENV, "HGET", key, "publish_failures") is None


c = Checks()
c.run(one_warning_at_90_then_silence)
c.run(near_limit_delivery_publishes_once)
c.run(full_notice_reaches_the_full_mailbox)
c.run(refused_delivery_publishes_once)
c.run(redis_values_equal_doveadm)
c.run(rearmed_after_expunge_under_85_and_warned_again)
c.run(recalc_publishes)
c.run(published_change_is_announced)
c.run(notices_through_the_submission_host)
c.run(notice_saved_when_the_submission_host_is_down)
c.run(bad_setting_named_once_default_used)
c.run(stats_per_host_hash)
c.run(redis_down_does_not_stop_deliveries)
c.finish()
