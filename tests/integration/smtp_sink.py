#!/usr/bin/env python3
"""smtp_sink.py PORTFILE OUTFILE - a tiny SMTP server that records mail.

Listens on 127.0.0.1 on a free port, writes the port number to PORTFILE,
then accepts every transaction: each MAIL FROM and RCPT TO line and the
message (CRLF turned into LF, dot-stuffing undone) are appended to
OUTFILE, followed by a line "END". Runs until killed. For integration
tests that need to see exactly what a daemon sends (milter-attach's
notices through notice_smtp), without a whole MTA."""
import os
import socket
import sys
import threading


def serve(conn, out, lock):
    f = conn.makefile("rb")
    conn.sendall(b"220 sink ESMTP\r\n")
    record = []
    while True:
        line = f.readline()
        if not line:
            return
        cmd = line.rstrip(b"\r\n")
        verb = cmd[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            conn.sendall(b"250 sink\r\n")
        elif verb in (b"MAIL", b"RCPT"):
            record.append(cmd)
            conn.sendall(b"250 ok\r\n")
        elif verb == b"DATA":
            conn.sendall(b"354 go on\r\n")
            while True:
                d = f.readline()
                if not d or d == b".\r\n":
                    break
                d = d.rstrip(b"\r\n")
                record.append(d[1:] if d.startswith(b".") else d)
            record.append(b"END")
            with lock:
                with open(out, "ab") as o:
                    o.write(b"\n".join(record) + b"\n")
            record = []
            conn.sendall(b"250 queued\r\n")
        elif verb == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            return
        else:
            conn.sendall(b"250 ok\r\n")


def main():
    portfile, out = sys.argv[1], sys.argv[2]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    with open(portfile + ".tmp", "w") as p:
        p.write(str(s.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    lock = threading.Lock()
    while True:
        conn, _ = s.accept()
        threading.Thread(target=lambda c=conn: (serve(c, out, lock), c.close()),
                         daemon=True).start()


main()
