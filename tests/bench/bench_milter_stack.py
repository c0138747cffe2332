#!/usr/bin/env python3
"""bench_milter_stack.py - Postfix messages/s without a milter, with two
do-nothing milters (one without libmilter, one with it), and with
milter-attach

Usage (stack up):  MG_STACK_DIR=... python3 tests/bench/bench_milter_stack.py
                   [--messages N] [--parallel P] [--size BYTES] [--rounds R]

Sends N messages of SIZE bytes (default 50 KB: text + a base64 PDF-like
attachment) to the stack's MX smtpd over P parallel SMTP connections, R
rounds of four phases in turn:
  none   smtpd_milters empty,
  raw    smtpd_milters = tests/bench/milter_raw (accepts everything, same
         protocol negotiation as milter-attach, no libmilter: one thread,
         one poll loop): what Postfix itself spends on any milter,
  null   smtpd_milters = tests/bench/milter_null (the same with libmilter):
         what any libmilter milter costs Postfix on this host,
  attach smtpd_milters = the stack's milter-attach.
Between phases Postfix is reloaded, the queue is left to drain (the
deliveries of one phase must not run in the next) and the recipient's
Maildir is removed (a growing maildir and its index logs slow LMTP down
as the run goes on); each round runs the phases in another order.
Prints messages/s for each and the ratios to none and to null, and the CPU time per message (all processes, from the
first SMTP command to the last delivery; and the milter process alone),
which is steadier than the rates on a small shared host.  Speed is measured, never asserted.  The stack's Postfix
config is changed only during the run.

--metrics: the cost of metrics instead: two phases, milter-attach twins
started from the stack's configuration (metrics_twins.py), "off" and "on"
(metrics_listen, scraped every second), in the same run.
"""
import argparse
import os
import smtplib
import subprocess
import sys
import threading
import time
import uuid
import shutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mgtest import stack_env, hostport, imap_expunge_all  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics_twins import Twins  # noqa: E402

ENV = stack_env()
PFX = ENV["MG_POSTFIX_CONFIG_DIR"]


def message(size, rcpt):
    b = uuid.uuid4().hex
    head = ("From: bench@example.com\r\nTo: %s\r\nSubject: bench %s\r\n"
            "Message-ID: <%s@bench>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Type: text/plain\r\n\r\nbench message\r\n"
            "--%s\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" % (rcpt, b, b, b, b, b)).encode()
    tail = ("\r\n--%s--\r\n" % b).encode()
    line = b"JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZUR\r\n"
    n = max(0, (size - len(head) - len(tail)) // len(line))
    return head + line * n + tail


def phase(count, parallel, data, rcpt):
    host, port = hostport(ENV["MG_SMTP"])
    todo = list(range(count))
    lock = threading.Lock()
    errors = []

    def worker():
        with smtplib.SMTP(host, port, timeout=120) as s:
            while True:
                with lock:
                    if not todo:
                        return
                    todo.pop()
                try:
                    s.sendmail("bench@example.com", [rcpt], data)
                except smtplib.SMTPException as e:
                    errors.append(str(e))
                    return

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.time() - t0
    if errors:
        raise SystemExit("SMTP errors: %s" % errors[:3])
    return count / dt


def set_milters(value):
    subprocess.run(["postconf", "-c", PFX, "-e", "smtpd_milters=" + value], check=True)
    subprocess.run(["postfix", "-c", PFX, "reload"], check=True, capture_output=True)
    time.sleep(1.5)


def drain(timeout=300):
    """wait until the Postfix queue is empty"""
    end = time.time() + timeout
    flushed = 0
    while time.time() < end:
        out = subprocess.run(["postqueue", "-c", PFX, "-p"], capture_output=True,
                             text=True).stdout
        if "Mail queue is empty" in out:
            return
        if not flushed and time.time() > end - timeout + 10:
            subprocess.run(["postqueue", "-c", PFX, "-f"], check=True)
            flushed = 1
        time.sleep(0.5)
    raise SystemExit("the queue did not drain in %d s" % timeout)


def proc_cpu(pid):
    """CPU seconds (user + system) a process has used"""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_cpu():
    """CPU seconds every core has spent outside idle and iowait"""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def reset_mailbox(user):
    """remove the user's whole Maildir (messages, indexes, transaction
    logs), as at the start of the run: an expunged mailbox keeps growing
    index logs that slow each delivery down as the run goes on"""
    local, domain = user.split("@")
    d = os.path.join(ENV["MG_STATE_DIR"], "mail", domain, local)
    imap_expunge_all(ENV, user)
    shutil.rmtree(d, ignore_errors=True)


def start_peer(build, name):
    """run tests/bench/<name> on a unix socket Postfix can use; return
    (proc, spec)"""
    exe = os.path.join(build, "tests", "bench", name)
    if not os.access(exe, os.X_OK):
        raise SystemExit("%s is not built" % exe)
    d = os.path.join(ENV["MG_STATE_DIR"], "bench-" + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    os.chmod(d, 0o755)
    sock = os.path.join(d, name + ".sock")
    old = os.umask(0)
    try:
        proc = subprocess.Popen([exe, "unix:" + sock])
    finally:
        os.umask(old)
    for _ in range(100):
        if os.path.exists(sock):
            return proc, "unix:" + sock
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("%s did not create %s" % (name, sock))


def run_phases(a, data, user, modes, pids):
    """rounds of every mode in turn (each round in another order: a drift
    over the run must not favour one); msg/s, and CPU ms per message of
    the whole system and of the milter"""
    res = {m: [] for m, _ in modes}
    milter_ms = {m: [] for m, _ in modes}
    system_ms = {m: [] for m, _ in modes}
    phase(50, a.parallel, data, user)          # warm-up
    for r in range(a.rounds):
        k = r % len(modes)
        for name, milters in modes[k:] + modes[:k]:
            drain()                            # before reload: a reload
            reset_mailbox(user)                # during delivery delays it
            set_milters(milters)
            b0, m0 = busy_cpu(), pids[name] and proc_cpu(pids[name])
            res[name].append(phase(a.messages, a.parallel, data, user))
            drain()                            # its deliveries count too
            if pids[name]:
                milter_ms[name].append((proc_cpu(pids[name]) - m0) * 1000 / a.messages)
            system_ms[name].append((busy_cpu() - b0) * 1000 / a.messages)
    return res, milter_ms, system_ms


def run_metrics(a, data, user, orig):
    """milter-attach twins, metrics off and on, through Postfix"""
    def listen_for(twin, d):
        return "unix:%s/%s.sock" % (d, twin)
    try:
        with Twins("milter-attach", listen_for) as t:
            for twin in ("off", "on"):
                path = t.listen[twin][len("unix:"):]
                for _ in range(100):
                    if os.path.exists(path):
                        break
                    time.sleep(0.05)
            modes = (("off", t.listen["off"]), ("on", t.listen["on"]))
            pids = {"off": t.procs["off"].pid, "on": t.procs["on"].pid}
            res, milter_ms, system_ms = run_phases(a, data, user, modes, pids)
            scrapes = t.scraper.scrapes
    finally:
        drain()
        set_milters(orig)
        reset_mailbox(user)
    avg = {m: sum(v) / len(v) for m, v in res.items()}
    print("message size %d bytes, %d messages x %d rounds, %d connections"
          % (len(data), a.messages, a.rounds, a.parallel))
    for name in ("off", "on"):
        print("metrics %-4s %.1f msg/s %s  CPU/msg all %.2f ms, milter %.3f ms"
              % (name, avg[name], ["%.1f" % x for x in res[name]],
                 sum(system_ms[name]) / len(system_ms[name]),
                 sum(milter_ms[name]) / len(milter_ms[name])))
    r = avg["on"] / avg["off"]
    m = (sum(milter_ms["on"]) / len(milter_ms["on"])) / (sum(milter_ms["off"]) / len(milter_ms["off"]))
    print("on / off  throughput %.3f (cost %.1f%%), milter CPU per message %.3f; %d scrapes"
          % (r, (1 - r) * 100, m, scrapes))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--size", type=int, default=50 * 1024)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--metrics", action="store_true",
                    help="compare milter-attach with metrics off and on")
    a = ap.parse_args()
    user = "bob@" + ENV["MG_DOMAIN"]
    data = message(a.size, user)
    orig = subprocess.run(["postconf", "-c", PFX, "-h", "smtpd_milters"], check=True,
                          capture_output=True, text=True).stdout.strip()
    if not orig:
        raise SystemExit("the stack runs without smtpd_milters: nothing to compare")
    build = ENV.get("MG_BUILD_DIR", "build")
    if a.metrics:
        run_metrics(a, data, user, orig)
        return
    raw, raw_spec = start_peer(build, "milter_raw")
    null, null_spec = start_peer(build, "milter_null")
    modes = (("none", ""), ("raw", raw_spec), ("null", null_spec), ("attach", orig))
    with open(os.path.join(ENV["MG_STATE_DIR"], "milter-attach", "pid")) as f:
        pids = {"none": None, "raw": raw.pid, "null": null.pid, "attach": int(f.read())}
    try:
        res, milter_ms, system_ms = run_phases(a, data, user, modes, pids)
    finally:
        drain()
        set_milters(orig)
        for p in (raw, null):
            p.terminate()
            p.wait()
        reset_mailbox(user)
    avg = {m: sum(v) / len(v) for m, v in res.items()}
    print("message size      %d bytes, %d messages x %d rounds, %d connections"
          % (len(data), a.messages, a.rounds, a.parallel))
    for name, _ in modes:
        print("%-17s %.1f msg/s  %s" % (name, avg[name], ["%.1f" % x for x in res[name]]))
    print("CPU per message, received and delivered (ms; all processes / the milter):")
    for name, _ in modes:
        mm = milter_ms[name]
        print("  %-15s %.2f / %s" % (name, sum(system_ms[name]) / len(system_ms[name]),
                                     "%.3f" % (sum(mm) / len(mm)) if mm else "-"))
    for x, y in (("attach", "none"), ("raw", "none"), ("null", "none"),
                 ("attach", "raw"), ("attach", "null")):
        r = avg[x] / avg[y]
        print("%-6s / %-6s   %.3f  (throughput cost %.1f%%)" % (x, y, r, (1 - r) * 100))


if __name__ == "__main__":
    main()
