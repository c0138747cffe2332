#!/usr/bin/python3
"""Issue 13 part 3: the daemons' metrics, scraped and parsed for real.

   test_metrics.py BUILD_DIR

Starts a redis-server of its own on loopback in a temp dir, then the built
policyd-quota and milter-attach with metrics_listen on a free loopback
port, metrics_textfile in the temp dir, stats_interval = 1s and a
stats_host of their own; sends traffic (policy requests over TCP, SMTP
transactions over the milter protocol with miltertest), scrapes
GET /metrics over HTTP and parses it with prometheus_client's parser
(Debian's python3-prometheus-client), and checks that the counts moved
as the traffic says; a 404 path and a 405 method; the textfile written
and parseable; SIGUSR1 logs the counters and does not reload, SIGHUP
reloads; the counters reach the per-host hash stats:<component>:<host>.
Everything is stopped by pid."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mgtest import Checks, policy_ask, redis, prom_samples as samples  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
TMP = tempfile.mkdtemp(prefix="mgmetrics.")
PREFIX = "mgmetrics:"
PROCS = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, cond, timeout=10):
    deadline = time.time() + timeout
    while True:
        val = cond()
        if val:
            return val
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def connectable(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def start(argv, log):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                         stderr=open(log, "w"), cwd=TMP)
    PROCS.append(p)
    return p


REDIS_PORT = free_port()
ENV = {"MG_REDIS": "127.0.0.1:%d" % REDIS_PORT}


def http_get(port, path, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read().decode()
    finally:
        c.close()


def value(smp, name, **labels):
    return smp.get((name, frozenset(labels.items())))


def scrape(port):
    status, ctype, body = http_get(port, "/metrics")
    assert status == 200, (status, body)
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    return samples(body)


def textfile(name):
    """the samples of a metrics textfile, None while it does not exist"""
    try:
        with open(os.path.join(TMP, name)) as f:
            return samples(f.read())
    except FileNotFoundError:
        return None


def log_of(name):
    with open(os.path.join(TMP, name + ".log")) as f:
        return f.read()


# --- policyd-quota -----------------------------------------------------------

PQ_PORT, PQ_METRICS = free_port(), free_port()
PQ_HOST = "mgtest-pq"
FULL = "full@metrics.test"


def policyd_conf():
    return ("listen = inet:127.0.0.1:%d\nuser =\nredis_server = 127.0.0.1:%d\n"
            "redis_prefix = %s\nstats_interval = 1s\nstats_host = %s\n"
            "metrics_listen = 127.0.0.1:%d\nmetrics_textfile = %s/pq.prom\n"
            % (PQ_PORT, REDIS_PORT, PREFIX, PQ_HOST, PQ_METRICS, TMP))


def policyd_counts_requests_by_action():
    now = int(time.time())
    redis(ENV, "HSET", "%sv1:quota:{%s}" % (PREFIX, FULL), "bytes", 1000,
          "bytes_limit", 1000, "msgs", 3, "msgs_limit", 0, "updated", now)
    addr = "127.0.0.1:%d" % PQ_PORT
    for n in range(3):
        ans = policy_ask(addr, "nobody%d@metrics.test" % n, size=100)
        assert ans == "action=DUNNO", ans
    ans = policy_ask(addr, FULL, size=100)
    assert ans.startswith("action=DEFER_IF_PERMIT 4.2.2"), ans
    ans = policy_ask(addr, FULL, size=100, state="DATA")
    assert ans == "action=DUNNO", ans
    # a malformed request: refused, the connection closed
    with socket.create_connection(("127.0.0.1", PQ_PORT), timeout=5) as s:
        s.sendall(b"\n")
        assert s.recv(100) == b""
    smp = scrape(PQ_METRICS)
    req = "mailguard_policy_requests_total"
    assert value(smp, req, action="dunno", reason="no_state") == 3, smp
    assert value(smp, req, action="dunno", reason="") == 1, smp     # not a RCPT
    assert value(smp, req, action="defer", reason="mailbox_full") == 1, smp
    assert value(smp, "mailguard_policy_answer_seconds_count") == 5, smp
    assert value(smp, "mailguard_policy_answer_seconds_bucket", le="+Inf") == 5
    assert value(smp, "mailguard_policy_cache_total", result="miss") == 4, smp
    assert value(smp, "mailguard_policy_refused_input_total") == 1, smp
    assert value(smp, "mailguard_redis_up", client="lookups") == 1, smp
    assert value(smp, "mailguard_redis_roundtrips_total", client="lookups") >= 2, smp
    assert value(smp, "mailguard_redis_roundtrip_seconds_count", client="lookups") >= 2
    assert value(smp, "mailguard_redis_errors_total",
                 client="lookups", kind="redis_down") is None, smp


def policyd_other_paths_404_and_methods_405():
    status, _, body = http_get(PQ_METRICS, "/")
    assert status == 404, status
    status, _, _ = http_get(PQ_METRICS, "/metrics/x")
    assert status == 404, status
    status, _, _ = http_get(PQ_METRICS, "/metrics", method="POST")
    assert status == 405, status
    status, _, _ = http_get(PQ_METRICS, "/metrics", method="HEAD")
    assert status == 200, status


def policyd_textfile_written_and_parseable():
    def has_deferral():
        smp = textfile("pq.prom")
        return smp is not None and value(smp, "mailguard_policy_requests_total",
                                         action="defer", reason="mailbox_full") == 1
    wait_until("the textfile with the deferral", has_deferral)
    assert not os.path.exists(os.path.join(TMP, "pq.prom.tmp"))


def policyd_stats_per_host_hash():
    key = "%sv1:stats:policyd-quota:%s" % (PREFIX, PQ_HOST)
    wait_until(key, lambda: redis(ENV, "HGET", key, "requests") == "5")
    assert redis(ENV, "HGET", key, "deferred") == "1"
    assert redis(ENV, "EXISTS", "%sv1:stats:policyd-quota" % PREFIX) == 0


def usr1_logs_and_hup_reloads(name, *want):
    """SIGUSR1: one action=stats line holding want, no reload; SIGHUP:
    a reload; the daemon lives on"""
    p = PROCS_BY_NAME[name]
    p.send_signal(signal.SIGUSR1)
    wait_until("the stats line", lambda: "action=stats" in log_of(name))
    line = [ln for ln in log_of(name).splitlines() if "action=stats" in ln][0]
    assert all(w in line for w in want), line
    assert "configuration reloaded" not in log_of(name)
    p.send_signal(signal.SIGHUP)
    wait_until("the reload", lambda: "configuration reloaded" in log_of(name))
    assert p.poll() is None


def policyd_usr1_logs_and_hup_reloads():
    usr1_logs_and_hup_reloads("policyd-quota", "requests=5", "refused_input=1")


# --- milter-attach -----------------------------------------------------------

MA_METRICS = free_port()
MA_HOST = "mgtest-ma"
MA_SOCK = os.path.join(TMP, "m.sock")

LUA = r'''
local function msg(qid, name)
  local c = mt.connect(sock, 40, 0.25) or error("cannot connect to " .. sock)
  mt.macro(c, SMFIC_MAIL, "i", qid)
  assert(mt.mailfrom(c, "<s@example.org>") == nil)
  assert(mt.rcptto(c, "<r@metrics.test>") == nil)
  assert(mt.header(c, "MIME-Version", "1.0") == nil)
  assert(mt.header(c, "Content-Type", "multipart/mixed; boundary=\"b\"") == nil)
  assert(mt.eoh(c) == nil)
  assert(mt.bodystring(c, "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n" ..
    "Content-Type: application/octet-stream; name=\"" .. name .. "\"\r\n" ..
    "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8K\r\n--b--\r\n") == nil)
  assert(mt.eom(c) == nil)
  local r = mt.getreply(c)
  mt.disconnect(c)
  return r
end
assert(msg("QOK1", "a.txt") == SMFIR_ACCEPT, "a.txt accepted")
assert(msg("QOK2", "b.pdf") == SMFIR_ACCEPT, "b.pdf accepted")
assert(msg("QEXE", "c.exe") == SMFIR_REPLYCODE, "c.exe refused")
assert(msg("QISO", "d.iso") == SMFIR_REPLYCODE, "d.iso refused (alert ban)")
print("ok - 4 messages")
'''


def milter_conf():
    return ("listen = unix:%s\nuser =\nredis_server = 127.0.0.1:%d\n"
            "redis_prefix = %s\nban_refresh = 200ms\nstats_interval = 1s\n"
            "stats_host = %s\nmetrics_listen = 127.0.0.1:%d\n"
            "metrics_textfile = %s/ma.prom\ninspect_helper = %s\n"
            % (MA_SOCK, REDIS_PORT, PREFIX, MA_HOST, MA_METRICS, TMP,
               os.path.join(BUILD, "milter-attach", "inspect", "milter-attach-inspect")))


def milter_counts_verdicts_by_reason():
    smp = wait_until("the .iso ban loaded", lambda: (
        lambda s: s if value(s, "mailguard_milter_bans", kind="ext") == 1 else None)(
            scrape(MA_METRICS)))
    assert value(smp, "mailguard_milter_messages_total") == 0, smp
    lua = os.path.join(TMP, "m.lua")
    with open(lua, "w") as f:
        f.write(LUA)
    r = subprocess.run(["miltertest", "-D", "sock=unix:" + MA_SOCK, "-s", lua],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    smp = scrape(MA_METRICS)
    v = "mailguard_milter_verdicts_total"
    assert value(smp, "mailguard_milter_messages_total") == 4, smp
    assert value(smp, v, action="accept", reason="none") == 2, smp
    assert value(smp, v, action="reject", reason="banned_ext") == 1, smp
    assert value(smp, v, action="reject", reason="alert_ext") == 1, smp
    assert value(smp, v, action="tempfail", reason="error") is None, smp
    assert value(smp, "mailguard_milter_scan_seconds_count") == 4, smp
    assert value(smp, "mailguard_milter_bans_age_seconds") < 60, smp
    assert value(smp, "mailguard_redis_up", client="bans") == 1, smp
    assert value(smp, "mailguard_redis_roundtrips_total", client="bans") >= 2, smp


def milter_404_and_textfile():
    status, _, _ = http_get(MA_METRICS, "/nope")
    assert status == 404, status
    def done():
        smp = textfile("ma.prom")
        return smp is not None and value(smp, "mailguard_milter_messages_total") == 4
    wait_until("the milter's textfile with 4 messages", done)


def milter_stats_per_host_hash():
    key = "%sv1:stats:milter-attach:%s" % (PREFIX, MA_HOST)
    wait_until(key, lambda: redis(ENV, "HGET", key, "messages") == "4")
    assert redis(ENV, "HGET", key, "rejected_attachment") == "1"
    assert redis(ENV, "HGET", key, "rejected_alert") == "1"


def milter_usr1_logs_and_does_not_reload():
    usr1_logs_and_hup_reloads("milter-attach", "messages=4", "bans_ext=1")


PROCS_BY_NAME = {}


def main():
    checks = Checks()
    try:
        start(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
               "--save", "", "--appendonly", "no", "--dir", TMP], os.path.join(TMP, "redis.log"))
        wait_until("redis", lambda: connectable(REDIS_PORT))
        redis(ENV, "ZADD", PREFIX + "v1:{ban}:ext", int(time.time()) + 3600, ".iso")
        redis(ENV, "INCR", PREFIX + "v1:{ban}:serial")
        for name, conf in (("policyd-quota", policyd_conf()), ("milter-attach", milter_conf())):
            path = os.path.join(TMP, name + ".conf")
            with open(path, "w") as f:
                f.write(conf)
            binary = os.path.join(BUILD, name, name)
            subprocess.run([binary, "-c", path, "-t", "-q"], check=True)
            PROCS_BY_NAME[name] = start([binary, "-c", path, "-f"],
                                        os.path.join(TMP, name + ".log"))
        wait_until("policyd-quota", lambda: connectable(PQ_PORT))
        wait_until("milter-attach", lambda: os.path.exists(MA_SOCK))
        wait_until("the metrics listeners",
                   lambda: connectable(PQ_METRICS) and connectable(MA_METRICS))
        for fn in (policyd_counts_requests_by_action,
                   policyd_other_paths_404_and_methods_405,
                   policyd_textfile_written_and_parseable,
                   policyd_stats_per_host_hash,
                   policyd_usr1_logs_and_hup_reloads,
                   milter_counts_verdicts_by_reason,
                   milter_404_and_textfile,
                   milter_stats_per_host_hash,
                   milter_usr1_logs_and_does_not_reload):
            checks.run(fn)
    finally:
        for p in reversed(PROCS):
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if checks.failed:
            for name in ("policyd-quota", "milter-attach"):
                try:
                    print("--- %s log\n%s" % (name, log_of(name)[-3000:]))
                except OSError:
                    pass
        subprocess.run(["rm", "-rf", TMP])
    checks.finish()


if __name__ == "__main__":
    main()
