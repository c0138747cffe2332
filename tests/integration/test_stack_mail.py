#!/usr/bin/env python3
"""Issue 2: the stack delivers. Mail sent over SMTP to the MX and over
submission (AUTH PLAIN) reaches alice's INBOX, checked over IMAP; the env
interface has every promised key; the demo quotas are as documented."""
import subprocess
import smtplib

from mgtest import (Checks, stack_env, make_message, smtp_send, imap_login,
                    imap_wait_header)

ENV = stack_env()
ALICE = "alice@" + ENV["MG_DOMAIN"]


def env_has_every_key():
    for key in ("MG_SMTP", "MG_SUBMISSION", "MG_IMAP", "MG_REDIS", "MG_DOMAIN",
                "MG_USERS", "MG_PASSWORD", "MG_SMALL_USER", "MG_DOVECOT_CONF",
                "MG_POSTFIX_CONFIG_DIR", "MG_STATE_DIR"):
        assert ENV.get(key), "missing " + key
    assert ALICE in ENV["MG_USERS"].split()
    assert ENV["MG_SMALL_USER"] in ENV["MG_USERS"].split()


def mx_delivers_to_alice():
    m = make_message("someone@example.com", ALICE)
    refused = smtp_send(ENV["MG_SMTP"], "someone@example.com", [ALICE], m)
    assert refused == {}, refused
    raw = imap_wait_header(ENV, ALICE, "Message-ID", m["Message-ID"])
    assert m["Subject"].encode() in raw


def submission_needs_auth_and_delivers():
    m = make_message("bob@" + ENV["MG_DOMAIN"], ALICE)
    try:
        smtp_send(ENV["MG_SUBMISSION"], m["From"], [ALICE], m)
        raise AssertionError("submission accepted mail without AUTH")
    except smtplib.SMTPRecipientsRefused:
        pass
    refused = smtp_send(ENV["MG_SUBMISSION"], m["From"], [ALICE], m,
                        login=(m["From"], ENV["MG_PASSWORD"]))
    assert refused == {}, refused
    imap_wait_header(ENV, ALICE, "Message-ID", m["Message-ID"])


def mx_refuses_relaying_and_unknown_users():
    m = make_message("someone@example.com", "x@example.net")
    try:
        smtp_send(ENV["MG_SMTP"], m["From"], ["x@example.net"], m)
        raise AssertionError("MX relayed to an external domain")
    except smtplib.SMTPRecipientsRefused as e:
        code = list(e.recipients.values())[0][0]
        assert code == 454 or code == 554, e.recipients
    try:
        smtp_send(ENV["MG_SMTP"], m["From"], ["nobody@" + ENV["MG_DOMAIN"]], m)
        raise AssertionError("MX accepted an unknown user")
    except smtplib.SMTPRecipientsRefused as e:
        assert list(e.recipients.values())[0][0] == 550, e.recipients


def quotas_are_the_documented_ones():
    def limit(user):
        out = subprocess.run(["doveadm", "-c", ENV["MG_DOVECOT_CONF"], "-f", "tab",
                              "quota", "get", "-u", user],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines()[1:]:
            cols = line.split("\t")
            if cols[1] == "STORAGE":
                return int(cols[3])
        raise AssertionError("no STORAGE line: " + out)
    assert limit(ALICE) == 1024 * 1024, "alice: 1 GiB in KiB"
    assert limit(ENV["MG_SMALL_USER"]) == 1024, "small: 1 MiB in KiB"
    i = imap_login(ENV, ALICE)
    typ, data = i.getquotaroot("INBOX")
    i.logout()
    assert typ == "OK" and b"STORAGE" in data[1][0], data


def postfix_limits_leave_the_size_reply_to_the_milter():
    out = subprocess.run(["postconf", "-c", ENV["MG_POSTFIX_CONFIG_DIR"], "-h",
                          "message_size_limit", "maximal_queue_lifetime"],
                         check=True, capture_output=True, text=True).stdout.split()
    assert int(out[0]) > 10 * 1024 * 1024, out
    assert out[1] == "5d", out


c = Checks()
c.run(env_has_every_key)
c.run(mx_delivers_to_alice)
c.run(submission_needs_auth_and_delivers)
c.run(mx_refuses_relaying_and_unknown_users)
c.run(quotas_are_the_documented_ones)
c.run(postfix_limits_leave_the_size_reply_to_the_milter)
c.finish()
