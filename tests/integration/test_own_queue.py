#!/usr/bin/env python3
"""Issue 13, part 4: the charter's queue (I.K) for our own senders,
through the stack's real Postfix, Dovecot and policyd-quota.

small@ is filled for real.  alice@ (authenticated on submission) sends to
it: 250, the message waits in our Postfix (Dovecot's LMTP answers 452 4.2.2
with quota_full_tempfail), alice receives Postfix's French delay notice and,
once maximal_queue_lifetime has passed, the French bounce (the shipped
deploy/postfix/bounce.cf.fr).  For this the test shortens the stack's queue
times (postconf -e, postfix reload) and puts its main.cf back afterwards:
the stack runs with the production values (4h, 5d).  With those values
back, a second message accepted for the full mailbox is delivered once
space is freed (expunge over IMAP, postqueue -f).  Mail from outside (port
25, no AUTH) is still deferred by policyd-quota at RCPT.  Every wait is a
bounded polling loop; what the test leaves (queued messages, notices,
deferral records, the filled mailbox) is removed."""
import email
import os
import re
import smtplib
import subprocess
import time
import uuid

from mgtest import (Checks, stack_env, hostport, make_message, imap_login,
                    imap_wait_header, imap_expunge_all, redis, policy_ask,
                    publish, fill_mailbox, log_size, wait_log)

ENV = stack_env()
DOM = ENV["MG_DOMAIN"]
SMALL = ENV["MG_SMALL_USER"]
ALICE = "alice@" + DOM
OUTSIDE = "sender@example.com"
PFDIR = ENV["MG_POSTFIX_CONFIG_DIR"]
MAIN_CF = os.path.join(PFDIR, "main.cf")
MAILLOG = os.path.join(ENV["MG_STATE_DIR"], "postfix", "maillog")
PQLOG = os.path.join(ENV["MG_STATE_DIR"], "policyd-quota", "policyd-quota.log")
SMALL_DEFERRALS = "mg:v1:defer:{%s}:*" % SMALL
TOKEN = "ownq-" + uuid.uuid4().hex        # in every message this test sends

# short queue times for the notices to come within the test; Postfix wants
# non-zero backoff times and queue_run_delay <= minimal_backoff_time
SHORT = {
    "delay_warning_time": "5s",
    "maximal_queue_lifetime": "40s",
    "bounce_queue_lifetime": "40s",
    "queue_run_delay": "2s",
    "minimal_backoff_time": "2s",
    "maximal_backoff_time": "4s",
}
PRODUCTION = {"delay_warning_time": "4h", "maximal_queue_lifetime": "5d",
              "bounce_queue_lifetime": "5d"}

queued_ids = []                           # removed from the queue at the end


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def reload_postfix():
    """postfix reload, and wait until the master logged it (its children,
    the queue manager included, restart with the new settings)"""
    start = log_size(MAILLOG)
    run("postfix", "-c", PFDIR, "reload")
    wait_log(MAILLOG, start, r"postfix/master\[[0-9]+\]: reload", 30, "postfix reload")


def set_queue_times(values):
    run("postconf", "-c", PFDIR, "-e", *("%s=%s" % kv for kv in values.items()))
    reload_postfix()


def in_queue(qid):
    return any('"queue_id": "%s"' % qid in line
               for line in run("postqueue", "-c", PFDIR, "-j").splitlines())


def submit(sender, rcpt, subject):
    """an authenticated submission of one message: (queue id, message)"""
    m = make_message(sender, rcpt, subject="%s %s" % (subject, TOKEN),
                     body="Bonjour,\n%s\n" % TOKEN)
    with smtplib.SMTP(*hostport(ENV["MG_SUBMISSION"]), timeout=30) as s:
        s.login(sender, ENV["MG_PASSWORD"])
        code, text = s.mail(sender)
        assert code == 250, (code, text)
        code, text = s.rcpt(rcpt)
        assert code == 250, ("RCPT to the full mailbox", code, text)
        code, text = s.data(m.as_bytes())
    assert code == 250, ("DATA", code, text)
    qid = re.search(rb"queued as ([0-9A-Za-z]+)", text)
    assert qid, text
    queued_ids.append(qid.group(1).decode())
    return queued_ids[-1], m


def imap_find(user, subject, token, timeout):
    """the raw message in user's INBOX whose Subject contains subject and
    whose text contains token (Postfix's notices quote the original
    message's headers)"""
    deadline = time.time() + timeout
    while True:
        i = imap_login(ENV, user)
        try:
            i.select("INBOX")
            typ, data = i.search(None, "HEADER", "Subject", '"%s"' % subject)
            for num in (data[0].split() if typ == "OK" else []):
                typ, msg = i.fetch(num, "(RFC822)")
                raw = msg[0][1]
                if token.encode() in raw:
                    return raw
        finally:
            i.logout()
        assert time.time() < deadline, "no \"%s\" with %s in %s's INBOX after %ss" % (
            subject, token, user, timeout)
        time.sleep(0.5)


def dsn_parts(raw):
    """a Postfix notice: (its text, decoded with its charset; the
    delivery-status part as text)"""
    m = email.message_from_bytes(raw)
    assert m.get_content_type() == "multipart/report", m.get_content_type()
    parts = m.get_payload()
    first = parts[0]
    assert first.get_content_type() == "text/plain", first.get_content_type()
    assert first.get_content_charset() == "utf-8", first["Content-Type"]
    text = first.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n")
    status = parts[1]
    assert status.get_content_type() == "message/delivery-status", status.get_content_type()
    return text, status.as_string()


def small_is_full_for_policyd():
    fill_mailbox(ENV, SMALL)
    deadline = time.time() + 10
    while "4.2.2" not in (ans := policy_ask(ENV["MG_POLICY"], SMALL)):
        assert time.time() < deadline, ans
        time.sleep(0.05)
    forget_deferrals()


def forget_deferrals():
    for key in redis(ENV, "KEYS", SMALL_DEFERRALS):
        redis(ENV, "DEL", key)


# ---- the checks, in this order ----------------------------------------------

def stack_runs_the_production_queue():
    got = run("postconf", "-c", PFDIR, "-h", "delay_warning_time", "maximal_queue_lifetime",
              "bounce_queue_lifetime", "bounce_template_file").split("\n")
    assert got[:3] == ["4h", "5d", "5d"], got
    template = got[3]
    assert template.endswith("/deploy/postfix/bounce.cf.fr") and os.path.isfile(template), got
    # the template file is well-formed: postconf -b expands every template
    out = run("postconf", "-c", PFDIR, "-b", template)
    for name in ("failure", "delay", "success", "verify"):
        assert "expanded_%s_text = <<EOF" % name in out, out[:500]
    assert "5 jour(s)" in out and "4 heure(s)" in out, out
    tempfail = run("doveconf", "-c", ENV["MG_DOVECOT_CONF"], "-h", "quota_full_tempfail")
    assert tempfail.strip() == "yes", tempfail


def outside_sender_still_deferred_by_policyd():
    with smtplib.SMTP(*hostport(ENV["MG_SMTP"]), timeout=30) as s:
        s.ehlo()
        s.mail(OUTSIDE)
        code, text = s.rcpt(SMALL)
    try:
        # DEFER_IF_PERMIT: Postfix's defer_code (450) with policyd's 4.2.2
        assert code == 450 and text.startswith(b"4.2.2 "), (code, text)
        assert b"pleine" in text, text
        assert len(redis(ENV, "KEYS", SMALL_DEFERRALS)) == 1
    finally:
        forget_deferrals()


def own_sender_accepted_told_then_bounced_in_french():
    set_queue_times(SHORT)
    pq_start, log_start = log_size(PQLOG), log_size(MAILLOG)
    qid, m = submit(ALICE, SMALL, "to a full mailbox, kept")
    # policyd-quota left it to the queue; Dovecot tempfails it at LMTP
    line = wait_log(PQLOG, pq_start, r"action=queue reason=mailbox_full .*from=%s to=%s"
                    % (re.escape(ALICE), re.escape(SMALL)), 10, "policyd-quota")
    assert "mailbox=%s" % SMALL in line, line
    assert redis(ENV, "KEYS", SMALL_DEFERRALS) == []
    line = wait_log(MAILLOG, log_start, r"%s: to=<%s>.*status=deferred" % (qid, re.escape(SMALL)),
                    30, "first delivery attempt")
    assert "452 4.2.2" in line, line
    assert in_queue(qid), qid
    # the delay notice, in French (English below), with the recipient
    raw = imap_find(ALICE, "Message en attente", TOKEN, 90)
    msg = email.message_from_bytes(raw)
    assert msg["Subject"] == "Message en attente / Delayed Mail (still being retried)", msg["Subject"]
    text, status = dsn_parts(raw)
    for want in ("CECI EST UN SIMPLE AVERTISSEMENT", "VOUS N'AVEZ RIEN À FAIRE",
                 "la boîte aux lettres du destinataire\nest pleine",
                 "file d'attente de notre serveur", "NOTHING TO DO ON YOUR SIDE",
                 "<%s>" % SMALL, "452 4.2.2"):
        assert want in text, (want, text)
    assert text.index("CECI EST") < text.index("NOTHING TO DO ON YOUR SIDE"), text
    assert "Action: delayed" in status and "Status: 4.2.2" in status, status
    assert "Final-Recipient: rfc822; %s" % SMALL in status, status
    # after maximal_queue_lifetime: the bounce, in French, the message gone
    raw = imap_find(ALICE, "Message non remis", TOKEN, 120)
    msg = email.message_from_bytes(raw)
    assert msg["Subject"] == "Message non remis / Undelivered Mail Returned to Sender", msg["Subject"]
    text, status = dsn_parts(raw)
    for want in ("Votre message n'a pas pu être remis", "il est maintenant détruit",
                 "It could not be delivered", "<%s>" % SMALL, "452 4.2.2"):
        assert want in text, (want, text)
    assert "Action: failed" in status and "Final-Recipient: rfc822; %s" % SMALL in status, status
    assert m["Message-ID"].encode() in raw, "the returned message is not attached"
    deadline = time.time() + 10
    while in_queue(qid):
        assert time.time() < deadline, "%s still queued after its bounce" % qid
        time.sleep(0.2)


def own_sender_mail_delivered_once_space_is_freed():
    set_queue_times(PRODUCTION)
    log_start = log_size(MAILLOG)
    qid, m = submit(ALICE, SMALL, "to a full mailbox, delivered later")
    line = wait_log(MAILLOG, log_start, r"%s: to=<%s>.*status=deferred" % (qid, re.escape(SMALL)),
                    30, "first delivery attempt")
    assert "452 4.2.2" in line, line
    assert in_queue(qid), qid
    # room is made (the quota is Dovecot's: LMTP accepts at the next try)
    imap_expunge_all(ENV, SMALL)
    used, limit = publish(ENV, SMALL)
    assert used < limit, (used, limit)
    run("postqueue", "-c", PFDIR, "-f")
    raw = imap_wait_header(ENV, SMALL, "Message-ID", m["Message-ID"], timeout=60)
    assert TOKEN.encode() in raw
    wait_log(MAILLOG, log_start, r"%s: to=<%s>.*status=sent" % (qid, re.escape(SMALL)),
             30, "delivery")
    deadline = time.time() + 10
    while in_queue(qid):
        assert time.time() < deadline, "%s still queued after its delivery" % qid
        time.sleep(0.2)


def clean_up(main_cf):
    with open(MAIN_CF, "w") as f:
        f.write(main_cf)
    reload_postfix()
    for qid in queued_ids:
        subprocess.run(["postsuper", "-c", PFDIR, "-d", qid], capture_output=True)
    for user in (ALICE, SMALL):
        subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"], "expunge", "-u", user,
                        "mailbox", "INBOX", "text", TOKEN], capture_output=True)
    imap_expunge_all(ENV, SMALL)
    publish(ENV, SMALL)
    forget_deferrals()


def main():
    with open(MAIN_CF) as f:
        main_cf = f.read()
    c = Checks()
    c.run(stack_runs_the_production_queue)
    try:
        c.run(small_is_full_for_policyd)
        c.run(outside_sender_still_deferred_by_policyd)
        c.run(own_sender_accepted_told_then_bounced_in_french)
        c.run(own_sender_mail_delivered_once_space_is_freed)
    finally:
        clean_up(main_cf)
    c.run(stack_runs_the_production_queue)
    c.finish()


main()
