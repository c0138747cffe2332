#!/usr/bin/python3
"""bench_capacity.py - what each mailguard component costs Redis: commands,
bytes and Redis CPU per message (milter-attach), per RCPT (policyd-quota),
per delivery (dovecot-quota-warn), and per second idle (issue 14, 3)

Usage (as root, on demand, never from tests/run):
    python3 tests/bench/bench_capacity.py [--messages N] [--idle SECONDS]
        [--no-benchmark]

Brings up a stack of its own (MG_STACK_DIR, default /var/tmp/mg-capacity;
deploy/stack picks free ports under its lock, so it never collides with
the default stack) and always takes it down at the end (finally, and on
SIGINT/SIGTERM).  Each phase exercises one component, or the whole MX:

  idle          nothing sent, IDLE s: every daemon's background cost
  idle-milter   the same with policyd-quota stopped (SIGSTOP; SIGCONT after
                the INFO)
  idle-policyd  the same with milter-attach stopped (Dovecot's plugin has
                no process of its own while nothing is delivered)
  milter        N clean messages through Postfix with the policy service
                removed and virtual_transport = discard: milter-attach only
  policyd-miss  N policy requests (RCPT), each for another mailbox whose
                state is published: a cache miss each
  policyd-hit   N requests for one mailbox, within cache_ttl: hits
  policyd-inval N rounds of PUBLISH quota-changed MB (what the plugin does
                after a delivery, sent on the bench's connection) then a
                request for MB: the invalidation and the miss it causes
  plugin        N deliveries straight to Dovecot's LMTP (alice@, 1 GB)
  mx-clean      N small clean messages through the MX, one RCPT each:
                the three components together
  mx-attach     N messages with a 50 KB PDF attachment through the MX
  mx-near       small@ (1 MB quota) filled to ~85 % first, then N messages
                of 2 KB from N senders: some delivered (the 90 % warning
                claimed and sent), the rest deferred at RCPT (defer keys)

Measured from Redis itself, on one connection of the bench's own:
CONFIG RESETSTAT before each phase, then INFO commandstats/stats/cpu after
it (once nothing is left in Postfix's incoming or active queue: messages
Dovecot answered 452 stay deferred and are counted, then deleted).  The bench's own commands (config, info, and
the set-up writes made before the reset) are left out; its INFO request
bytes and the RESETSTAT reply are subtracted.  Redis CPU is the delta of
used_cpu_sys + used_cpu_user.  Per-unit figures subtract the idle phase's
rate times the phase's duration ("net"), and both gross and net are
printed.  Speed is measured, never asserted.
"""
import argparse
import json
import os
import signal
import smtplib
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
os.environ.setdefault("MG_STACK_DIR", "/var/tmp/mg-capacity")
from mgtest import (stack_env, hostport, make_message, policy_ask,  # noqa: E402
                    redis, publish, imap_expunge_all)
import socket  # noqa: E402

STACK = os.path.join(TOP, "deploy", "stack")
BENCH_CMDS = {"config", "info"}


class Redis:
    """The bench's own connection: RESETSTAT and INFO, bytes counted."""

    def __init__(self, addr):
        self.s = socket.create_connection(hostport(addr), timeout=10)
        self.f = self.s.makefile("rb")

    def call(self, *args):
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(req)
        line = self.f.readline()
        if line[:1] == b"$":
            return self.f.read(int(line[1:-2]) + 2)[:-2].decode(), len(req)
        return line.decode().strip(), len(req)

    def reset(self):
        assert self.call("CONFIG", "RESETSTAT")[0] == "+OK"

    def info(self):
        text, req_len = self.call("INFO", "commandstats", "stats", "cpu")
        v, cmds = {}, {}
        for line in text.splitlines():
            if line.startswith("cmdstat_"):
                name, _, rest = line[8:].partition(":")
                f = dict(kv.split("=") for kv in rest.split(","))
                if name.split("|")[0] not in BENCH_CMDS:
                    cmds[name] = int(f["calls"])
            elif ":" in line:
                k, _, val = line.partition(":")
                v[k] = val
        return {"cmds": cmds,
                "in": int(v["total_net_input_bytes"]) - req_len,
                "out": int(v["total_net_output_bytes"]) - len(b"+OK\r\n"),
                "cpu": float(v["used_cpu_sys"]) + float(v["used_cpu_user"])}


def queue_settled(pfx, timeout=600):
    """wait until nothing is in Postfix's incoming or active queue; return
    the number of messages left deferred (Dovecot answered 4xx)"""
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = subprocess.run(["postqueue", "-c", pfx, "-j"],
                             capture_output=True, text=True).stdout
        queues = [json.loads(line)["queue_name"] for line in out.splitlines()]
        if all(q == "deferred" for q in queues):
            return len(queues)
        time.sleep(0.2)
    raise SystemExit("bench: the queue did not settle in %ss" % timeout)


def send(env, rcpt, msg, sender="bench@example.com"):
    """1: accepted, 0: refused (4xx/5xx at RCPT or DATA)"""
    host, port = hostport(env["MG_SMTP"])
    try:
        with smtplib.SMTP(host, port, timeout=60) as s:
            s.sendmail(sender, [rcpt], msg)
        return 1
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
        return 0


def attach_message(rcpt, size=50000):
    b = uuid.uuid4().hex
    body = (b"JVBERi0xLjQK" + b"QUJD" * (size // 4))[:size]
    lines = b"\r\n".join(body[i:i + 76] for i in range(0, len(body), 76))
    return (("From: bench@example.com\r\nTo: %s\r\nSubject: bench %s\r\n"
             "Message-ID: <%s@bench>\r\nMIME-Version: 1.0\r\n"
             "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
             "--%s\r\nContent-Type: text/plain\r\n\r\nbench message\r\n"
             "--%s\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
             "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n"
             % (rcpt, b, b, b, b, b)).encode() + lines
            + ("\r\n--%s--\r\n" % b).encode())


def clean_message(rcpt, size=600):
    return make_message("bench@example.com", rcpt,
                        body=("x" * 59 + "\n") * (size // 60)).as_bytes()


def pidof(env, name):
    with open(os.path.join(env["MG_STATE_DIR"], name, "pid")) as f:
        return int(f.read().split()[0])


def postconf(pfx, *settings):
    subprocess.run(["postconf", "-c", pfx, "-e", *settings], check=True)
    subprocess.run(["postfix", "-c", pfx, "reload"], check=True,
                   capture_output=True)
    time.sleep(1)           # smtpd processes of the old config exit


class Bench:
    def __init__(self, env, n, idle):
        self.env, self.n, self.idle = env, n, idle
        self.r = Redis(env["MG_REDIS"])
        self.rows = []
        self.idle_rate = None

    def phase(self, name, units, unit, fn, after=None):
        """run fn() between RESETSTAT and INFO, then after(); record
        per-unit figures"""
        self.r.reset()
        cpu0 = self.r.info()["cpu"]       # INFO cpu is not reset
        self.r.reset()
        t0 = time.time()
        extra = fn() or ""
        left = queue_settled(self.env["MG_POSTFIX_CONFIG_DIR"])
        dt = time.time() - t0
        if left:
            extra += " left deferred in Postfix's queue (Dovecot 452)=%d" % left
        st = self.r.info()
        if after:
            after()
        st["cpu"] -= cpu0
        st["dt"] = dt
        self.rows.append((name, units, unit, st))
        self.report(name, units, unit, st, extra)
        return st

    def net(self, st, key):
        """a phase's figure minus the idle rate over its duration"""
        if self.idle_rate is None:
            return st[key] if key != "cmds" else dict(st["cmds"])
        i = self.idle_rate
        if key == "cmds":
            return {c: st["cmds"][c] - i["cmds"].get(c, 0) * st["dt"]
                    for c in st["cmds"]}
        return st[key] - i[key] * st["dt"]

    def report(self, name, units, unit, st, extra):
        total = sum(st["cmds"].values())
        print("\n== %s: %d %s in %.1f s %s" % (name, units, unit, st["dt"], extra))
        print("   gross: %d commands, %d B in, %d B out, Redis CPU %.3f s"
              % (total, st["in"], st["out"], st["cpu"]))
        if name.startswith("idle"):
            print("   per second: %.2f commands, %.1f B in, %.1f B out, CPU %.3f ms"
                  % (total / st["dt"], st["in"] / st["dt"], st["out"] / st["dt"],
                     st["cpu"] * 1000 / st["dt"]))
            for c, k in sorted(st["cmds"].items()):
                print("     %-14s %8.3f /s" % (c, k / st["dt"]))
            return
        cmds = self.net(st, "cmds")
        ntotal = sum(cmds.values())
        print("   net of idle, per %s: %.2f commands, %.0f B in, %.0f B out, "
              "CPU %.1f us  (per 1,000 %ss: %.1f ms CPU)"
              % (unit, ntotal / units, self.net(st, "in") / units,
                 self.net(st, "out") / units, self.net(st, "cpu") * 1e6 / units,
                 unit, self.net(st, "cpu") * 1e6 / units))
        for c, k in sorted(cmds.items()):
            print("     %-14s %8.3f per %s   (gross %d)" % (c, k / units, unit, st["cmds"][c]))

    # ---- phases ---------------------------------------------------------

    def idle_phase(self, name, stop=()):
        pids = [pidof(self.env, d) for d in stop]

        def resume():
            for p in pids:
                os.kill(p, signal.SIGCONT)

        def run():
            for p in pids:
                os.kill(p, signal.SIGSTOP)
            time.sleep(self.idle)
        try:        # resumed after the INFO: its overdue work is not counted
            return self.phase(name, self.idle, "s", run, after=resume)
        finally:
            resume()

    def milter_only(self):
        pfx = self.env["MG_POSTFIX_CONFIG_DIR"]
        saved = [subprocess.run(["postconf", "-c", pfx, "-h", k], check=True,
                                capture_output=True, text=True).stdout.strip()
                 for k in ("smtpd_recipient_restrictions", "virtual_transport")]
        postconf(pfx, "smtpd_recipient_restrictions=", "virtual_transport=discard:")
        try:
            rcpt = "alice@" + self.env["MG_DOMAIN"]
            self.phase("milter", self.n, "message",
                       lambda: "accepted=%d" % sum(send(self.env, rcpt, clean_message(rcpt))
                                                   for _ in range(self.n)))
        finally:
            postconf(pfx, "smtpd_recipient_restrictions=" + saved[0],
                     "virtual_transport=" + saved[1])

    def policyd(self):
        env, dom = self.env, self.env["MG_DOMAIN"]
        now = int(time.time())
        boxes = ["cap%d@%s" % (i, dom) for i in range(self.n)]
        for b in boxes:          # published state, written before the reset
            redis(env, "HSET", "mg:v1:quota:{%s}" % b, "bytes", 1000,
                  "bytes_limit", 10 ** 9, "msgs", 1, "msgs_limit", 0, "updated", now)
        sock = socket.create_connection(hostport(env["MG_POLICY"]), timeout=10)
        try:
            def ask_all(rcpts):
                acts = {}
                for r in rcpts:
                    a = policy_ask(None, r, size=2000, sock=sock)
                    acts[a] = acts.get(a, 0) + 1
                return " ".join("%s:%d" % kv for kv in acts.items())
            self.phase("policyd-miss", self.n, "RCPT", lambda: ask_all(boxes))
            hot = "alice@" + dom
            ask_all([hot])                      # cached from here
            self.phase("policyd-hit", self.n, "RCPT", lambda: ask_all([hot] * self.n))

            def inval():
                for b in boxes:
                    self.r.call("PUBLISH", "mg:v1:quota-changed", b)
                    time.sleep(0.005)       # the subscriber's turn
                    policy_ask(None, b, size=2000, sock=sock)
                return "(the bench's PUBLISH counted: the plugin's)"
            ask_all(boxes)                      # all cached again
            self.phase("policyd-inval", self.n, "RCPT", inval)
        finally:
            sock.close()

    def plugin(self):
        env = self.env
        rcpt = "alice@" + env["MG_DOMAIN"]
        imap_expunge_all(env, rcpt)

        def run():
            with smtplib.LMTP(*hostport(env["MG_LMTP"]), timeout=30) as lm:
                for _ in range(self.n):
                    lm.sendmail("bench@example.com", [rcpt], clean_message(rcpt))
        self.phase("plugin", self.n, "delivery", run)
        imap_expunge_all(env, rcpt)

    def mx(self):
        env, dom = self.env, self.env["MG_DOMAIN"]
        rcpt = "alice@" + dom
        self.phase("mx-clean", self.n, "message",
                   lambda: "accepted=%d" % sum(send(env, rcpt, clean_message(rcpt))
                                               for _ in range(self.n)))
        imap_expunge_all(env, rcpt)
        self.phase("mx-attach", self.n, "message",
                   lambda: "accepted=%d" % sum(send(env, rcpt, attach_message(rcpt))
                                               for _ in range(self.n)))
        imap_expunge_all(env, rcpt)
        small = env["MG_SMALL_USER"]
        self.fill(small, 0.85)

        def near():
            ok = sum(send(env, small, clean_message(small, 2000),
                          sender="cap%d@example.com" % i) for i in range(self.n))
            return "accepted=%d deferred at RCPT=%d" % (ok, self.n - ok)
        self.phase("mx-near", self.n, "message", near)
        print("   afterwards: small@ at %d/%d KiB" % publish(env, small))
        subprocess.run(["postsuper", "-c", env["MG_POSTFIX_CONFIG_DIR"], "-d", "ALL"],
                       capture_output=True)

    def fill(self, user, frac):
        """deliveries over LMTP until user's quota is at frac"""
        while True:
            used, limit = publish(self.env, user)
            room = int(limit * frac) - used
            if room <= 4:
                return
            kib = min(room - 2, 200)
            m = make_message("bench@example.com", user,
                             body=("y" * 76 + "\n") * (kib * 1024 // 77))
            with smtplib.LMTP(*hostport(self.env["MG_LMTP"]), timeout=30) as lm:
                lm.sendmail("bench@example.com", [user], m.as_bytes())

    def run(self):
        st = self.idle_phase("idle")
        self.idle_rate = {"cmds": {c: k / st["dt"] for c, k in st["cmds"].items()},
                          "in": st["in"] / st["dt"], "out": st["out"] / st["dt"],
                          "cpu": st["cpu"] / st["dt"]}
        self.idle_phase("idle-milter", stop=("policyd-quota",))
        self.idle_phase("idle-policyd", stop=("milter-attach",))
        self.milter_only()
        self.policyd()
        self.plugin()
        self.mx()


def redis_benchmark(env):
    host, port = hostport(env["MG_REDIS"])
    print("\n== redis-benchmark -q -n 100000 -t get,set,hset,hgetall (50 clients, "
          "against the stack's redis-server)")
    out = subprocess.run(["redis-benchmark", "-h", host, "-p", str(port), "-q",
                          "-n", "100000", "-t", "get,set,hset,hgetall"],
                         capture_output=True, text=True).stdout
    for line in out.replace("\r", "\n").splitlines():
        if "requests per second" in line:
            print("   " + line.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--idle", type=float, default=20.0)
    ap.add_argument("--no-benchmark", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench_capacity: run as root (deploy/stack up needs it)")

    def stop(signum, frame):
        raise SystemExit("bench_capacity: signal %d" % signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("bench_capacity: state dir %s, %d messages per phase, idle %.0f s"
          % (os.environ["MG_STACK_DIR"], a.messages, a.idle))
    print("host: %s, %d CPUs, %s" % (os.uname().nodename, os.cpu_count(),
                                     subprocess.run(["redis-server", "--version"],
                                                    capture_output=True, text=True
                                                    ).stdout.split()[2]))
    try:
        subprocess.run([STACK, "up"], check=True)
        env = stack_env()
        Bench(env, a.messages, a.idle).run()
        if not a.no_benchmark:
            redis_benchmark(env)
    finally:
        subprocess.run([STACK, "down"])


if __name__ == "__main__":
    main()
