#!/usr/bin/env python3
"""milter-attach through the real stack (Postfix MX + submission, Dovecot,
Redis): hostile and harmless messages get 5xx or 250, the size limit is
exact, a local recipient of a refused message finds the notice over IMAP,
a ban added with milter-attach-ctl takes effect within seconds, and while
Redis is unreachable the static rules and the last known bans still apply.
Real material: Debian's clamav-testfiles and Python's email test messages."""
import base64
import email.message
import glob
import os
import signal
import smtplib
import subprocess
import time
import uuid

from mgtest import Checks, stack_env, smtp_send, imap_login, hostport, notice_text

ENV = stack_env()
DOM = ENV["MG_DOMAIN"]
ALICE = "alice@" + DOM
BOB = "bob@" + DOM
CLAM = "/usr/share/clamav-testfiles"
PYMSG = "/usr/lib/python3.11/test/test_email/data"
CTL = os.path.join(ENV["MG_BUILD_DIR"], "milter-attach", "milter-attach-ctl")
LOG = os.path.join(ENV["MG_STATE_DIR"], "milter-attach", "milter-attach.log")
LIMIT = 10485760


def msg_with(filename, payload, subject=None, sender="eve@example.com", rcpt=ALICE,
             ctype="application/octet-stream"):
    m = email.message.EmailMessage()
    m["From"] = sender
    m["To"] = rcpt
    m["Subject"] = subject or "milter " + uuid.uuid4().hex
    m["Message-ID"] = "<%s@mgtest>" % uuid.uuid4().hex
    m.set_content("see attachment\n")
    maintype, subtype = ctype.split("/")
    m.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return m


def expect_refused(data, code=550, text=None, rcpts=(ALICE,), sender="eve@example.com",
                   addr=None, login=None):
    try:
        smtp_send(addr or ENV["MG_SMTP"], sender, list(rcpts), data, login=login)
    except smtplib.SMTPDataError as e:
        assert e.smtp_code == code, (e.smtp_code, e.smtp_error)
        if text:
            assert text.encode() in e.smtp_error, e.smtp_error
        return e.smtp_error
    except smtplib.SMTPSenderRefused as e:
        assert e.smtp_code == code, (e.smtp_code, e.smtp_error)
        return e.smtp_error
    raise AssertionError("message accepted, expected %d" % code)


def expect_accepted(data, rcpts=(ALICE,), sender="eve@example.com"):
    refused = smtp_send(ENV["MG_SMTP"], sender, list(rcpts), data)
    assert refused == {}, refused


def read(path):
    with open(path, "rb") as f:
        return f.read()


def ctl(*args):
    return subprocess.run([CTL, "-c", ENV["MG_MILTER_CONF"]] + list(args),
                          capture_output=True, text=True)


# ---- hostile material -------------------------------------------------------

def clam_mail_refused():
    err = expect_refused(read(CLAM + "/clam.mail"), 550, "clam.exe")
    assert b"5.7.1" in err, err


def clam_mbox_base64_and_uu_refused():
    for name in ("clam.exe.mbox.base64", "clam.exe.mbox.uu"):
        expect_refused(read(CLAM + "/" + name), 550, "clam.exe")


def exe_attachment_refused_with_charter_text():
    err = expect_refused(msg_with("Facture.PDF.exe  ", read(CLAM + "/clam.exe")), 550)
    assert b"Facture.PDF.exe" in err and b"charte" in err, err


def every_banned_extension_refused():
    for ext in ("exe", "com", "pif", "reg", "scr", "vbs"):
        expect_refused(msg_with("x." + ext.upper(), b"harmless bytes"), 550, "x." + ext.upper())


def zip_member_refused():
    expect_refused(msg_with("archive.zip", read(CLAM + "/clam.zip"),
                            ctype="application/zip"), 550, "clam.exe")


def tnef_winmail_dat_member_refused():
    # Outlook's winmail.dat (application/ms-tnef) carrying clam.exe
    expect_refused(msg_with("winmail.dat", read(CLAM + "/clam.tnef"),
                            ctype="application/ms-tnef"), 550, "clam.exe")


def tar_gz_and_cab_members_refused():
    # Debian's clamav-testfiles: clam.exe in a .tar.gz and in a cabinet,
    # under harmless names; then a plain tar made here, a member renamed
    import io
    import tarfile
    expect_refused(msg_with("photos.tgz", read(CLAM + "/clam.tar.gz"),
                            ctype="application/gzip"), 550, "clam.exe")
    expect_refused(msg_with("update.cab", read(CLAM + "/clam.cab"),
                            ctype="application/vnd.ms-cab-compressed"), 550, "clam.exe")
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in (("notes.txt", b"hello\n"), ("Facture \u00e9t\u00e9.pif", read(CLAM + "/clam.exe"))):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    expect_refused(msg_with("archive.tar", b.getvalue(), ctype="application/x-tar"),
                   550, "Facture")


def archive_over_entry_cap_refused():
    # an exe hidden behind 10000 members (max_zip_entries): the rest of the
    # archive is not listed, so the message is refused as unparsable
    import io
    import zipfile
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_STORED) as z:
        for i in range(10000):
            z.writestr("f%05d.txt" % i, b"")
        z.writestr("late.exe", b"MZ")
    expect_refused(msg_with("many.zip", b.getvalue(), ctype="application/zip"),
                   550, "zip_entries")


def harmless_tar_gz_accepted():
    import io
    import tarfile
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w:gz") as t:
        for name in ("rapport.pdf", "photos/ete.jpg", "setup.exe.txt"):
            ti = tarfile.TarInfo(name)
            ti.size = 4
            t.addfile(ti, io.BytesIO(b"%PDF"))
    expect_accepted(msg_with("dossier.tar.gz", b.getvalue(), ctype="application/gzip"))


def deflated_zip_in_zip_refused():
    """what archivers make: the inner zip DEFLATED too, once with sizes in
    its header and once streamed (sizes in a data descriptor)"""
    import io
    import zipfile
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("lisezmoi.txt", "bonjour " * 50)
        z.writestr("facture.pdf.scr", read(CLAM + "/clam.exe"))
    class Pipe:                    # not seekable: zipfile writes descriptors
        def __init__(self):
            self.buf = bytearray()

        def write(self, b):
            self.buf += b
            return len(b)

        def flush(self):
            pass

    for out in (io.BytesIO(), Pipe()):
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("docs/archive.zip", "w") as f:
                f.write(inner.getvalue())
        data = out.getvalue() if isinstance(out, io.BytesIO) else bytes(out.buf)
        assert data[8] == 8 and bool(data[6] & 8) == isinstance(out, Pipe)
        expect_refused(msg_with("envoi.zip", data, ctype="application/zip"),
                       550, "facture.pdf.scr")


def submission_applies_the_same_rules():
    m = msg_with("clam.exe", read(CLAM + "/clam.exe"), sender=BOB)
    expect_refused(m, 550, "clam.exe", sender=BOB, addr=ENV["MG_SUBMISSION"],
                   login=(BOB, ENV["MG_PASSWORD"]))


# ---- harmless material ------------------------------------------------------

def python_email_corpus_accepted():
    bad = []
    for path in sorted(glob.glob(PYMSG + "/msg_*.txt")):
        data = read(path).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        try:
            expect_accepted(data)
        except Exception as e:  # collect every false positive
            bad.append("%s: %s" % (os.path.basename(path), e))
    assert not bad, bad


def harmless_attachments_accepted():
    expect_accepted(msg_with("report.pdf", b"%PDF-1.4\n%%EOF\n", ctype="application/pdf"))
    expect_accepted(msg_with("notes.txt", b"exe com pif\n", ctype="text/plain"))


# ---- size -------------------------------------------------------------------

def sized(n):
    """A message of exactly n bytes as RFC 1870 counts them: CRLF line
    ends, ending with CRLF (smtplib would add one otherwise)."""
    for pad in range(2):
        head = ("From: eve@example.com\r\nTo: %s\r\nSubject: size %d%s\r\n"
                "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@mgtest>\r\n\r\n"
                % (ALICE, n, "p" * pad, uuid.uuid4().hex)).encode()
        left = n - len(head)
        line = b"x" * 998 + b"\r\n"
        body = line * (left // len(line))
        rest = left - len(body)
        if rest == 1:
            continue
        if rest >= 2:
            body += b"y" * (rest - 2) + b"\r\n"
        assert len(head + body) == n and body.endswith(b"\r\n")
        return head + body
    raise AssertionError("cannot build %d bytes" % n)


def size_limit_is_exact():
    expect_accepted(sized(LIMIT))
    err = expect_refused(sized(LIMIT + 1), 552, "Efivol")
    assert b"5.3.4" in err and b"10 Mo" in err, err


def size_declared_over_limit_refused_at_mail():
    host, port = hostport(ENV["MG_SMTP"])
    with smtplib.SMTP(host, port, timeout=30) as s:
        s.ehlo()
        code, text = s.mail("eve@example.com", ["SIZE=%d" % (LIMIT + 1)])
        if code == 250:
            code, text = s.rcpt(ALICE)
            if code == 250:
                code, text = s.data(sized(100))
        assert code == 552, (code, text)


# ---- notices ----------------------------------------------------------------

def imap_search_body(user, needle):
    i = imap_login(ENV, user)
    try:
        i.select("INBOX")
        typ, data = i.search(None, "BODY", '"%s"' % needle)
        ids = data[0].split() if typ == "OK" else []
        out = []
        for n in ids:
            typ, msg = i.fetch(n, "(RFC822)")
            out.append(msg[0][1])
        return out
    finally:
        i.logout()


def local_recipient_gets_one_notice():
    token = uuid.uuid4().hex
    m = msg_with("clam.exe", read(CLAM + "/clam.exe"), subject="pj " + token, rcpt=BOB)
    expect_refused(m, 550, rcpts=(BOB, "someone@example.net"))
    deadline = time.time() + 30
    found = []
    while time.time() < deadline and not found:
        found = imap_search_body(BOB, token)
        time.sleep(0.5)
    assert len(found) == 1, "notice not found in bob's INBOX"
    n = found[0]
    assert b"Auto-Submitted: auto-generated" in n, n[:600]
    assert b"Subject: =?UTF-8?B?" in n, n[:600]
    assert b"eve@example.com" in n and b"clam.exe" in n, n
    assert b"Return-Path: <>" in n, n[:400]
    # the French text, RFC 2047 subject and quoted-printable body (mg_mail)
    subject, body = notice_text(n)
    assert subject == "Message non distribué : pièce jointe interdite (clam.exe)", subject
    assert "Expéditeur : eve@example.com" in body, body
    assert "Objet      : pj " + token in body, body
    assert "Motif      : les pièces jointes exécutables" in body, body
    assert "merci de ne pas y répondre." in body, body
    # the same message again: no second notice (K notice:{RCPT}:<id>)
    expect_refused(m, 550, rcpts=(BOB,))
    time.sleep(3)
    assert len(imap_search_body(BOB, token)) == 1
    # never a notice to an external address
    log = read(LOG).decode(errors="replace")
    assert "someone@example.net" not in "\n".join(
        l for l in log.splitlines() if "action=notice" in l)


def notices_are_rate_limited_per_recipient():
    """notice_rate (20 an hour in the stack) caps one recipient's notices"""
    small = ENV["MG_SMALL_USER"]
    token = uuid.uuid4().hex
    payload = read(CLAM + "/clam.exe")
    for _ in range(22):    # distinct Message-IDs: 22 candidates
        expect_refused(msg_with("clam.exe", payload, subject="rate " + token, rcpt=small),
                       550, rcpts=(small,))
    deadline = time.time() + 30
    while time.time() < deadline and len(imap_search_body(small, token)) < 20:
        time.sleep(0.5)
    time.sleep(2)
    assert len(imap_search_body(small, token)) == 20
    log = read(LOG).decode(errors="replace")
    assert "to=%s status=skipped detail=rate_limited" % small in log


# ---- security-alert bans ----------------------------------------------------

def wait_refused(m, code=550, text=None, timeout=10):
    deadline = time.time() + timeout
    while True:
        try:
            return expect_refused(m, code, text)
        except AssertionError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def ctl_validates_input():
    for args, rc in ((["ban", "add", "ext", ".i so", "1h"], 2),
                     (["ban", "add", "sha256", "abc", "1h"], 2),
                     (["ban", "add", "ext", ".iso", "forever"], 2),
                     (["ban", "frobnicate"], 2),
                     (["ban", "del", "ext", ".neverbanned"], 1)):
        r = ctl(*args)
        assert r.returncode == rc, (args, r.returncode, r.stderr)
        assert r.stderr.strip(), args


def ban_added_with_ctl_takes_effect():
    iso = msg_with("disk.iso", b"CD001 not really an image")
    expect_accepted(iso)
    r = ctl("ban", "add", "ext", ".iso", "1h", "alerte", "test")
    assert r.returncode == 0 and "banned until" in r.stdout, (r.stdout, r.stderr)
    t0 = time.time()
    err = wait_refused(msg_with("disk.iso", b"CD001"), 550, "disk.iso")
    print("     ban applied after %.1fs" % (time.time() - t0))
    assert b"alerte" in err or b"alert" in err, err
    r = ctl("ban", "list")
    assert ".iso" in r.stdout and "alerte test" in r.stdout, r.stdout


def sha256_ban_catches_renamed_file():
    payload = read(CLAM + "/clam.exe")
    sha = "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d4495"
    expect_accepted(msg_with("holiday.jpg", payload, ctype="image/jpeg"))
    assert ctl("ban", "add", "sha256", sha.upper(), "10m").returncode == 0
    try:
        wait_refused(msg_with("holiday.jpg", payload, ctype="image/jpeg"), 550, "holiday.jpg")
    finally:
        assert ctl("ban", "del", "sha256", sha).returncode == 0


def redis_down_keeps_static_rules_and_last_bans():
    pid = int(read(os.path.join(ENV["MG_STATE_DIR"], "redis", "pid")).strip())
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(3)   # a refresh fails meanwhile
        expect_refused(msg_with("clam.exe", read(CLAM + "/clam.exe")), 550, "clam.exe")
        expect_refused(msg_with("disk.iso", b"CD001"), 550, "disk.iso")
        expect_accepted(msg_with("report.pdf", b"%PDF-1.4\n", ctype="application/pdf"))
    finally:
        os.kill(pid, signal.SIGCONT)
    log = read(LOG).decode(errors="replace")
    assert "keeping the last known list" in log


def ban_deleted_with_ctl_is_lifted():
    r = ctl("ban", "del", "ext", ".iso")
    assert r.returncode == 0, r.stderr
    deadline = time.time() + 10
    while True:
        try:
            expect_accepted(msg_with("disk.iso", b"CD001"))
            return
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def decision_lines_are_logged():
    log = read(LOG).decode(errors="replace")
    lines = [l for l in log.splitlines() if "stage=eom" in l and "action=reject" in l]
    assert lines, "no decision lines"
    assert any("queue_id=" in l and "queue_id=-" not in l and "name=clam.exe" in l
               and "reason=banned_ext" in l for l in lines), lines[-3:]
    # one action=file line per file, with where it was found
    files = [l for l in log.splitlines() if "action=file" in l]
    for origin, container in (("zip_member", "archive.zip"), ("tnef_member", "winmail.dat"),
                              ("archive_member", "photos.tgz"), ("archive_member", "update.cab")):
        assert any("origin=%s" % origin in l and "name=clam.exe" in l
                   and "container=%s" % container in l for l in files), (origin, files[-5:])
    assert not any("origin=?" in l for l in files), [l for l in files if "origin=?" in l][:3]


# ---- issue 11 items 6-9: legacy encodings, names as clients save them,
# structure, and what must stay accepted -------------------------------------

BINHEX_EXE = (  # BinHex 4.0 of a 49-byte file named invoice.exe (lsar/unar list it)
    "(This file must be converted with BinHex 4.0)\r\n\r\n"
    ":#fPZGQpTBf8ZCAKP!&4&@&4dG(Kd!*!&-3#3\"1Gq69U3!!!$!*!$\"!#3!rrr!!\"\r\n"
    "\"N\"53!*!!N!#3!*!!23d+!#\"PEQ6'R`!!:\r\n")


def raw_mime(part_headers, body="TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n",
             text="see attachment\r\n"):
    """A multipart message whose second part has the headers given (CRLF
    joined) and body; built by hand: the constructs are what no library
    writes."""
    return ("From: eve@example.com\r\nTo: %s\r\nSubject: milter %s\r\n"
            "Message-ID: <%s@mgtest>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain\r\n\r\n%s"
            "--b1\r\n%s\r\n\r\n%s--b1--\r\n"
            % (ALICE, uuid.uuid4().hex, uuid.uuid4().hex, text,
               "\r\n".join(part_headers), body)).encode("utf-8")


def yenc(name, data):
    enc = bytearray()
    for b in data:
        c = (b + 42) & 255
        enc += bytes([61, (c + 64) & 255]) if c in (0, 10, 13, 61) else bytes([c])
    return (b"=ybegin line=128 size=%d name=%s\r\n" % (len(data), name.encode())
            + bytes(enc) + b"\r\n=yend size=%d\r\n" % len(data))


def legacy_encodings_refused():
    # BinHex in a text part and as application/mac-binhex40, yEnc in a text
    # part, a .uue attachment holding "begin 644 x.exe"
    expect_refused(raw_mime(["Content-Type: text/plain"], "Hello,\r\n" + BINHEX_EXE),
                   550, "invoice.exe")
    expect_refused(raw_mime(["Content-Type: application/mac-binhex40; name=doc.hqx"],
                            BINHEX_EXE), 550, "invoice.exe")
    data = (b"From: eve@example.com\r\nTo: " + ALICE.encode() + b"\r\nSubject: y\r\n"
            b"Content-Type: text/plain; charset=x-user-defined\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\nfiles:\r\n"
            + yenc("setup.exe", read(CLAM + "/clam.exe")))
    expect_refused(data, 550, "setup.exe")
    uue = base64.b64encode(b"begin 644 payload.exe\n#35J0\n`\nend\n").decode()
    expect_refused(raw_mime(["Content-Type: application/octet-stream; name=\"mail.uue\"",
                             "Content-Transfer-Encoding: base64"], uue + "\r\n"),
                   550, "payload.exe")


def names_as_clients_save_them_refused():
    cd = "Content-Disposition: attachment; "
    expect_refused(raw_mime([cd + "filename*=utf-8''zw.exe%E2%80%8B"]), 550, "zw.exe")
    expect_refused(raw_mime([cd + "filename=\"ads.exe::$DATA\""]), 550, "ads.exe")
    expect_refused(raw_mime([cd + "filename=\"zone.exe:Zone.Identifier\""]), 550, "zone.exe")
    expect_refused(raw_mime([cd + "filename*2=\"e\"; filename*0*=utf-8''in%76;",
                             " filename*3*=%78e; filename*1=\"oice.\""]), 550, "invoice.exe")
    expect_refused(raw_mime(["Content-Type: application/octet-stream",
                             "Content-Name: fallback.scr"]), 550, "fallback.scr")
    params = "".join("; p%d=%s" % (i, "v" * 40) for i in range(200))   # ~9 KB
    expect_refused(raw_mime([cd.rstrip("; ") + params + "; filename=\"late.exe\""]),
                   550, "late.exe")
    folded = "".join(";\r\n p%d=%s" % (i, "v" * 40) for i in range(200))
    expect_refused(raw_mime([cd.rstrip("; ") + folded + "; filename=\"late2.exe\""]),
                   550, "late2.exe")


def structure_evasions_refused():
    # message/partial (nothing reassembles it at SMTP time), a boundary of
    # 3000 characters holding an exe, duplicated differing encodings
    expect_refused(raw_mime(["Content-Type: message/partial; id=\"p@x\"; number=1; total=2"],
                            "Content-Type: application/octet-stream; name=x.exe\r\n\r\nMZ\r\n"),
                   550)
    b = "B" * 3000
    data = ("From: eve@example.com\r\nTo: %s\r\nSubject: long boundary\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Type: application/octet-stream; name=longb.exe\r\n\r\nMZ\r\n"
            "--%s--\r\n" % (ALICE, b, b, b)).encode()
    expect_refused(data, 550, "longb.exe")
    ws = " " * 9000     # a boundary line with white space past the line buffer
    data = ("From: eve@example.com\r\nTo: %s\r\nSubject: ws boundary\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1%s\r\n"
            "Content-Type: application/octet-stream; name=wsb.exe\r\n\r\nMZ\r\n"
            "--b1--\r\n" % (ALICE, ws)).encode()
    expect_refused(data, 550, "wsb.exe")
    expect_refused(raw_mime(["Content-Type: application/octet-stream; name=two.bin",
                             "Content-Transfer-Encoding: base64",
                             "Content-Transfer-Encoding: 7bit"]), 550)


def external_body_and_lookalikes_accepted():
    expect_accepted(raw_mime(["Content-Type: message/external-body; access-type=URL;",
                              " URL=\"https://files.example/setup.exe\"; name=\"setup.exe\""],
                             "Content-Type: application/octet-stream\r\n\r\n"))
    for name in ("x.exe.txt", "exe", "x.executive", "setup.exe.pdf", "x.e\u200bxe.txt"):
        expect_accepted(msg_with(name, b"harmless bytes"))
    log = read(LOG).decode(errors="replace")
    files = [l for l in log.splitlines() if "action=file" in l]
    for origin in ("binhex", "yenc", "external_body"):
        assert any("origin=" + origin in l for l in files), (origin, files[-5:])
    assert any("name=zone.exe" in l and "raw=" in l for l in files), files[-5:]


def ctl_stats_counts_decisions():
    deadline = time.time() + 10
    while True:
        r = ctl("stats")
        assert r.returncode == 0, r.stderr
        stats = dict(l.split() for l in r.stdout.splitlines() if len(l.split()) == 2)
        if int(stats.get("rejected_attachment", 0)) > 0 and int(stats.get("notices_sent", 0)) > 0:
            assert int(stats["messages"]) >= int(stats["rejected_attachment"])
            return
        if time.time() > deadline:
            raise AssertionError(r.stdout)
        time.sleep(0.5)


if __name__ == "__main__":
    c = Checks()
    for fn in (clam_mail_refused, clam_mbox_base64_and_uu_refused,
               exe_attachment_refused_with_charter_text, every_banned_extension_refused,
               zip_member_refused, deflated_zip_in_zip_refused,
               tnef_winmail_dat_member_refused, tar_gz_and_cab_members_refused,
               harmless_tar_gz_accepted, archive_over_entry_cap_refused,
               submission_applies_the_same_rules,
               python_email_corpus_accepted, harmless_attachments_accepted,
               legacy_encodings_refused, names_as_clients_save_them_refused,
               structure_evasions_refused, external_body_and_lookalikes_accepted,
               size_limit_is_exact, size_declared_over_limit_refused_at_mail,
               local_recipient_gets_one_notice, notices_are_rate_limited_per_recipient,
               ctl_validates_input,
               ban_added_with_ctl_takes_effect, sha256_ban_catches_renamed_file,
               redis_down_keeps_static_rules_and_last_bans, ban_deleted_with_ctl_is_lifted,
               decision_lines_are_logged, ctl_stats_counts_decisions):
        c.run(fn)
    c.finish()
