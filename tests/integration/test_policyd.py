#!/usr/bin/env python3
"""Issue 4 through the real stack: Postfix calls policyd-quota per
recipient; Dovecot holds the mailboxes; Redis holds the state.

The quota state policyd-quota reads is the one the Dovecot plugin
(dovecot-quota-warn) publishes after every delivery and every doveadm
command: these tests never write it themselves, except to simulate a
mailbox that is full or stale.

Every check sets up the state it needs (small@ filled for real, its own
Redis keys) and removes it again, so any check runs alone and in any
order:  test_policyd.py [--list | CHECK...]  runs the named checks in the
given order (default: all), e.g. shuffled:
    python3 test_policyd.py $(python3 test_policyd.py --list | shuf)"""
import contextlib
import functools
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

from mgtest import (Checks, stack_env, make_message, smtp_send, imap_login,
                    imap_wait_header, imap_count, imap_expunge_all, redis, hostport,
                    notice_text, policy_ask, publish, fill_mailbox, log_size,
                    wait_log)

ENV = stack_env()
DOM = ENV["MG_DOMAIN"]
SMALL = ENV["MG_SMALL_USER"]
ALICE = "alice@" + DOM
SENDER = "sender@example.com"
BUILD = ENV["MG_BUILD_DIR"]
STATE = ENV["MG_STATE_DIR"]
SMALL_DEFERRALS = "mg:v1:defer:{%s}:*" % SMALL


def policy(addr, rcpt, size=0, state="RCPT", sender=SENDER, sock=None):
    return policy_ask(addr, rcpt, size=size, state=state, sender=sender, sock=sock)


def wait_answer(rcpt, done, timeout=2):
    """the plugin's change notice reaches policyd-quota's cache
    asynchronously: ask until done(answer) holds; return the answer"""
    deadline = time.time() + timeout
    while not done(ans := policy(ENV["MG_POLICY"], rcpt)):
        assert time.time() < deadline, ans
        time.sleep(0.01)
    return ans


def forget(pattern):
    """delete the Redis keys matching pattern"""
    for key in redis(ENV, "KEYS", pattern):
        redis(ENV, "DEL", key)


def delete_mail(user, header, value):
    """delete the user's INBOX messages whose header contains value"""
    subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"], "expunge", "-u", user,
                    "mailbox", "INBOX", "header", header, value],
                   check=True, capture_output=True)


def mx_rcpt(rcpt, size, sender=SENDER):
    """MAIL FROM with a declared size and one RCPT TO at the MX: the
    RCPT reply (code, text)"""
    with smtplib.SMTP(*hostport(ENV["MG_SMTP"]), timeout=30) as s:
        s.ehlo()
        s.mail(sender, ["SIZE=%d" % size])
        return s.rcpt(rcpt)


def empty_small_mailbox():
    """small@ empty, published, known to policyd-quota, no deferral left"""
    imap_expunge_all(ENV, SMALL)
    publish(ENV, SMALL)
    wait_answer(SMALL, lambda ans: ans == "action=DUNNO")
    forget(SMALL_DEFERRALS)


def fill_small_mailbox():
    fill_mailbox(ENV, SMALL)


def with_small_mailbox_full(check):
    """the check runs with small@ full (filled for real, known to
    policyd-quota, no deferral recorded yet) and leaves it empty"""
    @functools.wraps(check)
    def run():
        empty_small_mailbox()
        try:
            fill_small_mailbox()
            # asking records a deferral: forget it
            wait_answer(SMALL, lambda ans: "4.2.2" in ans)
            forget(SMALL_DEFERRALS)
            check()
        finally:
            empty_small_mailbox()
    return run


@with_small_mailbox_full
def full_mailbox_deferred_other_recipient_delivered():
    m = make_message(SENDER, SMALL, subject="to a full mailbox", body="short\n")
    with smtplib.SMTP(*hostport(ENV["MG_SMTP"]), timeout=30) as s:
        refused = s.sendmail(SENDER, [SMALL, ALICE], m.as_bytes())
    assert SMALL in refused and ALICE not in refused, refused
    code, text = refused[SMALL]
    assert code == 450 and text.startswith(b"4.2.2"), refused
    assert b"pleine" in text and b"5 jours" in text, text      # French default
    imap_wait_header(ENV, ALICE, "Message-ID", m["Message-ID"])
    keys = redis(ENV, "KEYS", SMALL_DEFERRALS)
    assert len(keys) == 1, keys
    ttl = redis(ENV, "TTL", keys[0])
    assert 5 * 86400 < ttl <= 6 * 86400, ttl


@with_small_mailbox_full
def after_five_days_refused_for_good():
    m = make_message(SENDER, SMALL, subject="to a full mailbox", body="short\n")
    size = len(m.as_bytes())
    # the first attempt is deferred and records the first deferral
    code, text = mx_rcpt(SMALL, size)
    assert code == 450 and text.startswith(b"4.2.2"), (code, text)
    keys = redis(ENV, "KEYS", SMALL_DEFERRALS)
    assert len(keys) == 1, keys
    # an admin (or time) moves the first deferral back 5 days and 1 second;
    # same sender and same declared size as the deferred message
    redis(ENV, "SET", keys[0], int(time.time()) - 5 * 86400 - 1)
    code, text = mx_rcpt(SMALL, size)
    assert code == 550 and text.startswith(b"5.2.2"), (code, text)
    # one second less: still only deferred
    redis(ENV, "SET", keys[0], int(time.time()) - 5 * 86400 + 30)
    code, text = mx_rcpt(SMALL, size)
    assert code == 450 and text.startswith(b"4.2.2"), (code, text)


@with_small_mailbox_full
def local_sender_told_once_external_never():
    bob = "bob@" + DOM
    notices = "mg:v1:fullnotice:{%s}:*" % bob
    subject = "Message en attente"
    # one notice per (sender, mailbox) per day: none sent yet, none read
    forget(notices)
    delete_mail(bob, "Subject", subject)
    try:
        # an external sender is deferred the same way, and never written to
        m = make_message(SENDER, SMALL, subject="external to small", body="hi\n")
        try:
            smtp_send(ENV["MG_SMTP"], SENDER, [SMALL], m)
            raise AssertionError("a full mailbox accepted mail")
        except smtplib.SMTPRecipientsRefused as e:
            assert list(e.recipients.values())[0][0] == 450, e.recipients
        before = imap_count(ENV, bob, "Subject", subject)
        # a local sender that is not authenticated (an application through
        # the MX): deferred and told; authenticated, Postfix would queue it
        # (authenticated_sender_left_to_postfix_queue)
        for n in range(2):                       # two attempts, one notice
            m = make_message(bob, SMALL, subject="bob to small %d" % n, body="hi\n")
            try:
                smtp_send(ENV["MG_SMTP"], bob, [SMALL], m)
                raise AssertionError("a full mailbox accepted mail")
            except smtplib.SMTPRecipientsRefused as e:
                assert list(e.recipients.values())[0][0] == 450, e.recipients
        raw = imap_wait_header(ENV, bob, "Subject", subject)
        assert b"Auto-Submitted: auto-generated" in raw
        # RFC 2047 subject and quoted-printable body, decoded (mg_mail)
        text, body = notice_text(raw)
        assert text == "Message en attente : boîte aux lettres du destinataire pleine", text
        assert SMALL in body and "5 jours" in body, body
        assert "n'a pas encore pu être remis" in body, body
        time.sleep(1)
        assert imap_count(ENV, bob, "Subject", subject) == before + 1
        assert len(redis(ENV, "KEYS", notices)) == 1
        # one notice line in the shared log vocabulary (common/README.md)
        log = open(os.path.join(ENV["MG_STATE_DIR"], "policyd-quota",
                                "policyd-quota.log")).read()
        assert "action=notice to=%s about=%s status=sent" % (bob, SMALL) in log, log[-2000:]
        # an external sender is never written to (no backscatter)
        assert redis(ENV, "KEYS", "mg:v1:fullnotice:{%s}:*" % SENDER) == []
    finally:
        forget(notices)
        delete_mail(bob, "Subject", subject)


@with_small_mailbox_full
def authenticated_sender_left_to_postfix_queue():
    """authenticated_full_action = queue (the shipped default): a request
    with a sasl_username gets DUNNO, records no deferral, sends no notice
    of ours and logs action=queue; the same request without it is
    deferred (test_own_queue.py follows such mail through Postfix)"""
    bob, marker = "bob@" + DOM, ALICE
    forget("mg:v1:fullnotice:{%s}:*" % bob)
    forget("mg:v1:fullnotice:{%s}:*" % marker)
    log_path = os.path.join(STATE, "policyd-quota", "policyd-quota.log")
    start = log_size(log_path)
    try:
        ans = policy_ask(ENV["MG_POLICY"], SMALL, size=300, sender=bob, sasl_username=bob)
        assert ans == "action=DUNNO", ans
        assert redis(ENV, "KEYS", SMALL_DEFERRALS) == []
        # the same sender without the login: deferred, a deferral recorded
        ans = policy_ask(ENV["MG_POLICY"], SMALL, size=300, sender=marker)
        assert ans.startswith("action=DEFER_IF_PERMIT 4.2.2 "), ans
        assert len(redis(ENV, "KEYS", SMALL_DEFERRALS)) == 1
        # notices go out in order: once the deferred sender's is logged,
        # one for bob would have been too
        wait_log(log_path, start, "action=notice to=%s about=%s status=sent"
                 % (re.escape(marker), re.escape(SMALL)), 20, "notice")
        with open(log_path) as f:
            f.seek(start)
            new = f.read()
        queued = [l for l in new.splitlines() if "action=queue" in l]
        assert len(queued) == 1, new[-2000:]
        assert "action=queue reason=mailbox_full" in queued[0], queued
        assert "from=%s to=%s mailbox=%s size=300" % (bob, SMALL, SMALL) in queued[0], queued
        assert "action=notice to=%s" % bob not in new, new[-2000:]
        assert redis(ENV, "KEYS", "mg:v1:fullnotice:{%s}:*" % bob) == []
    finally:
        forget(SMALL_DEFERRALS)
        forget("mg:v1:fullnotice:{%s}:*" % marker)
        delete_mail(marker, "Subject", "Message en attente")


@with_small_mailbox_full
def freeing_space_lets_mail_through():
    imap_expunge_all(ENV, SMALL)
    used, limit = publish(ENV, SMALL)
    assert used < limit // 2, (used, limit)
    # the plugin's change notice reaches policyd-quota's cache asynchronously
    wait_answer(SMALL, lambda ans: ans == "action=DUNNO")
    m = make_message(SENDER, SMALL, subject="after expunge")
    assert smtp_send(ENV["MG_SMTP"], SENDER, [SMALL], m) == {}
    imap_wait_header(ENV, SMALL, "Message-ID", m["Message-ID"])


def aliases_and_details_resolve_to_the_mailbox():
    # a mailbox Dovecot never delivers to, so the plugin never rewrites
    # the state this test sets (bob@ gets real deliveries and publications)
    ghost = "ghost@" + DOM
    key = "mg:v1:quota:{%s}" % ghost
    aliases = ("mg:v1:alias:{team@%s}" % DOM, "mg:v1:alias:{all@%s}" % DOM)
    redis(ENV, "DEL", key, *aliases)
    redis(ENV, "HSET", key, "bytes", 2048, "bytes_limit", 1024,
          "msgs", 1, "msgs_limit", 0, "updated", int(time.time()))
    redis(ENV, "PUBLISH", "mg:v1:quota-changed", ghost)
    redis(ENV, "SADD", "mg:v1:alias:{team@%s}" % DOM, ghost)
    redis(ENV, "SADD", "mg:v1:alias:{all@%s}" % DOM, ghost, ALICE)
    try:
        ans = policy(ENV["MG_POLICY"], "Ghost+Lists@" + DOM.upper())
        assert "4.2.2" in ans, ans
        ans = policy(ENV["MG_POLICY"], "team@" + DOM)
        assert "4.2.2" in ans, ans
        # an alias to several mailboxes: LMTP decides per mailbox
        assert policy(ENV["MG_POLICY"], "all@" + DOM) == "action=DUNNO"
        # no state published: DUNNO; stale state: DUNNO
        assert policy(ENV["MG_POLICY"], "nobody@" + DOM) == "action=DUNNO"
        redis(ENV, "HSET", key, "updated", int(time.time()) - 3 * 86400)
        redis(ENV, "PUBLISH", "mg:v1:quota-changed", ghost)
        # the change notice reaches the daemon's cache asynchronously
        wait_answer(ghost, lambda ans: ans == "action=DUNNO")
        # other protocol states are not ours
        assert policy(ENV["MG_POLICY"], "team@" + DOM, state="DATA") == "action=DUNNO"
    finally:
        redis(ENV, "DEL", key, *aliases)
        forget("mg:v1:defer:{%s}:*" % ghost)
        redis(ENV, "PUBLISH", "mg:v1:quota-changed", ghost)


def garbage_closes_only_that_connection():
    good = socket.create_connection(hostport(ENV["MG_POLICY"]), timeout=10)
    bad = socket.create_connection(hostport(ENV["MG_POLICY"]), timeout=10)
    half = socket.create_connection(hostport(ENV["MG_POLICY"]), timeout=10)
    half.sendall(b"request=smtpd_access_policy\nrecipient=x")   # left idle
    bad.sendall(b"this is not the policy protocol\n\n")
    assert bad.recv(100) == b"", "garbage must close the connection"
    bad.close()
    bad = socket.create_connection(hostport(ENV["MG_POLICY"]), timeout=10)
    bad.sendall(b"x=" + b"y" * 5000 + b"\n")
    assert bad.recv(100) == b"", "an over-long line must close the connection"
    for _ in range(3):          # the good connection is reused, undisturbed
        assert policy(ENV["MG_POLICY"], ALICE, sock=good) == "action=DUNNO"
    good.close()
    half.close()
    bad.close()


def redis_slow_or_down_gets_the_configured_action_in_time():
    # Redis hung (SIGSTOP) and paused: answers come within the bound
    rpid = int(open(os.path.join(STATE, "redis", "pid")).read())
    os.kill(rpid, signal.SIGSTOP)
    try:
        for n in range(3):
            t0 = time.time()
            ans = policy(ENV["MG_POLICY"], "uncached%d-%d@%s" % (n, os.getpid(), DOM))
            elapsed = time.time() - t0
            assert ans == "action=DUNNO", ans
            assert elapsed < 1.0, "answer took %.3f s with Redis hung" % elapsed
    finally:
        os.kill(rpid, signal.SIGCONT)
    # mail still flows through Postfix while Redis is hung (DUNNO default)
    os.kill(rpid, signal.SIGSTOP)
    try:
        m = make_message(SENDER, ALICE, subject="redis hung")
        assert smtp_send(ENV["MG_SMTP"], SENDER, [ALICE], m) == {}
    finally:
        os.kill(rpid, signal.SIGCONT)
    imap_wait_header(ENV, ALICE, "Message-ID", m["Message-ID"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def second_policyd(settings, shown):
    """a second policyd-quota on a free loopback port with the settings
    (text after listen and user), checked with -t (its dump shows `shown`);
    yields (address, process); its stderr is in process.stderr_text after"""
    binary = os.path.join(BUILD, "policyd-quota", "policyd-quota")
    port = free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("listen = inet:127.0.0.1:%d\nuser =\n%s" % (port, settings))
        conf = f.name
    check = subprocess.run([binary, "-c", conf, "-t"], capture_output=True, text=True)
    assert check.returncode == 0 and shown in check.stdout, check
    proc = subprocess.Popen([binary, "-c", conf, "-f"], stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield "127.0.0.1:%d" % port, proc
    finally:
        proc.terminate()
        proc.stderr_text = proc.communicate(timeout=10)[1]
        os.unlink(conf)


def redis_refused_with_defer_if_permit_action():
    # a second policyd-quota, Redis on a closed port, the other action
    with second_policyd("redis_server = 127.0.0.1:%d\nredis_error_action = defer_if_permit\n"
                        "language = en\n" % free_port(),
                        "redis_error_action = defer_if_permit") as (addr, proc):
        for n in range(5):
            t0 = time.time()
            ans = policy(addr, "r%d@%s" % (n, DOM))
            assert ans.startswith("action=DEFER_IF_PERMIT 4.3.0"), ans
            assert time.time() - t0 < 1.0
    # logged once per outage, not once per request
    assert proc.stderr_text.count("redis unavailable") == 1, proc.stderr_text


@with_small_mailbox_full
def authenticated_full_action_defer_treats_them_as_outside():
    # a second policyd-quota on the stack's Redis, authenticated_full_action = defer
    with second_policyd("redis_server = %s\nredis_prefix = mg:\ndefault_domain = %s\n"
                        "authenticated_full_action = defer\n" % (ENV["MG_REDIS"], DOM),
                        "authenticated_full_action = defer") as (addr, proc):
        bob = "bob@" + DOM
        ans = policy_ask(addr, SMALL, size=300, sender=bob, sasl_username=bob)
        assert ans.startswith("action=DEFER_IF_PERMIT 4.2.2 "), ans
        assert len(redis(ENV, "KEYS", SMALL_DEFERRALS)) == 1
    forget(SMALL_DEFERRALS)
    assert "action=defer reason=mailbox_full" in proc.stderr_text, proc.stderr_text
    assert "action=queue" not in proc.stderr_text, proc.stderr_text


def user_without_domain_meets_the_full_address():
    """A Dovecot user without domain ("bare"): the plugin publishes it as
    bare@DOMAIN (quota_warn_default_domain), policyd-quota reads the same
    key for bare@DOMAIN, and for a bare recipient (default_domain)."""
    bare = ENV["MG_BARE_USER"]
    full = "%s@%s" % (bare, DOM)
    deferrals = "mg:v1:defer:{%s}:*" % full
    assert "@" not in bare
    imap_expunge_all(ENV, bare)
    try:
        used, limit = publish(ENV, bare, full)
        assert limit == 1024, (used, limit)              # its userdb rule
        assert not redis(ENV, "EXISTS", "mg:v1:quota:{%s}" % bare)
        wait_answer(full, lambda ans: ans == "action=DUNNO")
        fill_mailbox(ENV, bare, full)
        ans = wait_answer(full, lambda ans: "4.2.2" in ans)
        assert ans.startswith("action=DEFER_IF_PERMIT 4.2.2"), ans
        ans = policy(ENV["MG_POLICY"], bare.upper())     # a bare recipient
        assert ans.startswith("action=DEFER_IF_PERMIT 4.2.2"), ans
        assert not redis(ENV, "EXISTS", "mg:v1:quota:{%s}" % bare)
    finally:
        imap_expunge_all(ENV, bare)
        publish(ENV, bare, full)
        forget(deferrals)


def bad_config_is_refused_with_file_and_line():
    binary = os.path.join(BUILD, "policyd-quota", "policyd-quota")
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("defer_period = 5d\nstate_max_age = 1x\n")
        conf = f.name
    r = subprocess.run([binary, "-c", conf, "-t"], capture_output=True, text=True)
    os.unlink(conf)
    assert r.returncode == 1, r
    assert "%s:2: state_max_age: bad duration" % conf in r.stderr, r.stderr


CHECKS = [
    full_mailbox_deferred_other_recipient_delivered,
    after_five_days_refused_for_good,
    local_sender_told_once_external_never,
    authenticated_sender_left_to_postfix_queue,
    freeing_space_lets_mail_through,
    aliases_and_details_resolve_to_the_mailbox,
    garbage_closes_only_that_connection,
    redis_slow_or_down_gets_the_configured_action_in_time,
    redis_refused_with_defer_if_permit_action,
    authenticated_full_action_defer_treats_them_as_outside,
    bad_config_is_refused_with_file_and_line,
    user_without_domain_meets_the_full_address,
]


def main(args):
    by_name = {fn.__name__: fn for fn in CHECKS}
    if args == ["--list"]:
        print("\n".join(by_name))
        return
    unknown = [name for name in args if name not in by_name]
    if unknown:
        sys.exit("unknown check(s): %s (see --list)" % " ".join(unknown))
    c = Checks()
    for fn in [by_name[name] for name in args] or CHECKS:
        c.run(fn)
    c.finish()


main(sys.argv[1:])
