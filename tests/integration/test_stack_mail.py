#!/usr/bin/env python3
"""Issue 2: the stack delivers and its interface behaves. Mail sent over
SMTP to the MX and over submission (AUTH PLAIN) reaches alice's INBOX, checked over IMAP; the env
interface has every promised key and survives `eval`; status and a second
`up` behave; the demo quotas are as documented."""
import os
import re
import subprocess
import smtplib

from mgtest import (TOP, Checks, stack_env, hostport, make_message, smtp_send,
                    imap_login, imap_wait_header)

ENV = stack_env()
ALICE = "alice@" + ENV["MG_DOMAIN"]


def env_has_every_key():
    for key in ("MG_SMTP", "MG_SUBMISSION", "MG_IMAP", "MG_REDIS", "MG_DOMAIN",
                "MG_USERS", "MG_PASSWORD", "MG_SMALL_USER", "MG_DOVECOT_CONF",
                "MG_POSTFIX_CONFIG_DIR", "MG_STATE_DIR"):
        assert ENV.get(key), "missing " + key
    assert ALICE in ENV["MG_USERS"].split()
    assert ENV["MG_SMALL_USER"] in ENV["MG_USERS"].split()


def env_evals_in_a_shell_to_the_same_values():
    # `eval "$(deploy/stack env)"` is the public interface: the quoting
    # must survive a real shell, spaces in MG_USERS included
    stack = os.path.join(TOP, "deploy", "stack")
    keys = sorted(ENV)
    script = 'eval "$("$0" env)" && printf "%s\\0" ' + " ".join(
        '"${%s}"' % k for k in keys)
    out = subprocess.run(["bash", "-c", script, stack], check=True,
                         capture_output=True, text=True).stdout
    assert out.split("\0")[:-1] == [ENV[k] for k in keys], out
    for k in keys:
        assert re.fullmatch(r"MG_[A-Z_]+", k), k
    for k in ("MG_SMTP", "MG_SUBMISSION", "MG_IMAP", "MG_LMTP", "MG_REDIS"):
        host, port = hostport(ENV[k])
        assert host == "127.0.0.1" and 0 < port < 65536, (k, ENV[k])
    ports = [hostport(v)[1] for k, v in ENV.items()
             if re.fullmatch(r"127\.0\.0\.1:[0-9]+", v)]
    assert len(ports) == len(set(ports)), "a port given twice: %r" % ports


def status_says_everything_runs():
    stack = os.path.join(TOP, "deploy", "stack")
    r = subprocess.run([stack, "status"], capture_output=True, text=True)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    names = {line.split(":")[0] for line in r.stdout.splitlines()
             if re.search(r": running \(pid [0-9]+\)$", line)}
    want = {"redis", "dovecot", "postfix"}
    if ENV.get("MG_POLICY"):
        want.add("policyd-quota")
    if ENV.get("MG_MILTER"):
        want.add("milter-attach")
    assert want <= names, (want, r.stdout)
    bad = subprocess.run([stack, "bogus"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr, bad
    other = dict(os.environ, MG_STACK_DIR=ENV["MG_STATE_DIR"] + "-never-started")
    r = subprocess.run([stack, "status"], capture_output=True, text=True, env=other)
    assert r.returncode == 3 and "not started" in r.stdout, r
    r = subprocess.run([stack, "env"], capture_output=True, text=True, env=other)
    assert r.returncode != 0 and r.stdout == "" and "not up" in r.stderr, r


def up_twice_is_harmless():
    stack = os.path.join(TOP, "deploy", "stack")
    r = subprocess.run([stack, "up"], capture_output=True, text=True)
    assert r.returncode == 0 and "already up" in r.stderr, r
    assert stack_env() == ENV, "a second up changed the stack"


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
c.run(env_evals_in_a_shell_to_the_same_values)
c.run(status_says_everything_runs)
c.run(up_twice_is_harmless)
c.run(mx_delivers_to_alice)
c.run(submission_needs_auth_and_delivers)
c.run(mx_refuses_relaying_and_unknown_users)
c.run(quotas_are_the_documented_ones)
c.run(postfix_limits_leave_the_size_reply_to_the_milter)
c.finish()
