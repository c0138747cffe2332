#!/usr/bin/env python3
"""bench_milter_rss.py - peak RSS of milter-attach under 20 concurrent 9 MB messages

Usage (stack up):  MG_STACK_DIR=... python3 tests/bench/bench_milter_rss.py
                   [--parallel 20] [--size 9437184] [--attachment FILE]

Sends PARALLEL messages at once, each SIZE bytes with one base64
attachment, to the stack's MX, while sampling the milter's VmRSS every
20 ms (/proc/PID/status).  Prints the RSS before, the peak during the
run, the growth per concurrent message, and VmHWM.  With --attachment,
each message carries FILE (base64, e.g. a 6.5 MB ISO or 7z from
tests/material/carriers.sh) instead of SIZE bytes of filler, and the peak
of the milter's inspector helpers (its children, summed) is printed too.
Measured, not asserted.
"""
import argparse
import os
import smtplib
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mgtest import stack_env, hostport  # noqa: E402

ENV = stack_env()


def rss_kb(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def file_message(path, rcpt):
    import base64
    b = uuid.uuid4().hex
    with open(path, "rb") as f:
        body = base64.encodebytes(f.read()).replace(b"\n", b"\r\n")
    head = ("From: rss@example.com\r\nTo: %s\r\nSubject: rss %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n"
            "Content-Type: application/octet-stream; name=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            % (rcpt, b, b, b, os.path.basename(path))).encode()
    return head + body + ("\r\n--%s--\r\n" % b).encode()


def message(size, rcpt):
    b = uuid.uuid4().hex
    head = ("From: rss@example.com\r\nTo: %s\r\nSubject: rss %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n"
            "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" % (rcpt, b, b, b)).encode()
    tail = ("\r\n--%s--\r\n" % b).encode()
    line = (b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx"
            b"MjM0\r\n")
    return head + line * ((size - len(head) - len(tail)) // len(line)) + tail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parallel", type=int, default=20)
    ap.add_argument("--size", type=int, default=9 * 1024 * 1024)
    ap.add_argument("--attachment")
    a = ap.parse_args()
    pid = int(open(os.path.join(ENV["MG_STATE_DIR"], "milter-attach", "pid")).read().strip())
    rcpt = "bob@" + ENV["MG_DOMAIN"]
    data = file_message(a.attachment, rcpt) if a.attachment else message(a.size, rcpt)
    host, port = hostport(ENV["MG_SMTP"])
    base = rss_kb(pid)
    helpers = children(pid)
    hbase = sum(rss_kb(h) for h in helpers)
    peak = [base, hbase]
    done = threading.Event()

    def sampler():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            try:
                peak[1] = max(peak[1], sum(rss_kb(h) for h in children(pid)))
            except OSError:
                pass
            time.sleep(0.02)

    errors = []

    def send():
        try:
            with smtplib.SMTP(host, port, timeout=300) as s:
                s.sendmail("rss@example.com", [rcpt], data)
        except smtplib.SMTPException as e:
            errors.append(str(e))

    st = threading.Thread(target=sampler)
    st.start()
    t0 = time.time()
    ts = [threading.Thread(target=send) for _ in range(a.parallel)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.time() - t0
    done.set()
    st.join()
    print("messages          %d concurrent x %d bytes (%.1fs)" % (a.parallel, len(data), dt))
    if errors:
        print("SMTP errors       %s" % errors[:3])
    print("milter RSS before %d KiB" % base)
    print("milter RSS peak   %d KiB  (+%d KiB, %.0f KiB per concurrent message)"
          % (peak[0], peak[0] - base, (peak[0] - base) / a.parallel))
    print("milter VmHWM      %d KiB (since start)" % rss_kb(pid, "VmHWM"))
    print("helpers RSS       %d KiB before, %d KiB peak (%d helpers, summed)"
          % (hbase, peak[1], len(helpers)))


if __name__ == "__main__":
    main()
