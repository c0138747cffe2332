#!/usr/bin/env python3
"""bench_milter_stack.py - Postfix messages/s with and without milter-attach

Usage (stack up):  MG_STACK_DIR=... python3 tests/bench/bench_milter_stack.py
                   [--messages N] [--parallel P] [--size BYTES] [--rounds R]

Sends N messages of SIZE bytes (default 50 KB: text + a base64 PDF-like
attachment) to the stack's MX smtpd over P parallel SMTP connections,
alternately with smtpd_milters set (milter-attach) and empty (postconf -e
+ postfix reload between phases, restored at the end), R rounds each, and
prints messages/s for both and their ratio.  Speed is measured, never
asserted.  The stack's Postfix config is changed only during the run.
"""
import argparse
import os
import smtplib
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mgtest import stack_env, hostport  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=400)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--size", type=int, default=50 * 1024)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    rcpt = "bob@" + ENV["MG_DOMAIN"]
    data = message(a.size, rcpt)
    orig = subprocess.run(["postconf", "-c", PFX, "-h", "smtpd_milters"], check=True,
                          capture_output=True, text=True).stdout.strip()
    if not orig:
        raise SystemExit("the stack runs without smtpd_milters: nothing to compare")
    res = {"with": [], "without": []}
    try:
        phase(50, a.parallel, data, rcpt)          # warm-up
        for _ in range(a.rounds):
            set_milters(orig)
            res["with"].append(phase(a.messages, a.parallel, data, rcpt))
            set_milters("")
            res["without"].append(phase(a.messages, a.parallel, data, rcpt))
    finally:
        set_milters(orig)
    w = sum(res["with"]) / len(res["with"])
    wo = sum(res["without"]) / len(res["without"])
    print("message size      %d bytes, %d messages x %d rounds, %d connections"
          % (len(data), a.messages, a.rounds, a.parallel))
    print("with milter       %.1f msg/s  %s" % (w, ["%.1f" % x for x in res["with"]]))
    print("without milter    %.1f msg/s  %s" % (wo, ["%.1f" % x for x in res["without"]]))
    print("ratio             %.3f  (throughput cost %.1f%%)" % (w / wo, (1 - w / wo) * 100))


if __name__ == "__main__":
    main()
