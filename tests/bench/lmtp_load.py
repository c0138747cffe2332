#!/usr/bin/env python3
"""lmtp_load.py HOST:PORT RCPT CONNECTIONS MESSAGES_PER_CONNECTION
Deliver messages over LMTP with several connections in parallel (one
process each) and print 'deliveries=N seconds=S rate=R'."""
import multiprocessing
import smtplib
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
rcpt, conns, per = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
body = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 1 + "\r\n") * 80
msg = ("From: bench@example.com\r\nTo: %s\r\nSubject: bench\r\n\r\n%s" % (rcpt, body)).encode()


def worker(_):
    with smtplib.LMTP(host, int(port), timeout=60) as l:
        for _ in range(per):
            l.sendmail("bench@example.com", [rcpt], msg)
    return per


if __name__ == "__main__":
    t0 = time.time()
    with multiprocessing.Pool(conns) as p:
        n = sum(p.map(worker, range(conns)))
    dt = time.time() - t0
    print("deliveries=%d seconds=%.2f rate=%.1f" % (n, dt, n / dt))
