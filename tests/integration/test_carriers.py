#!/usr/bin/env python3
"""The carriers of issue 11 through the real stack: tests/material/carriers.sh
builds the corpus with the real tools (xorriso, genisoimage, mkudffs, mkfs.fat +
mtools, qemu-img, 7z, gcab, tar + xz/bzip2/zstd/lzip, zip, the RAR writer), and
every row of tests/material/manifest.tsv is sent as an attachment (base64) over
SMTP to the loopback MX, through Postfix and milter-attach:
  refuse          -> 550 5.7.1 naming the file the carrier hides
  names_encrypted -> 550 5.7.1 saying the names cannot be read
  accept          -> 250
  over the size limit after base64 -> 552 (Postfix, before the milter)
A row whose file carriers.sh could not make (tool missing) is reported and skipped.
Usage: test_carriers.py [ROW...]  (default: every row)."""
import email.message
import os
import smtplib
import subprocess
import sys
import tempfile
import uuid

from mgtest import Checks, stack_env, smtp_send

HERE = os.path.dirname(os.path.abspath(__file__))
MATERIAL = os.path.join(os.path.dirname(HERE), "material")
ENV = stack_env()
ALICE = "alice@" + ENV["MG_DOMAIN"]
LIMIT = 10485760


def manifest():
    rows = []
    with open(os.path.join(MATERIAL, "manifest.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            file, verdict, name, anomaly, ctype, fmt = line.rstrip("\n").split("\t")
            rows.append(dict(file=file, verdict=verdict, name=name, anomaly=anomaly,
                             ctype=ctype, format=fmt))
    return rows


def attachment_message(row, data):
    m = email.message.EmailMessage()
    m["From"] = "eve@example.com"
    m["To"] = ALICE
    m["Subject"] = "carrier %s %s" % (row["file"], uuid.uuid4().hex)
    m["Message-ID"] = "<%s@mgtest>" % uuid.uuid4().hex
    if row["ctype"] == "text/plain":
        # yEnc travels raw in a text part (8bit), as news and mail clients send it
        m.set_content(data.decode("latin-1"), cte="8bit", charset="iso-8859-1")
        return m.as_bytes(policy=m.policy.clone(cte_type="8bit", linesep="\r\n"))
    m.set_content("see attachment\n")
    ctype = "application/octet-stream" if row["ctype"] == "-" else row["ctype"]
    maintype, subtype = ctype.split("/")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=row["file"])
    return m.as_bytes()


def send(data):
    """-> (code, text) of the reply to the message"""
    try:
        smtp_send(ENV["MG_SMTP"], "eve@example.com", [ALICE], data)
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as e:
        return e.smtp_code, e.smtp_error
    return 250, b""


def row_check(corpus, row):
    path = os.path.join(corpus, row["file"])
    if not os.path.exists(path):
        print("skip %s: carriers.sh did not make it" % row["file"])
        return
    with open(path, "rb") as f:
        data = attachment_message(row, f.read())
    code, text = send(data)
    what = "%s -> %d %r" % (row["file"], code, text[:200])
    if len(data) > LIMIT:
        assert code == 552, what
    elif row["anomaly"] == "names_encrypted":
        assert code == 550 and b"5.7.1" in text, what
        assert b"names_encrypted" in text or b"chiffr" in text.lower() \
            or b"encrypt" in text.lower(), what
    elif row["verdict"] == "refuse":
        assert code == 550 and b"5.7.1" in text, what
        assert row["name"].lower().encode() in text.lower(), what
    else:
        assert code == 250, what


def named(fn, row):
    def check():
        fn(CORPUS, row)
    check.__name__ = "carrier_" + row["file"]
    return check


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="mg-carriers-") as CORPUS:
        out = subprocess.run(["bash", os.path.join(MATERIAL, "carriers.sh"), CORPUS],
                             capture_output=True, text=True)
        sys.stdout.write(out.stderr)
        if out.returncode != 0:
            print("FAIL carriers.sh: exit %d" % out.returncode)
            sys.exit(1)
        wanted = set(sys.argv[1:])
        c = Checks()
        for row in manifest():
            if wanted and row["file"] not in wanted:
                continue
            if not os.path.exists(os.path.join(CORPUS, row["file"])):
                print("skip %s: carriers.sh did not make it (--big rows, a missing tool)"
                      % row["file"])
                continue
            c.run(named(row_check, row))
        c.finish()
