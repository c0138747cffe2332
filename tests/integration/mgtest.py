"""mgtest - helpers for integration tests against the running stack.

Every test gets the stack's addresses from `deploy/stack env` (the ctest
fixture brought it up with MG_STACK_DIR set), talks real protocols with
the standard library only, and fails loudly with what it saw.
"""
import email
import email.header
import email.message
import imaplib
import os
import shlex
import smtplib
import socket
import subprocess
import sys
import time
import uuid

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stack_env():
    out = subprocess.run([os.path.join(TOP, "deploy", "stack"), "env"],
                         check=True, capture_output=True, text=True).stdout
    env = {}
    for line in out.splitlines():
        key, _, val = line.partition("=")
        env[key] = shlex.split(val)[0] if val else ""
    return env


def free_port():
    """a loopback TCP port nobody listens on right now"""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def hostport(value):
    host, _, port = value.rpartition(":")
    return host, int(port)


def make_message(sender, rcpt, subject=None, body="hello\n", msgid=None):
    m = email.message.EmailMessage()
    m["From"] = sender
    m["To"] = rcpt
    m["Subject"] = subject or "mgtest " + uuid.uuid4().hex
    m["Message-ID"] = msgid or "<%s@mgtest>" % uuid.uuid4().hex
    m.set_content(body)
    return m


def smtp_send(addr, sender, rcpts, msg, login=None):
    """Send over SMTP; returns the refused-recipients dict, raises on a
    whole-message refusal (smtplib exceptions carry code and text)."""
    host, port = hostport(addr)
    with smtplib.SMTP(host, port, timeout=30) as s:
        if login:
            s.login(*login)
        data = msg if isinstance(msg, (bytes, str)) else msg.as_bytes()
        return s.sendmail(sender, rcpts, data)


def policy_ask(addr, rcpt, size=0, state="RCPT", sender="sender@example.com",
               sock=None, timeout=10):
    """One Postfix policy delegation request; the answer line
    ("action=...").  sock: reuse an open connection."""
    req = ("request=smtpd_access_policy\nprotocol_state=%s\nsender=%s\n"
           "recipient=%s\nsize=%d\nqueue_id=\nclient_address=192.0.2.7\n\n"
           % (state, sender, rcpt, size))
    own = sock is None
    if own:
        sock = socket.create_connection(hostport(addr), timeout=timeout)
    try:
        sock.sendall(req.encode())
        data = b""
        while not data.endswith(b"\n\n"):
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("policy server closed the connection")
            data += chunk
    finally:
        if own:
            sock.close()
    return data.decode().strip()


def imap_login(env, user):
    host, port = hostport(env["MG_IMAP"])
    i = imaplib.IMAP4(host, port)
    i.login(user, env["MG_PASSWORD"])
    return i


def imap_wait_header(env, user, header, value, timeout=30, mailbox="INBOX"):
    """Wait until a message whose `header` contains `value` is in the
    mailbox; return its raw bytes."""
    deadline = time.time() + timeout
    while True:
        i = imap_login(env, user)
        try:
            i.select(mailbox)
            typ, data = i.search(None, "HEADER", header, '"%s"' % value)
            ids = data[0].split() if typ == "OK" else []
            if ids:
                typ, msg = i.fetch(ids[-1], "(RFC822)")
                return msg[0][1]
        finally:
            i.logout()
        if time.time() > deadline:
            raise AssertionError("no message with %s: %s in %s's %s after %ss"
                                 % (header, value, user, mailbox, timeout))
        time.sleep(0.3)


def notice_text(raw):
    """A delivered mailguard notice read as mg_mail writes it: asserts an
    RFC 2047 encoded UTF-8 subject, a quoted-printable UTF-8 text body and
    Auto-Submitted: auto-generated; returns (subject, body), both decoded."""
    m = email.message_from_bytes(raw)
    subject = m["Subject"]
    assert subject.startswith("=?UTF-8?B?"), subject
    assert m["Auto-Submitted"] == "auto-generated", m["Auto-Submitted"]
    assert m["Content-Type"] == "text/plain; charset=utf-8", m["Content-Type"]
    assert m["Content-Transfer-Encoding"] == "quoted-printable", \
        m["Content-Transfer-Encoding"]
    body = m.get_payload(decode=True).decode("utf-8")
    return str(email.header.make_header(email.header.decode_header(subject))), body


def imap_count(env, user, header, value, mailbox="INBOX"):
    i = imap_login(env, user)
    try:
        i.select(mailbox)
        typ, data = i.search(None, "HEADER", header, '"%s"' % value)
        return len(data[0].split()) if typ == "OK" else 0
    finally:
        i.logout()


def imap_expunge_all(env, user, mailbox="INBOX"):
    """delete every message of the mailbox over IMAP"""
    i = imap_login(env, user)
    try:
        i.select(mailbox)
        typ, data = i.search(None, "ALL")
        if data[0].split():
            i.store("1:*", "+FLAGS", "\\Deleted")
            i.expunge()
    finally:
        i.logout()


def redis(env, *args):
    """One Redis command over a raw socket (RESP); returns the decoded reply."""
    host, port = hostport(env["MG_REDIS"])
    with socket.create_connection((host, port), timeout=5) as s:
        req = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            req += b"$%d\r\n%s\r\n" % (len(a), a)
        s.sendall(req)
        f = s.makefile("rb")
        return _resp(f)


def _resp(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError("redis error: " + rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp(f) for _ in range(n)]
    raise RuntimeError("bad RESP line %r" % line)


class Checks:
    """Minimal runner: each check is a function; prints a summary line
    'N passed, N failed' that CI understands and exits non-zero on failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, fn, *args):
        name = fn.__name__
        try:
            fn(*args)
        except Exception as exc:  # report every kind of failure
            self.failed += 1
            print("FAIL %s: %s: %s" % (name, type(exc).__name__, exc))
        else:
            self.passed += 1
            print("ok   %s" % name)
        sys.stdout.flush()

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)
