"""test_offline - the offline verdicts of issue 13 part 2, with the real
binaries against a real redis-server started here (loopback, a temp dir,
stopped by pid); no Postfix needed.

  milter-attach -T FILE|- [--json]   a clean message, a banned .exe in a zip
      inside message/rfc822, an RFC 2231 name, a message over 10 MB, stdin,
      a Redis ban changing an .iso message's verdict, Redis down; exit
      codes and the exact replies asserted; nothing written to Redis.
  policyd-quota -T RCPT [SENDER [SIZE]] [NAME=VALUE...] [--json]   a full
      mailbox (no deferral yet: none recorded; an old one: 550), a mailbox
      that is not full, stale state, an alias, no Redis (both
      redis_error_action values), malformed addresses and arguments.
  -t --probe (both daemons)   Redis up: what each finds (the bans listed,
      the quota-changed subscription, the quota states counted); Redis
      down: exit 3 and the reason; through a redis-sentinel started here:
      which sentinel named which master.

Usage: test_offline.py BUILD_DIR
"""
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from email.message import EmailMessage

from mgtest import Checks, free_port, redis

BUILD = os.path.abspath(sys.argv[1])
MILTER = os.path.join(BUILD, "milter-attach", "milter-attach")
CTL = os.path.join(BUILD, "milter-attach", "milter-attach-ctl")
POLICYD = os.path.join(BUILD, "policyd-quota", "policyd-quota")
HELPER = os.path.join(BUILD, "milter-attach", "inspect", "milter-attach-inspect")
TMP = tempfile.mkdtemp(prefix="mg-offline-")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Redis:
    """A redis-server of our own on a free loopback port, stopped by pid;
    with monitor_port, a redis-sentinel watching that server as
    "mailguard" instead."""

    def __init__(self, monitor_port=None):
        self.port = free_port()
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", TMP]
        if monitor_port is not None:
            conf = write("sentinel-%d.conf" % self.port,
                         "sentinel monitor mailguard 127.0.0.1 %d 1\n" % monitor_port)
            argv = ["redis-server", conf, "--sentinel", "--port", str(self.port),
                    "--bind", "127.0.0.1", "--dir", TMP]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                if self.cmd("PING") == "PONG":
                    return
            except OSError:
                pass
            assert time.time() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def cmd(self, *args):
        return redis({"MG_REDIS": "127.0.0.1:%d" % self.port}, *args)

    def stop(self):
        os.kill(self.proc.pid, signal.SIGTERM)
        self.proc.wait(10)


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "w" if isinstance(data, str) else "wb") as f:
        f.write(data)
    return path


def milter_conf(name, redis_port, extra=""):
    return write(name, "redis_server = 127.0.0.1:%d\nredis_prefix = mgoff:\n"
                 "inspect_workers = 1\ninspect_helper = %s\n"
                 "inspect_spool_dir = %s\n%s" % (redis_port, HELPER, TMP, extra))


def run(argv, stdin=None):
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def field(out, key):
    """the value of a 'key   value' line of the text output (the last one)"""
    val = None
    for line in out.splitlines():
        if line.startswith(key + " "):
            val = line[len(key):].strip()
    return val


# --- messages ---------------------------------------------------------------
def clean_message():
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@example.org", "u@example.org", "report"
    m.set_content("hello\n")
    m.add_attachment(PDF, maintype="application", subtype="pdf", filename="report.pdf")
    return bytes(m)


def nested_exe_message():
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("docs/setup.exe", b"MZ" + b"\0" * 300)
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "b@example.org", "inner"
    inner.set_content("see the zip\n")
    inner.add_attachment(z.getvalue(), maintype="application", subtype="zip",
                         filename="files.zip")
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = "a@example.org", "u@example.org", "fwd"
    outer.set_content("forwarded\n")
    outer.add_attachment(inner)
    return bytes(outer)


RFC2231 = (b"From: a@example.org\nTo: u@example.org\nSubject: 2231\n"
           b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
           b"--b\nContent-Type: text/plain\n\nhi\n--b\n"
           b"Content-Type: application/octet-stream\n"
           b"Content-Disposition: attachment;\n"
           b" filename*1*=%C3%A9.%45XE;\n"
           b" filename*0*=utf-8''r%C3%A9sum\n"
           b"Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--b--\n")


def iso_message():
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@example.org", "u@example.org", "image"
    m.set_content("the image\n")
    m.add_attachment(b"just some text, not an image\n", maintype="application",
                     subtype="octet-stream", filename="disk.iso")
    return bytes(m)


def big_message():
    line = b"x" * 76 + b"\n"
    return b"From: a@example.org\nSubject: big\n\n" + line * (11 * 1024 * 1024 // 77)


# --- checks -----------------------------------------------------------------
def clean_accepted(r, conf):
    path = write("clean.eml", clean_message())
    rc, out, err = run([MILTER, "-c", conf, "-T", path])
    assert rc == 0, (rc, out, err)
    assert field(out, "verdict") == "accept", out
    assert field(out, "reason") == "none", out
    assert field(out, "bans").startswith("ext=0 mime=0 sha256=0"), out
    # the type and hash are shown though no mime/sha256 ban exists
    assert "application/pdf" in out, out
    assert hashlib.sha256(PDF).hexdigest() in out, out
    assert '"report.pdf"' in out, out
    assert "reply" not in [line.split()[0] for line in out.splitlines() if line]


def nested_exe_rejected(r, conf):
    path = write("nested.eml", nested_exe_message())
    rc, out, err = run([MILTER, "-c", conf, "-T", path, "--json"])
    assert rc == 1, (rc, out, err)
    doc = json.loads(out)
    v = doc["verdict"]
    assert (v["action"], v["reason"], v["code"], v["xcode"]) == \
        ("reject", "banned_ext", "550", "5.7.1"), v
    assert "setup.exe" in v["text"] and ".exe" in v["text"], v
    member = [f for f in doc["files"] if f["origin"] == "zip_member"]
    assert len(member) == 1, doc["files"]
    assert member[0]["archive"] == "files.zip", member
    assert member[0]["names"][0]["name"] == "docs/setup.exe", member
    assert member[0]["judged"] == "banned_ext", member
    assert member[0]["depth"] >= 2, member      # inside the message/rfc822
    zips = [f for f in doc["files"] if f["names"] and f["names"][0]["name"] == "files.zip"]
    assert zips and zips[0]["type"] == "application/zip", doc["files"]
    assert len(zips[0]["sha256"]) == 64, zips


def rfc2231_name_decoded(r, conf):
    path = write("rfc2231.eml", RFC2231)
    rc, out, err = run([MILTER, "-c", conf, "-T", path, "--json"])
    assert rc == 1, (rc, out, err)
    doc = json.loads(out)
    names = [n["name"] for f in doc["files"] for n in f["names"]]
    assert "r\u00e9sum\u00e9.EXE" in names, names
    assert doc["verdict"]["reason"] == "banned_ext", doc["verdict"]
    # the reply is ASCII: each byte of the accents becomes "?"
    assert "r??sum??.EXE" in doc["verdict"]["text"], doc["verdict"]


def over_size_limit(r, conf):
    path = write("big.eml", big_message())
    assert os.path.getsize(path) > 10 * 1024 * 1024
    rc, out, err = run([MILTER, "-c", conf, "-T", path])
    assert rc == 1, (rc, out, err)
    assert field(out, "reason") == "size", out
    assert field(out, "reply").startswith("552 5.3.4 "), out
    assert "10 Mo" in field(out, "reply"), out
    assert "reading stopped at" in field(out, "size"), out
    rc, out, err = run([MILTER, "-c", conf, "-T", path, "--json"])
    doc = json.loads(out)
    assert rc == 1 and doc["read_whole"] is False, doc
    assert 10485760 < doc["size"] < os.path.getsize(path), doc


def stdin_same_as_file(r, conf):
    data = nested_exe_message()
    rc, out, err = run([MILTER, "-c", conf, "-T", "-"], stdin=data)
    rc2, out2, err2 = run([MILTER, "-c", conf, "-T", write("again.eml", data)])
    assert rc == rc2 == 1, (rc, rc2, err)
    assert out == out2, (out, out2)
    # CRLF input is counted as the same message
    crlf = data.replace(b"\n", b"\r\n")
    rc3, out3, _ = run([MILTER, "-c", conf, "-T", "-"], stdin=crlf)
    assert rc3 == 1 and field(out3, "size") == field(out, "size"), (out3, out)


def size_counted_as_sent(r, conf):
    """RFC 1870: the message as sent in DATA (CRLF); exactly the limit passes"""
    data = clean_message().replace(b"hello\n", b"hello\n" * 300)  # over size_limit's 1024 minimum
    sent = len(data.replace(b"\n", b"\r\n"))
    path = write("exact.eml", data)
    at = milter_conf("exact.conf", r.port, "size_limit = %d\n" % sent)
    rc, out, err = run([MILTER, "-c", at, "-T", path])
    assert rc == 0 and field(out, "size") == "%d bytes (limit %d)" % (sent, sent), (rc, out)
    below = milter_conf("below.conf", r.port, "size_limit = %d\n" % (sent - 1))
    rc, out, err = run([MILTER, "-c", below, "-T", path])
    assert rc == 1 and field(out, "reason") == "size", (rc, out)
    # an mbox "From " line first is not part of the message
    rc, out, err = run([MILTER, "-c", at, "-T", "-"],
                       stdin=b"From a@example.org Wed Dec  2 16:00:00 2026\n" + data)
    assert rc == 0 and field(out, "size") == "%d bytes (limit %d)" % (sent, sent), (rc, out)


def redis_ban_changes_iso_verdict(r, conf):
    path = write("iso.eml", iso_message())
    rc, out, err = run([MILTER, "-c", conf, "-T", path])
    assert rc == 0, (rc, out, err)
    assert field(out, "verdict") == "accept", out
    rc, out, err = run([CTL, "-c", conf, "ban", "add", "ext", ".iso", "1h"])
    assert rc == 0, (rc, out, err)
    rc, out, err = run([MILTER, "-c", conf, "-T", path])
    assert rc == 1, (rc, out, err)
    assert field(out, "reason") == "alert_ext", out
    assert field(out, "reply").startswith("550 5.7.1 "), out
    assert "disk.iso" in field(out, "reply"), out
    assert field(out, "bans").startswith("ext=1 "), out
    run([CTL, "-c", conf, "ban", "del", "ext", ".iso"])


def carrier_through_inspector(r, conf):
    """an ISO image under another name: listed by the real helper"""
    src = os.path.join(TMP, "isosrc")
    os.makedirs(src, exist_ok=True)
    write("isosrc/evil.exe", b"MZ\0\0")
    image = os.path.join(TMP, "t.iso")
    subprocess.run(["genisoimage", "-quiet", "-o", image, src], check=True)
    m = EmailMessage()
    m["From"], m["Subject"] = "a@example.org", "photos"
    m.set_content("photos\n")
    with open(image, "rb") as f:
        m.add_attachment(f.read(), maintype="application", subtype="octet-stream",
                         filename="photos.img")
    rc, out, err = run([MILTER, "-c", conf, "-T", write("carrier.eml", bytes(m)), "--json"])
    assert rc == 1, (rc, out, err)
    doc = json.loads(out)
    member = [f for f in doc["files"] if f["origin"] == "carrier_member"]
    assert len(member) == 1, doc["files"]
    assert (member[0]["format"], member[0]["archive"], member[0]["names"][0]["name"]) == \
        ("iso9660", "photos.img", "EVIL.EXE"), member
    assert doc["verdict"]["reason"] == "banned_ext", doc["verdict"]


def nothing_written(r, conf):
    before = sorted(r.cmd("KEYS", "*"))
    for name in ("clean.eml", "nested.eml", "iso.eml"):
        run([MILTER, "-c", conf, "-T", os.path.join(TMP, name)])
    assert sorted(r.cmd("KEYS", "*")) == before, (before, r.cmd("KEYS", "*"))


def redis_down(r, conf):
    down = milter_conf("down.conf", free_port())
    path = os.path.join(TMP, "clean.eml")
    rc, out, err = run([MILTER, "-c", down, "-T", path])
    assert rc == 3, (rc, out, err)
    assert "Connection refused" in err and "error_action = tempfail" in err, err
    assert field(out, "reply").startswith("451 4.3.0 "), out
    # a banned file is still refused without the ban list
    rc, out, err = run([MILTER, "-c", down, "-T", os.path.join(TMP, "nested.eml")])
    assert rc == 1, (rc, out, err)
    accept = milter_conf("down-accept.conf", free_port(), "error_action = accept\n")
    rc, out, err = run([MILTER, "-c", accept, "-T", path])
    assert rc == 0 and "error_action = accept" in err, (rc, out, err)


def bad_input(r, conf):
    rc, out, err = run([MILTER, "-c", conf, "-T", os.path.join(TMP, "nonexistent.eml")])
    assert rc == 2 and "cannot open" in err, (rc, err)
    rc, out, err = run([MILTER, "-c", conf, "-T", "a.eml", "b.eml"])
    assert rc == 2 and "one message file" in err, (rc, err)
    rc, out, err = run([MILTER, "-c", os.path.join(TMP, "nonexistent.conf"), "-T", "-"],
                       stdin=b"")
    assert rc == 2, (rc, err)
    rc, out, err = run([MILTER, "-c", conf, "--json"])
    assert rc == 2, (rc, err)


# --- policyd-quota -T ---------------------------------------------------------
PQ_PREFIX = "mgoffpq:"


def policy_conf(name, redis_port, extra=""):
    return write(name, "redis_server = 127.0.0.1:%d\nredis_prefix = %s\n"
                 "language = en\n%s" % (redis_port, PQ_PREFIX, extra))


def quota(r, mailbox, bytes_, limit, age=10):
    r.cmd("HSET", "%sv1:quota:{%s}" % (PQ_PREFIX, mailbox), "bytes", bytes_,
          "bytes_limit", limit, "msgs", 3, "msgs_limit", 0,
          "updated", int(time.time()) - age)


def defer_keys(r):
    return [k for k in r.cmd("KEYS", PQ_PREFIX + "*") if ":defer:" in k]


def action(out):
    lines = [line for line in out.splitlines() if line.startswith("action=")]
    assert len(lines) == 1, out
    return lines[0]


def policy_full_mailbox(r, conf):
    quota(r, "full@example.org", 1000, 1000)
    rc, out, err = run([POLICYD, "-c", conf, "-T", "full@example.org",
                        "sender@example.com", "100", "client_address=192.0.2.1"])
    assert rc == 3, (rc, out, err)
    assert action(out).startswith("action=DEFER_IF_PERMIT 4.2.2 "), out
    assert field(out, "fullness") == "full", out
    assert "would record first deferral now" in out, out
    assert field(out, "days") == "left      5.0 before 550", out
    assert "bytes 1000/1000" in out, out
    assert defer_keys(r) == [], defer_keys(r)       # read-only
    # our own authenticated user: left to Postfix's queue (the default
    # authenticated_full_action = queue), no deferral
    rc, out, err = run([POLICYD, "-c", conf, "-T", "full@example.org",
                        "alice@example.org", "100", "sasl_username=alice"])
    assert (rc, action(out)) == (0, "action=DUNNO"), (rc, out, err)
    assert field(out, "route").startswith("queue: authenticated sender alice"), out
    assert "would record" not in out, out
    assert defer_keys(r) == [], defer_keys(r)
    # an attribute given is the request's: at DATA the daemon says DUNNO
    rc, out, err = run([POLICYD, "-c", conf, "-T", "full@example.org",
                        "sender@example.com", "100", "protocol_state=DATA"])
    assert (rc, action(out)) == (0, "action=DUNNO"), (rc, out, err)
    assert "only RCPT requests are judged" in out, out


def policy_deferred_long_enough(r, conf):
    quota(r, "old@example.org", 1000, 1000)
    ident = hashlib.sha256(b"sender@example.com\n100").hexdigest()[:32]
    key = "%sv1:defer:{old@example.org}:%s" % (PQ_PREFIX, ident)
    r.cmd("SET", key, int(time.time()) - 6 * 86400)
    rc, out, err = run([POLICYD, "-c", conf, "-T", "old@example.org",
                        "sender@example.com", "100", "--json"])
    assert rc == 1, (rc, out, err)
    doc = json.loads(out)
    assert doc["action"].startswith("550 5.2.2 "), doc
    assert doc["first_deferral"] < time.time() - 5 * 86400 and doc["days_left"] == 0, doc
    assert r.cmd("TTL", key) == -1, "the record was rewritten"
    r.cmd("DEL", key)


def policy_not_full(r, conf):
    quota(r, "roomy@example.org", 100, 1000)
    rc, out, err = run([POLICYD, "-c", conf, "-T", "roomy@example.org",
                        "sender@example.com", "100"])
    assert (rc, action(out)) == (0, "action=DUNNO"), (rc, out, err)
    assert field(out, "fullness") == "not_full", out
    # the same mailbox, a message that does not fit
    rc, out, err = run([POLICYD, "-c", conf, "-T", "roomy@example.org",
                        "sender@example.com", "901"])
    assert rc == 3 and field(out, "fullness") == "full", (rc, out)


def policy_stale_state(r, conf):
    quota(r, "stale@example.org", 1000, 1000, age=2 * 86400)
    rc, out, err = run([POLICYD, "-c", conf, "-T", "stale@example.org", "s@example.com"])
    assert (rc, action(out)) == (0, "action=DUNNO"), (rc, out, err)
    assert field(out, "fullness") == "stale_state", out
    assert "stale;" in field(out, "updated"), out


def policy_alias(r, conf):
    quota(r, "box@example.org", 1000, 1000)
    r.cmd("SADD", "%sv1:alias:{info@example.org}" % PQ_PREFIX, "box@example.org")
    rc, out, err = run([POLICYD, "-c", conf, "-T", "Info+news@Example.org",
                        "s@example.com", "--json"])
    assert rc == 3, (rc, out, err)
    doc = json.loads(out)
    assert doc["recipient"] == "info@example.org", doc
    assert (doc["alias_targets"], doc["alias_target"], doc["mailbox"]) == \
        (1, "box@example.org", "box@example.org"), doc
    assert doc["would_record_deferral"] is True, doc
    # an alias to several mailboxes: judged at delivery
    r.cmd("SADD", "%sv1:alias:{list@example.org}" % PQ_PREFIX, "a@example.org", "b@example.org")
    rc, out, err = run([POLICYD, "-c", conf, "-T", "list@example.org"])
    assert (rc, action(out)) == (0, "action=DUNNO"), (rc, out)
    assert "to 2 mailboxes" in field(out, "alias"), out


def policy_no_redis(r, conf):
    port = free_port()
    dunno = policy_conf("pq-down.conf", port)
    rc, out, err = run([POLICYD, "-c", dunno, "-T", "full@example.org"])
    assert (rc, action(out)) == (0, "action=DUNNO"), (rc, out, err)
    assert "Connection refused" in err and "redis_error_action" in err, err
    defer = policy_conf("pq-down-defer.conf", port, "redis_error_action = defer_if_permit\n")
    rc, out, err = run([POLICYD, "-c", defer, "-T", "full@example.org"])
    assert rc == 3, (rc, out, err)
    assert action(out).startswith("action=DEFER_IF_PERMIT 4.3.0 "), out
    assert "redis_error_action = defer_if_permit" in out, out


def policy_bad_input(r, conf):
    for argv, why in ((["a b@example.org"], "malformed recipient"),
                      (["alice"], "expected local@domain"),
                      (["a@example.org", "x y@z"], "malformed sender"),
                      (["a@example.org", "s@example.com", "12x"], "bad SIZE"),
                      (["a@example.org", "s@example.com", "1", "junk"], "NAME=VALUE")):
        rc, out, err = run([POLICYD, "-c", conf, "-T"] + argv)
        assert rc == 2 and why in err and out == "", (argv, rc, out, err)
    rc, out, err = run([POLICYD, "-c", conf, "-T"])
    assert rc == 2, (rc, err)


# --- -t --probe ---------------------------------------------------------------
def milter_probe_lists_bans(r, conf):
    run([CTL, "-c", conf, "ban", "add", "ext", ".iso", "1h"])
    run([CTL, "-c", conf, "ban", "add", "sha256", "a" * 64, "2h"])
    rc, out, err = run([MILTER, "-c", conf, "-t", "--probe"])
    assert rc == 0, (rc, out, err)
    assert "# redis: connected to 127.0.0.1:%d\n" % r.port in out, out
    assert "role master, version " in out and "PING " in out, out
    assert "# bans ext: 1 live, " in out and "#   ext .iso until " in out, out
    assert "#   sha256 %s until " % ("a" * 64) in out, out
    serial = r.cmd("GET", "mgoff:v1:{ban}:serial")
    assert "# bans: serial %s\n" % serial in out, (serial, out)
    run([CTL, "-c", conf, "ban", "del", "ext", ".iso"])
    run([CTL, "-c", conf, "ban", "del", "sha256", "a" * 64])
    rc, out, err = run([MILTER, "-c", conf, "-t", "--probe"])
    assert rc == 0 and "# bans ext: 0 live" in out, out
    rc, out, err = run([MILTER, "-c", conf, "-t", "--probe", "-q"])
    assert (rc, out, err) == (0, "", ""), (rc, out, err)


def milter_probe_redis_down(r, conf):
    down = milter_conf("probe-down.conf", free_port())
    rc, out, err = run([MILTER, "-c", down, "-t", "--probe"])
    assert rc == 3, (rc, out, err)
    assert "Redis is not usable" in err and "Connection refused" in err, err
    # without --probe the check does not connect
    rc, out, err = run([MILTER, "-c", down, "-t", "-q"])
    assert (rc, out, err) == (0, "", ""), (rc, out, err)


def policy_probe(r, conf):
    rc, out, err = run([POLICYD, "-c", conf, "-t", "--probe"])
    assert rc == 0, (rc, out, err)
    assert "# redis: SUBSCRIBE %sv1:quota-changed ok" % PQ_PREFIX in out, out
    n = len(r.cmd("KEYS", PQ_PREFIX + "v1:quota:*"))
    assert n >= 4 and "# quota states: %d published" % n in out, (n, out)
    down = policy_conf("pq-probe-down.conf", free_port())
    rc, out, err = run([POLICYD, "-c", down, "-t", "--probe", "-q"])
    assert rc == 3 and out == "" and "Redis is not usable" in err, (rc, out, err)


def probe_through_sentinel(r, conf):
    sentinel = Redis(monitor_port=r.port)
    try:
        dead = free_port()
        extra = ("redis_sentinels = 127.0.0.1:%d 127.0.0.1:%d\n"
                 "redis_sentinel_master = mailguard\n" % (dead, sentinel.port))
        want = "# redis: sentinel 127.0.0.1:%d named the master 127.0.0.1:%d" % (
            sentinel.port, r.port)
        rc, out, err = run([MILTER, "-c", milter_conf("ms.conf", 1, extra), "-t", "--probe"])
        assert rc == 0 and want in out, (rc, out, err)
        rc, out, err = run([POLICYD, "-c", policy_conf("ps.conf", 1, extra), "-t", "--probe"])
        assert rc == 0 and want in out, (rc, out, err)
        # a master name the sentinel does not monitor
        bad = extra.replace("= mailguard", "= nosuch")
        rc, out, err = run([POLICYD, "-c", policy_conf("ps-bad.conf", 1, bad), "-t", "--probe"])
        assert rc == 3 and 'no master named "nosuch"' in err, (rc, err)
    finally:
        sentinel.stop()


def main():
    r = Redis()
    checks = Checks()
    try:
        conf = milter_conf("milter.conf", r.port)
        for fn in (clean_accepted, nested_exe_rejected, rfc2231_name_decoded,
                   over_size_limit, size_counted_as_sent, stdin_same_as_file,
                   redis_ban_changes_iso_verdict,
                   carrier_through_inspector, nothing_written, redis_down, bad_input):
            checks.run(fn, r, conf)
        conf = policy_conf("policyd.conf", r.port)
        for fn in (policy_full_mailbox, policy_deferred_long_enough, policy_not_full,
                   policy_stale_state, policy_alias, policy_no_redis, policy_bad_input,
                   policy_probe):
            checks.run(fn, r, conf)
        conf = milter_conf("milter.conf", r.port)
        for fn in (milter_probe_lists_bans, milter_probe_redis_down,
                   probe_through_sentinel):
            checks.run(fn, r, conf)
    finally:
        r.stop()
        shutil.rmtree(TMP, ignore_errors=True)
    checks.finish()


if __name__ == "__main__":
    main()
