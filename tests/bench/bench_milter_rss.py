#!/usr/bin/env python3
"""bench_milter_rss.py - peak RSS of milter-attach under 20 concurrent 9 MB messages

Usage (stack up):  MG_STACK_DIR=... python3 tests/bench/bench_milter_rss.py
                   [--parallel 20] [--size 9437184] [--carrier FILE]

Sends PARALLEL messages at once, each SIZE bytes with one base64
attachment, to the stack's MX, while sampling the milter's VmRSS every
20 ms (/proc/PID/status).  Prints the RSS before, the peak during the
run, the growth per concurrent message, and VmHWM.  With --carrier, the
attachment is FILE (an ISO, a 7z...: spooled and listed by the inspector
helpers) and the helpers' summed RSS is sampled too.  Measured, not
asserted.
"""
import base64
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


def children(parent):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                        kids.append(int(d))
            except OSError:
                pass
    return kids


def helpers_rss_kb(parent):
    total = 0
    for k in children(parent):
        try:
            total += rss_kb(k)
        except OSError:
            pass
    return total


def carrier_message(path, rcpt):
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
    ap.add_argument("--carrier", help="attach this file (ISO, 7z...) instead")
    a = ap.parse_args()
    pid = int(open(os.path.join(ENV["MG_STATE_DIR"], "milter-attach", "pid")).read().strip())
    rcpt = "bob@" + ENV["MG_DOMAIN"]
    data = carrier_message(a.carrier, rcpt) if a.carrier else message(a.size, rcpt)
    host, port = hostport(ENV["MG_SMTP"])
    base = rss_kb(pid)
    peak = [base]
    hbase = helpers_rss_kb(pid)
    hpeak = [hbase]
    done = threading.Event()

    def sampler():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            hpeak[0] = max(hpeak[0], helpers_rss_kb(pid))
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
    print("helpers RSS       %d KiB before, %d KiB peak (all %d together)"
          % (hbase, hpeak[0], len(children(pid))))


if __name__ == "__main__":
    main()
