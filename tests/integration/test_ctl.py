#!/usr/bin/env python3
"""test_ctl - mailguard-ctl (and its alias milter-attach-ctl) against a
real redis-server and a real policyd-quota, both started here on loopback
in a temporary directory and stopped by pid.

The deferrals are made by policyd-quota itself: quota state for a full
mailbox is written to Redis (as the Dovecot plugin publishes it), then
policy requests for it are deferred (4.2.2) and recorded with their
K deferinfo.  Then: defer list (human, --json, one mailbox), defer lift
(one id, --all, nothing left), quota show and warn rearm, ban
add/del/list/purge with --by and --json, the alias's 0.4 output, stats per
host with --prometheus parsed by prometheus_client, --output FILE, bad
input, and Redis down (exit 3).

Usage: test_ctl.py BUILD_DIR
"""
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from prometheus_client.parser import text_string_to_metric_families

from mgtest import free_port, policy_ask

BUILD = sys.argv[1]
CTL = os.path.join(BUILD, "ctl", "mailguard-ctl")
ALIAS = os.path.join(BUILD, "milter-attach", "milter-attach-ctl")
POLICYD = os.path.join(BUILD, "policyd-quota", "policyd-quota")
DOM = "example.org"
FULL = "full@" + DOM
OTHER = "other@" + DOM


def wait_port(port, proc, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, "%s exited: %s" % (what, proc.communicate())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("%s does not listen on %d" % (what, port))


class Stack:
    """redis-server and policyd-quota in tmp, stopped by pid"""

    def __init__(self, tmp):
        self.tmp = tmp
        self.redis_port, self.policy_port = free_port(), free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--dir", tmp, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.redis_port, self.redis, "redis-server")
        self.conf = os.path.join(tmp, "policyd-quota.conf")
        with open(self.conf, "w") as f:
            f.write("listen = inet:127.0.0.1:%d\nredis_server = 127.0.0.1:%d\n"
                    "default_domain = %s\nrecipient_delimiter = +\n"
                    "defer_period = 5d\nstate_max_age = 1h\n"
                    "redis_timeout = 2s\nlookup_timeout = 2s\n"
                    % (self.policy_port, self.redis_port, DOM))
        self.policyd = subprocess.Popen([POLICYD, "-c", self.conf, "-f"],
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_port(self.policy_port, self.policyd, "policyd-quota")

    def r(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.redis_port), "--raw"]
                             + [str(a) for a in args],
                             check=True, capture_output=True, text=True).stdout
        return out.rstrip("\n")

    def stop(self):
        for p in (self.policyd, self.redis):
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait()


def login_user(sudo_user):
    """who ban add records without --by: the login name (getlogin), else
    SUDO_USER, else the account of the uid"""
    try:
        return os.getlogin()
    except OSError:
        return sudo_user or pwd.getpwuid(os.getuid()).pw_name


def ctl(st, *args, conf=None, binary=CTL, env=None):
    e = dict(os.environ, TZ="UTC")
    e.update(env or {})
    return subprocess.run([binary, "-c", conf or st.conf] + list(args),
                          capture_output=True, text=True, env=e)


def ok(p):
    assert p.returncode == 0, (p.args, p.returncode, p.stdout, p.stderr)
    return p.stdout


def policy(st, rcpt, sender, size):
    return policy_ask("127.0.0.1:%d" % st.policy_port, rcpt, size=size, sender=sender)


def check_defer(st):
    now = int(time.time())
    st.r("HSET", "mg:v1:quota:{%s}" % FULL, "bytes", 1000, "bytes_limit", 1000,
         "msgs", 10, "msgs_limit", 0, "updated", now)
    sent = [("Alice@Example.COM", 4096, "Full+lists@" + DOM),
            ("bob@example.net", 100, FULL),
            ("", 2000, "full")]             # the null sender, as Postfix sends it
    for sender, size, rcpt in sent:
        ans = policy(st, rcpt, sender, size)
        assert ans.startswith("action=DEFER_IF_PERMIT 4.2.2"), ans
    # the same message again: still one deferral (same sender and size)
    assert policy(st, FULL, "bob@example.net", 100).startswith("action=DEFER_IF_PERMIT")
    keys = st.r("--scan", "--pattern", "mg:v1:defer*").split("\n")
    assert len([k for k in keys if k.startswith("mg:v1:defer:")]) == 3, keys
    assert len([k for k in keys if k.startswith("mg:v1:deferinfo:")]) == 3, keys
    for k in keys:          # the info expires with its deferral
        ttl = int(st.r("TTL", k))
        assert 6 * 86400 - 60 < ttl <= 6 * 86400, (k, ttl)
    # an older policyd's deferral: no info
    st.r("SET", "mg:v1:defer:{%s}:%s" % (OTHER, "a" * 32), now - 2 * 86400 - 3600)
    print("ok   policyd-quota deferred 3 messages and wrote their info with the same TTL")

    out = ok(ctl(st, "defer", "list"))
    lines = out.splitlines()
    assert lines[0].split() == ["MAILBOX", "SENDER", "SIZE", "FIRST", "DEFERRAL",
                                "550", "IN", "ID"], lines[0]
    assert lines[-1] == "4 deferred messages, 2 mailboxes", lines[-1]
    body = "\n".join(lines[1:-1])
    assert "Alice@Example.COM" in body and "<>" in body, body
    other = [l for l in lines if l.startswith(OTHER)][0]
    assert other.split()[1:3] == ["-", "-"], other        # no info: "-"
    assert "2 d 23 h" in other or "2 d 22 h" in other, other
    assert lines[1].split()[0] == FULL                    # sorted by mailbox
    # columns are aligned: SENDER starts at the same offset on every line
    col = lines[0].index("SENDER")
    assert all(l[col - 2:col] == "  " for l in lines[1:-1]), lines
    print("ok   defer list: 4 deferrals, aligned, '-' for the old one, days left")

    doc = json.loads(ok(ctl(st, "defer", "list", "--json")))
    assert doc["defer_period"] == 5 * 86400
    rows = {(d["mailbox"], d["sender"]): d for d in doc["deferrals"]}
    a = rows[(FULL, "Alice@Example.COM")]
    assert a["size"] == 4096 and a["rcpt"] == "Full+lists@" + DOM, a
    assert abs(a["first_deferral"] - now) < 60 and a["reject_at"] == a["first_deferral"] + 5 * 86400
    assert 5 * 86400 - 120 < a["seconds_left"] <= 5 * 86400, a
    assert rows[(FULL, "")]["rcpt"] == "full", rows
    o = rows[(OTHER, None)]
    assert o["size"] is None and o["rcpt"] is None, o
    print("ok   defer list --json: stable fields, null for the old deferral")

    doc = json.loads(ok(ctl(st, "defer", "list", "Full+x@EXAMPLE.org", "--json")))
    assert {d["mailbox"] for d in doc["deferrals"]} == {FULL}, doc
    assert len(doc["deferrals"]) == 3
    p = ctl(st, "defer", "list", "nobody")
    assert p.returncode == 1 and "no mail deferred for nobody@example.org" in p.stderr, p
    assert p.stdout == "", p.stdout
    print("ok   defer list MAILBOX normalised like policyd-quota; unknown mailbox: exit 1")

    ident = a["id"]
    out = ok(ctl(st, "defer", "lift", "full", ident))
    assert out == "lifted 1 deferral for %s: the next attempt is judged afresh\n" % FULL, out
    assert st.r("EXISTS", "mg:v1:defer:{%s}:%s" % (FULL, ident)) == "0"
    assert st.r("EXISTS", "mg:v1:deferinfo:{%s}:%s" % (FULL, ident)) == "0"
    p = ctl(st, "defer", "lift", "full", ident)
    assert p.returncode == 1 and "no deferral" in p.stderr, p
    doc = json.loads(ok(ctl(st, "defer", "lift", FULL, "--all", "--json")))
    assert doc == {"mailbox": FULL, "lifted": 2}, doc
    assert st.r("--scan", "--pattern", "mg:v1:defer*{%s}*" % FULL) == ""
    p = ctl(st, "defer", "lift", FULL, "--all")
    assert p.returncode == 1 and "no mail deferred" in p.stderr, p
    # lifted: the next attempt starts a new deferral
    assert policy(st, FULL, "bob@example.net", 100).startswith("action=DEFER_IF_PERMIT")
    doc = json.loads(ok(ctl(st, "defer", "list", FULL, "--json")))
    assert len(doc["deferrals"]) == 1 and doc["deferrals"][0]["seconds_left"] > 5 * 86400 - 120
    print("ok   defer lift ID / --all: keys and info deleted, counts said, nothing left: exit 1")


def check_quota(st):
    now = int(time.time())
    st.r("HSET", "mg:v1:quota:{%s}" % FULL, "bytes", 900, "bytes_limit", 1000,
         "msgs", 10, "msgs_limit", 0, "updated", now - 120)
    st.r("HSET", "mg:v1:warn:{%s}" % FULL, 90, now - 100, 100, now - 50)
    out = ok(ctl(st, "quota", "show", "full"))
    assert "storage   900 B of 1000 B (90 %)" in out, out
    assert "messages  10 (no limit)" in out, out
    assert "(2 min" in out and "fresh (state_max_age 1 h)" in out, out
    assert "90 % sent" in out and "100 % sent" in out, out
    doc = json.loads(ok(ctl(st, "quota", "show", FULL, "--json")))
    assert doc["bytes_percent"] == 90 and doc["msgs_percent"] is None, doc
    assert doc["stale"] is False and doc["state_max_age"] == 3600, doc
    assert [w["threshold"] for w in doc["warnings"]] == [90, 100], doc
    # older than policyd-quota's state_max_age: stale
    st.r("HSET", "mg:v1:quota:{%s}" % FULL, "updated", now - 7200)
    doc = json.loads(ok(ctl(st, "quota", "show", FULL, "--json")))
    assert doc["stale"] is True and 7190 < doc["age_seconds"] < 7300, doc
    assert "STALE" in ok(ctl(st, "quota", "show", FULL))
    p = ctl(st, "quota", "show", "ghost")
    assert p.returncode == 1 and "ghost@example.org" in p.stderr, p
    print("ok   quota show: usage, percent, age, stale by state_max_age, warnings; unknown: exit 1")

    assert ok(ctl(st, "warn", "rearm", "full", "90")) == "re-armed 1 warning for %s\n" % FULL
    assert st.r("HKEYS", "mg:v1:warn:{%s}" % FULL) == "100"
    p = ctl(st, "warn", "rearm", "full", "90")
    assert p.returncode == 1 and "no 90 % warning" in p.stderr, p
    st.r("HSET", "mg:v1:warn:{%s}" % FULL, 95, now)
    doc = json.loads(ok(ctl(st, "warn", "rearm", "full", "--all", "--json")))
    assert doc == {"mailbox": FULL, "rearmed": 2}, doc
    assert st.r("EXISTS", "mg:v1:warn:{%s}" % FULL) == "0"
    print("ok   warn rearm THRESHOLD / --all: HDEL, counts, nothing claimed: exit 1")


def check_bans(st):
    out = ok(ctl(st, "ban", "add", "ext", "ISO", "2d", "alerte", "CERT", "--by", "alice"))
    assert out.startswith("added ext .iso: banned until "), out
    # again without a reason: the reason stays, by/at are the new add's
    ok(ctl(st, "ban", "add", "ext", ".iso", "3d", env={"SUDO_USER": "bob"}))
    ok(ctl(st, "ban", "add", "mime", "application/x-iso9660-image", "1s", "--by", "carol"))
    ok(ctl(st, "ban", "add", "sha256", "ab" * 32, "1d", "--by", "dave", "--json"))
    # a 0.4 ban: only the note
    st.r("ZADD", "mg:v1:{ban}:ext", int(time.time()) + 3600, ".old")
    st.r("HSET", "mg:v1:{ban}:meta", "ext:.old", "vieux (added 2026-01-01 00:00:00 UTC)")
    time.sleep(1.1)                       # the 1 s ban expires
    doc = json.loads(ok(ctl(st, "ban", "list", "--json")))
    bans = {(b["kind"], b["value"]): b for b in doc["bans"]}
    iso = bans[("ext", ".iso")]
    assert iso["reason"] == "alerte CERT" and iso["expired"] is False, iso
    assert iso["by"] == login_user("bob"), iso
    assert bans[("mime", "application/x-iso9660-image")]["expired"] is True
    assert bans[("mime", "application/x-iso9660-image")]["by"] == "carol"
    old = bans[("ext", ".old")]
    assert old["by"] is None and old["added"] is None and old["reason"] == "vieux", old
    out = ok(ctl(st, "ban", "list"))
    assert out.splitlines()[0].split() == ["KIND", "VALUE", "EXPIRES", "LEFT", "BY",
                                           "ADDED", "REASON"], out
    assert out.splitlines()[-1] == "4 bans", out
    print("ok   ban add --by / default user, reason kept on update, list and --json, 0.4 entries listed")

    # the alias: 0.4's output, exactly
    out = ok(ctl(st, "ban", "list", binary=ALIAS))
    line = [l for l in out.splitlines() if ".iso" in l][0]
    assert line.startswith("%-6s %-40s until " % ("ext", ".iso")), line
    assert re.search(r" UTC  alerte CERT \(added \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$",
                     line), line
    assert out.splitlines()[-1] == "4 bans"
    p = ctl(st, "ban", "purge", binary=ALIAS)
    assert p.returncode == 2 and "unknown ban command" in p.stderr, p
    print("ok   milter-attach-ctl: 0.4 list format, no new commands")

    serial = int(st.r("GET", "mg:v1:{ban}:serial"))
    assert ok(ctl(st, "ban", "purge")) == "purged 1 expired ban\n"
    assert int(st.r("GET", "mg:v1:{ban}:serial")) == serial + 1
    assert st.r("ZCARD", "mg:v1:{ban}:mime") == "0"
    assert not [f for f in st.r("HKEYS", "mg:v1:{ban}:meta").split("\n") if f.startswith("mime:")]
    assert json.loads(ok(ctl(st, "ban", "purge", "--json"))) == {"purged": 0}
    assert int(st.r("GET", "mg:v1:{ban}:serial")) == serial + 1
    print("ok   ban purge: expired members and their meta gone, serial +1, nothing: 0")

    assert ok(ctl(st, "ban", "del", "ext", ".iso")) == "removed ext .iso\n"
    assert not [f for f in st.r("HKEYS", "mg:v1:{ban}:meta").split("\n") if f.startswith("ext:.iso")]
    p = ctl(st, "ban", "del", "ext", ".iso")
    assert p.returncode == 1 and "no ext ban on .iso" in p.stderr, p
    p = ctl(st, "ban", "del", "ext", ".iso", binary=ALIAS)
    assert p.returncode == 1, p
    print("ok   ban del: note and fields gone; absent: exit 1 (alias too)")


def check_stats(st):
    st.r("HSET", "mg:v1:stats:milter-attach", "messages", 10, "rejected", 2)
    st.r("HSET", "mg:v1:stats:milter-attach:mx1", "messages", 5, "rejected", 1)
    st.r("HSET", "mg:v1:stats:milter-attach:mx2", "messages", 7)
    st.r("HSET", "mg:v1:stats:policyd-quota:mx1", "requests", 100, "deferred", 3)
    st.r("HSET", "mg:v1:stats:dovecot-quota-warn:imap1", "warnings-sent", 4)
    # hostile names: a counter that cannot be a metric is left out (and
    # said on stderr); a host name is a label value, escaped
    st.r("HSET", "mg:v1:stats:milter-attach:mx1", "bad counter\n# TYPE x gauge", 9)
    st.r("HSET", 'mg:v1:stats:policyd-quota:mx"3\\', "requests", 1)
    out = ok(ctl(st, "stats"))
    assert "milter-attach (3 hosts)" in out, out
    assert ["messages", "5", "7", "10", "22"] in [l.split() for l in out.splitlines()], out
    doc = json.loads(ok(ctl(st, "stats", "--json")))
    ma = doc["components"]["milter-attach"]
    assert ma["total"] == {"messages": 22, "rejected": 3}, ma
    assert ma["hosts"]["(legacy)"] == {"messages": 10, "rejected": 2}, ma
    assert doc["components"]["policyd-quota"]["hosts"]["mx1"]["requests"] == 100
    assert doc["components"]["policyd-quota"]["total"]["requests"] == 101

    p = ctl(st, "stats", "--prometheus")
    text = ok(p)
    assert "left out" in p.stderr, p.stderr
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    m = fams["mailguard_milter_attach_messages"]
    assert m.type == "counter", m.type
    got = {s.labels["host"]: s.value for s in m.samples if s.name.endswith("_total")}
    assert got == {"mx1": 5, "mx2": 7, "(legacy)": 10}, got
    w = fams["mailguard_dovecot_quota_warn_warnings_sent"]
    assert [s.value for s in w.samples if s.name.endswith("_total")] == [4.0]
    got = {s.labels["host"]: s.value for s in fams["mailguard_policyd_quota_requests"].samples
           if s.name.endswith("_total")}
    assert got == {"mx1": 100, 'mx"3\\': 1}, got
    assert not [f for f in fams if "bad" in f or f == "x"], list(fams)
    # the alias: milter-attach's counters summed, "name value"
    out = ok(ctl(st, "stats", binary=ALIAS))
    assert sorted(out.splitlines()) == ["messages 22", "rejected 3"], out
    print("ok   stats per host and summed, --json, --prometheus parsed by prometheus_client, alias")


def check_output(st, tmp):
    """stats --prometheus --output FILE: the file replaced whole (FILE.tmp
    then rename), mode 0644 whatever the umask, the same text as stdout;
    a missing directory said as such (exit 2); a failure keeps the
    previous file and leaves no FILE.tmp"""
    prom = os.path.join(tmp, "textfile", "mailguard.prom")
    p = ctl(st, "stats", "--prometheus", "--output", prom)
    assert p.returncode == 2 and p.stdout == "", p
    assert "directory %s does not exist" % os.path.dirname(prom) in p.stderr, p.stderr
    os.mkdir(os.path.dirname(prom))
    old = os.umask(0o077)
    try:
        p = ctl(st, "stats", "--prometheus", "--output", prom)
    finally:
        os.umask(old)
    assert p.returncode == 0 and p.stdout == "", p
    assert os.stat(prom).st_mode & 0o777 == 0o644, oct(os.stat(prom).st_mode)
    assert os.listdir(os.path.dirname(prom)) == ["mailguard.prom"]
    with open(prom) as f:
        text = f.read()
    assert text == ok(ctl(st, "stats", "--prometheus")), text
    fams = {f.name for f in text_string_to_metric_families(text)}
    assert "mailguard_policyd_quota_requests" in fams, fams
    # Redis down: exit 3, the previous file as it was, no FILE.tmp
    downconf = os.path.join(tmp, "down-output.conf")
    with open(downconf, "w") as f:
        f.write("redis_server = 127.0.0.1:%d\n" % free_port())
    p = ctl(st, "stats", "--prometheus", "--output", prom, conf=downconf)
    assert p.returncode == 3, p
    with open(prom) as f:
        assert f.read() == text
    assert os.listdir(os.path.dirname(prom)) == ["mailguard.prom"]
    p = ctl(st, "ban", "list", "--output", prom)
    assert p.returncode == 2 and "--output goes with stats" in p.stderr, p
    print("ok   stats --output: 0644 under umask 077, same text, missing directory "
          "exit 2, Redis down keeps the old file")


def check_bad_input(st, tmp):
    for args, code, text in [
            (["defer", "list", "a b@example.org"], 2, "bad mailbox"),
            (["quota", "show", "<>"], 2, "bad mailbox"),
            (["ban", "add", "ext", ".iso", "forever"], 2, "bad duration"),
            (["ban", "add", "ext", ".iso", "2d", "--by", ""], 2, "--by"),
            (["defer", "lift", FULL, "xyz"], 2, "bad deferral id"),
            (["warn", "rearm", FULL, "ninety"], 2, "bad threshold"),
            (["frobnicate"], 2, "unknown command"),
            (["stats", "--json", "--prometheus"], 2, "exclude")]:
        p = ctl(st, *args)
        assert p.returncode == code and text in p.stderr, (args, p.returncode, p.stderr)
    badconf = os.path.join(tmp, "bad.conf")
    with open(badconf, "w") as f:
        f.write("defer_period = soon\n")
    p = ctl(st, "defer", "list", conf=badconf)
    assert p.returncode == 2 and "bad.conf:1:" in p.stderr, p
    print("ok   malformed address, bad duration, id, threshold, option, config: exit 2")

    downconf = os.path.join(tmp, "down.conf")
    port = free_port()
    with open(downconf, "w") as f:
        f.write("redis_server = 127.0.0.1:%d\n" % port)
    for args in (["defer", "list"], ["quota", "show", FULL], ["ban", "list"],
                 ["stats", "--prometheus"]):
        p = ctl(st, *args, conf=downconf)
        assert p.returncode == 3, (args, p.returncode, p.stderr)
        assert "redis 127.0.0.1:%d" % port in p.stderr and p.stdout == "", p
    p = ctl(st, "ban", "list", conf=downconf, binary=ALIAS)
    assert p.returncode == 1 and "redis 127.0.0.1:%d" % port in p.stderr, p
    print("ok   Redis down: exit 3 naming the server (the alias: 1, as 0.4)")


def main():
    tmp = tempfile.mkdtemp(prefix="mg-ctl-")
    st = None
    failed = 0
    try:
        st = Stack(tmp)
        for check in (check_defer, check_quota, check_bans, check_stats):
            check(st)
        check_output(st, tmp)
        check_bad_input(st, tmp)
    except AssertionError as e:
        import traceback
        traceback.print_exc()
        print("FAIL %r" % e)
        failed = 1
    finally:
        if st is not None:
            st.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(failed)


if __name__ == "__main__":
    main()
