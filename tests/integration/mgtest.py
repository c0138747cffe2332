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
import re
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
    """a loopback TCP port nothing listens on right now"""
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
               sock=None, timeout=10, sasl_username=""):
    """One Postfix policy delegation request; the answer line
    ("action=...").  sock: reuse an open connection.  sasl_username: as
    Postfix sends it from the submission port (empty: from outside)."""
    req = ("request=smtpd_access_policy\nprotocol_state=%s\nsender=%s\n"
           "recipient=%s\nsize=%d\nqueue_id=\nclient_address=192.0.2.7\n"
           "sasl_username=%s\n\n" % (state, sender, rcpt, size, sasl_username))
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


def doveadm_quota(env, user):
    """doveadm quota get: {resource: (used, limit)} (KiB for STORAGE; 0 = none)"""
    out = subprocess.run(["doveadm", "-c", env["MG_DOVECOT_CONF"], "-f", "tab",
                          "quota", "get", "-u", user],
                         check=True, capture_output=True, text=True).stdout
    vals = {}
    for line in out.splitlines()[1:]:
        cols = line.split("\t")
        vals[cols[1]] = (int(cols[2]), 0 if cols[3] == "-" else int(cols[3]))
    return vals


def publish(env, user, key_user=None):
    """doveadm's session makes the plugin publish the mailbox's state;
    return it (KiB) once Redis holds the same figures.  key_user: the
    mailbox it is published as (default: user)"""
    key = "mg:v1:quota:{%s}" % (key_user or user)
    deadline = time.time() + 10
    while True:
        used_kib, limit_kib = doveadm_quota(env, user)["STORAGE"]
        b = int(redis(env, "HGET", key, "bytes") or -1)
        if (b + 1023) // 1024 == used_kib:      # doveadm rounds up
            return used_kib, limit_kib
        assert time.time() < deadline, "plugin did not publish %s" % user
        time.sleep(0.2)


def fill_mailbox(env, user, key_user=None, sender="sender@example.com"):
    """Real deliveries until Dovecot counts the mailbox full.  They go
    straight to Dovecot's LMTP: through Postfix, the policy would (rightly)
    defer the message that does not fit before the mailbox is full.
    key_user: the mailbox the plugin publishes (default: user)"""
    key_user = key_user or user
    lines = 2600                               # about 200 KB per message
    for n in range(40):
        used, limit = publish(env, user, key_user)
        if used >= limit:
            return
        m = make_message(sender, user, subject="filler %d" % n,
                         body=("x" * 76 + "\n") * lines)
        try:
            with smtplib.LMTP(*hostport(env["MG_LMTP"]), timeout=30) as l:
                l.sendmail(sender, [user], m.as_bytes())
        except smtplib.SMTPDataError as e:
            assert e.smtp_code == 452, e      # does not fit: smaller ones
            lines = max(lines // 4, 1)
    used, limit = publish(env, user, key_user)
    assert used >= limit, "%s not full after 40 messages: %d/%d KiB" % (user, used, limit)


def log_size(path):
    """where new lines of a log file will start (0: no file yet)"""
    return os.path.getsize(path) if os.path.exists(path) else 0


def wait_log(path, start, pattern, timeout, what):
    """the first line matching the regular expression pattern written to
    path after offset start (see log_size), waited for up to timeout s"""
    deadline = time.time() + timeout
    rx = re.compile(pattern)
    while True:
        with open(path, errors="replace") as f:
            f.seek(start)
            for line in f:
                if rx.search(line):
                    return line.rstrip("\n")
        assert time.time() < deadline, "%s: nothing matching %r in %s after %ss" % (
            what, pattern, path, timeout)
        time.sleep(0.2)


def prom_samples(text):
    """{(name, frozenset(labels)): value} of a Prometheus text exposition,
    read by a real parser: prometheus_client's (python3-prometheus-client,
    Debian's /usr/bin/python3; imported here so that the other tests keep
    to the standard library)"""
    from prometheus_client.parser import text_string_to_metric_families
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


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
