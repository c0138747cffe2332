#!/usr/bin/python3
"""Issue 13 follow-up: metrics on the stack, as an admin reads them.

The stack runs both daemons with metrics_listen on loopback and says
where in `deploy/stack env` (MG_MILTER_METRICS, MG_POLICY_METRICS, with
MG_POLICY_CONF beside MG_MILTER_CONF).  One message goes through the MX
to alice; both endpoints are scraped before and after and parsed with
prometheus_client's parser (Debian's python3-prometheus-client, hence
/usr/bin/python3): the milter counted a message and an accept verdict,
policyd-quota answered a request.  Then `mailguard-ctl stats
--prometheus --output FILE` (the command of mailguard-stats-textfile.
service) writes a parseable file holding this host's counters of the
plugin and of both daemons.  The daemons add their counters into Redis
every stats_interval (the shipped 10 s, kept in the stack as a site
keeps it): the test polls for them, bounded at 60 s."""
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mgtest import (Checks, stack_env, hostport, make_message, smtp_send,  # noqa: E402
                    imap_wait_header, prom_samples as samples)

ENV = stack_env()
ALICE = "alice@" + ENV["MG_DOMAIN"]
CTL = os.path.join(ENV["MG_BUILD_DIR"], "ctl", "mailguard-ctl")
HOST = socket.gethostname()          # stats_host's default: the host name
STATS_WAIT_S = 60                    # stats_interval is 10 s


def total(smp, name, **labels):
    """the sum of the samples of name whose labels include labels"""
    want = set(labels.items())
    return sum(v for (n, lab), v in smp.items() if n == name and want <= lab)


def scrape(var):
    host, port = hostport(ENV[var])
    c = http.client.HTTPConnection(host, port, timeout=10)
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        body = r.read().decode()
        assert r.status == 200, (var, r.status, body)
        assert r.getheader("Content-Type").startswith("text/plain; version=0.0.4")
        return samples(body)
    finally:
        c.close()


def env_says_where_the_metrics_are():
    for var in ("MG_MILTER_METRICS", "MG_POLICY_METRICS"):
        assert re.fullmatch(r"127\.0\.0\.1:[0-9]+", ENV.get(var, "")), (var, ENV.get(var))
    assert ENV["MG_MILTER_METRICS"] != ENV["MG_POLICY_METRICS"]
    # the configuration files the daemons run, each with its listener
    for conf, var in (("MG_POLICY_CONF", "MG_POLICY_METRICS"),
                      ("MG_MILTER_CONF", "MG_MILTER_METRICS")):
        with open(ENV[conf]) as f:
            text = f.read()
        assert re.search(r"^metrics_listen = %s$" % re.escape(ENV[var]), text, re.M), \
            (conf, var)
    assert ENV["MG_POLICY_CONF"].endswith("/policyd-quota/policyd-quota.conf")
    # the variables of before are still there, as they were
    for var in ("MG_SMTP", "MG_POLICY", "MG_MILTER", "MG_MILTER_CONF", "MG_REDIS"):
        assert ENV.get(var), var


def one_message_moves_both_daemons_counters():
    milter0, policy0 = scrape("MG_MILTER_METRICS"), scrape("MG_POLICY_METRICS")
    m = make_message("someone@example.com", ALICE)
    assert smtp_send(ENV["MG_SMTP"], "someone@example.com", [ALICE], m) == {}
    imap_wait_header(ENV, ALICE, "Message-ID", m["Message-ID"])
    milter1, policy1 = scrape("MG_MILTER_METRICS"), scrape("MG_POLICY_METRICS")

    def moved(before, after, name, **labels):
        return total(after, name, **labels) - total(before, name, **labels)
    assert moved(milter0, milter1, "mailguard_milter_messages_total") >= 1, milter1
    assert moved(milter0, milter1, "mailguard_milter_verdicts_total",
                 action="accept", reason="none") >= 1, milter1
    assert moved(milter0, milter1, "mailguard_milter_scan_seconds_count") >= 1
    assert moved(policy0, policy1, "mailguard_policy_requests_total", action="dunno") >= 1, \
        policy1
    assert moved(policy0, policy1, "mailguard_policy_answer_seconds_count") >= 1
    assert total(policy1, "mailguard_redis_up", client="lookups") == 1, policy1
    SEEN.update(milter=total(milter1, "mailguard_milter_messages_total"),
                policy=total(policy1, "mailguard_policy_requests_total"))


SEEN = {}


def ctl_output_has_this_hosts_counters():
    """stats --prometheus --output: this host's counters of the plugin and
    of both daemons, at least what the endpoints counted above"""
    tmp = tempfile.mkdtemp(prefix="mg-stackmetrics.")
    prom = os.path.join(tmp, "mailguard.prom")
    want = (("mailguard_milter_attach_messages_total", SEEN["milter"]),
            ("mailguard_policyd_quota_requests_total", SEEN["policy"]),
            ("mailguard_dovecot_quota_warn_publishes_total", 1))
    deadline = time.time() + STATS_WAIT_S
    try:
        while True:
            p = subprocess.run([CTL, "-c", ENV["MG_POLICY_CONF"], "stats",
                                "--prometheus", "--output", prom],
                               capture_output=True, text=True, timeout=30)
            assert p.returncode == 0 and p.stdout == "", p
            assert os.listdir(tmp) == ["mailguard.prom"], os.listdir(tmp)
            assert os.stat(prom).st_mode & 0o777 == 0o644
            with open(prom) as f:
                smp = samples(f.read())
            got = {name: total(smp, name, host=HOST) for name, _ in want}
            if all(got[name] >= n for name, n in want):
                break
            assert time.time() < deadline, "after %ss: %r, want at least %r" % (
                STATS_WAIT_S, got, want)
            time.sleep(1)
    finally:
        subprocess.run(["rm", "-rf", tmp])


c = Checks()
c.run(env_says_where_the_metrics_are)
c.run(one_message_moves_both_daemons_counters)
if SEEN:
    c.run(ctl_output_has_this_hosts_counters)
c.finish()
