"""test_cluster - the multi-host cluster (deploy/cluster), issue 14.

Run by test_cluster.sh inside the cluster's client namespace (the
Internet, as the MX see it), with the cluster's addresses in the
environment (deploy/cluster env).  Real Postfix, Dovecot, Redis and
Sentinel on their own hosts:

  routing         mail for a mailbox of imap1 and one of imap2, through
                  each MX, lands once on the right host and not the other
  banned          a banned attachment is refused (550) by both MX
  full            a full mailbox of imap1, published by imap1's plugin,
                  is deferred (450 4.2.2) by both MX's policyd-quota
  failover        under one steady bounded load (clean mail, banned
                  attachments, mail for the full mailbox, both MX): the
                  Redis master is killed (and restarted: it comes back as
                  the replica), then mx1 is cut from Redis and the
                  sentinels and healed, then a sentinel is restarted, then
                  the master and mx1 are cut from the rest (split brain)
                  and healed;
                  the time from each event to the first correct answer of
                  each component is printed; afterwards every accepted
                  clean message was delivered exactly once, nothing clean
                  got a 5xx, no banned attachment got through, a
                  mailbox that crossed 90 % while Redis took no writes
                  got one warning (not lost, not doubled), and what
                  was accepted for the full mailbox waits in Postfix's
                  queue
"""
import json
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgtest  # noqa: E402

E = os.environ
DOMAIN = E["MG_CLUSTER_DOMAIN"]
ALICE = "alice@" + DOMAIN          # on imap1
BOB = "bob@" + DOMAIN              # on imap2
SMALL = "small@" + DOMAIN          # on imap1, 1 MiB
SMALLSMTP = "smallsmtp@" + DOMAIN  # on imap2, 1 MiB, notices through mx2
HOME = {ALICE: "IMAP1", BOB: "IMAP2", SMALL: "IMAP1"}
MXS = ("MX1", "MX2")
SENTINELS = E["MG_CLUSTER_SENTINELS"].split()
LOAD_SECONDS = 75                  # steady load, bounded
LOAD_INTERVAL = 0.25               # one message every 0.25 s, both MX in turn
KILL_AFTER = 6                     # seconds of load before the master dies
PARTITION_SECONDS = 8              # mx1 cut from Redis


def imap_env(host):
    """what mgtest's helpers need to reach one IMAP host"""
    return {"MG_LMTP": E["MG_CLUSTER_%s_LMTP" % host],
            "MG_IMAP": E["MG_CLUSTER_%s_IMAP" % host],
            "MG_DOVECOT_CONF": E["MG_CLUSTER_%s_DOVECOT_CONF" % host],
            "MG_PASSWORD": E["MG_CLUSTER_PASSWORD"],
            "MG_REDIS": master()}


def redis_at(addr, *args):
    return mgtest.redis({"MG_REDIS": addr}, *args)


def redis_retry(addr, *args, timeout=30):
    """a command that the new master may refuse (READONLY) for a moment
    after the sentinels named it"""
    deadline = time.time() + timeout
    while True:
        try:
            return redis_at(addr, *args)
        except (OSError, RuntimeError):
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def master():
    """host:port of the master the sentinels name now (the first that answers)"""
    for s in SENTINELS:
        try:
            host, port = redis_at(s, "SENTINEL", "get-master-addr-by-name", "mailguard")
            return "%s:%s" % (host, port)
        except (OSError, RuntimeError, TypeError, ValueError):
            continue
    raise AssertionError("no sentinel answers")


def token_files(host, token):
    """message files of host's mailboxes containing token"""
    found = []
    for root, _dirs, files in os.walk(E["MG_CLUSTER_%s_MAIL_DIR" % host]):
        if os.path.basename(root) not in ("new", "cur"):
            continue
        for f in files:
            p = os.path.join(root, f)
            try:
                with open(p, "rb") as fh:
                    if token.encode() in fh.read():
                        found.append(p)
            except FileNotFoundError:     # moved new/ -> cur/ meanwhile
                pass
    return found


def delivered(token):
    """{host: number of copies} of the message carrying token"""
    return {h: len(token_files(h, token)) for h in ("IMAP1", "IMAP2")}


def clean_message(rcpt, token):
    # the token in the body only: a notice about a refused message may quote
    # its subject, never its body
    return mgtest.make_message("sender@example.com", rcpt, subject="cluster load",
                               body="token %s\n" % token)


def attached(rcpt, token, filename):
    m = clean_message(rcpt, token)
    m.add_attachment(b"MZ harmless bytes", maintype="application",
                     subtype="octet-stream", filename=filename)
    return m


def send(mx, rcpt, msg):
    """(code, text) of the SMTP transaction: 250 when accepted"""
    try:
        mgtest.smtp_send(E["MG_CLUSTER_%s_SMTP" % mx], "sender@example.com", [rcpt], msg)
        return 250, b"ok"
    except smtplib.SMTPRecipientsRefused as e:
        code, text = list(e.recipients.values())[0]
        return code, text
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, e.smtp_error
    except (OSError, smtplib.SMTPException) as e:
        return 0, str(e).encode()


def wait_delivered(token, host, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = delivered(token)
        if got[host] >= 1:
            return got
        time.sleep(0.3)
    return delivered(token)


def queue_recipients(mx):
    """the recipients of the messages in mx's Postfix queue"""
    # in the MX's namespace: Postfix checks inet_interfaces
    out = subprocess.run(["ip", "netns", "exec", E["MG_CLUSTER_%s_NETNS" % mx], "postqueue",
                          "-c", E["MG_CLUSTER_%s_POSTFIX_CONFIG_DIR" % mx], "-j"],
                         check=True, capture_output=True, text=True).stdout
    rcpts = []
    for line in out.splitlines():
        rcpts += [r["address"] for r in json.loads(line)["recipients"]]
    return rcpts


# ---- checks ------------------------------------------------------------------

def routing_each_mx_delivers_to_the_right_host():
    for mx in MXS:
        for rcpt in (ALICE, BOB):
            token = uuid.uuid4().hex
            code, text = send(mx, rcpt, clean_message(rcpt, token))
            assert code == 250, (mx, rcpt, code, text)
            got = wait_delivered(token, HOME[rcpt])
            other = "IMAP2" if HOME[rcpt] == "IMAP1" else "IMAP1"
            assert got[HOME[rcpt]] == 1 and got[other] == 0, (mx, rcpt, got)


def banned_attachment_refused_by_both_mx():
    for mx in MXS:
        token = uuid.uuid4().hex
        code, text = send(mx, BOB, attached(BOB, token, "facture.exe"))
        assert code == 550 and b"facture.exe" in text, (mx, code, text)
        assert delivered(token) == {"IMAP1": 0, "IMAP2": 0}, (mx, delivered(token))


FULL_ANSWER = {}


def full_mailbox_deferred_by_both_mx():
    """small@ (imap1) filled through imap1's LMTP: its plugin publishes the
    state in Redis, and both MX's policyd-quota read it from there"""
    mgtest.fill_mailbox(imap_env("IMAP1"), SMALL)
    for mx in MXS:
        code, text = send(mx, SMALL, clean_message(SMALL, uuid.uuid4().hex))
        assert code == 450 and text.startswith(b"4.2.2"), (mx, code, text)
        ans = mgtest.policy_ask(E["MG_CLUSTER_%s_POLICY" % mx], SMALL, size=1000)
        assert not ans.startswith("action=DUNNO"), (mx, ans)
        FULL_ANSWER[mx] = ans.split()[0]


# ---- failover under load -------------------------------------------------------

class Load(threading.Thread):
    """a steady stream: clean mail for alice and bob, banned attachments,
    mail for the full small@; both MX in turn; every outcome recorded"""
    KINDS = (("clean", ALICE), ("clean", BOB), ("banned", ALICE),
             ("clean", BOB), ("full", SMALL), ("clean", ALICE))

    def __init__(self, seconds):
        super().__init__(daemon=True)
        self.seconds = seconds
        self.results = []          # (t, kind, mx, rcpt, token, code, text)

    def run(self):
        end = time.time() + self.seconds
        n = 0
        while time.time() < end:
            kind, rcpt = self.KINDS[n % len(self.KINDS)]
            mx = MXS[n % 2]
            token = uuid.uuid4().hex
            msg = attached(rcpt, token, "x%d.exe" % n) if kind == "banned" \
                else clean_message(rcpt, token)
            t = time.time()
            code, text = send(mx, rcpt, msg)
            self.results.append((t, kind, mx, rcpt, token, code, text))
            n += 1
            time.sleep(max(0.0, t + LOAD_INTERVAL - time.time()))


def first_time(t0, fn, timeout=60, step=0.1):
    """seconds from t0 until fn() is true (None: not within timeout)"""
    deadline = t0 + timeout
    while time.time() < deadline:
        try:
            if fn():
                return time.time() - t0
        except (OSError, RuntimeError, AssertionError, smtplib.SMTPException):
            pass
        time.sleep(step)
    return None


def full_probe(addr):
    """a full mailbox that exists only in the master at addr from now on, as
    the plugin would publish it (never asked before: nothing cached)"""
    mb = "probe-%s@%s" % (uuid.uuid4().hex[:8], DOMAIN)
    redis_retry(addr, "HSET", "mg:v1:quota:{%s}" % mb, "bytes", 2000000,
                "bytes_limit", 1000000, "msgs", 1, "msgs_limit", 0,
                "updated", int(time.time()))
    return mb


def ban_probe(addr):
    """an extension banned in the master at addr from now on"""
    ext = ".mgp%s" % uuid.uuid4().hex[:5]
    redis_retry(addr, "ZADD", "mg:v1:{ban}:ext", int(time.time()) + 3600, ext)
    redis_retry(addr, "INCR", "mg:v1:{ban}:serial")
    return ext


class Probes:
    """the time from an event (t0) to the first correct answer of each
    component, each measured in a thread of its own at the same time"""

    def __init__(self, event):
        self.event = event
        self.t0 = time.time()
        self.times = {}
        self.threads = []

    def add(self, what, fn, step=0.1):
        def run():
            self.times[what] = first_time(self.t0, fn, step=step)
        th = threading.Thread(target=run, daemon=True)
        th.start()
        self.threads.append(th)

    def policyd(self, addr, mxs, mb=None):
        """mb: a full mailbox written in the master at addr (default: now)"""
        mb = mb or full_probe(addr)
        for mx in mxs:
            self.add("policyd-quota %s (new state read)" % mx.lower(),
                     lambda mx=mx: mgtest.policy_ask(E["MG_CLUSTER_%s_POLICY" % mx], mb,
                                                     size=1000).split()[0] == FULL_ANSWER[mx])

    def milter(self, addr, mxs, ext=None):
        """ext: a ban written in the master at addr (default: now)"""
        ext = ext or ban_probe(addr)
        for mx in mxs:
            self.add("milter-attach %s (new ban applied)" % mx.lower(),
                     lambda mx=mx: send(mx, BOB, attached(BOB, uuid.uuid4().hex,
                                                          "p" + ext))[0] == 550, step=0.3)

    def finish(self):
        for th in self.threads:
            th.join(70)
        for what, secs in sorted(self.times.items()):
            print("  %s: %-42s %s" % (self.event, what,
                                      "%.1f s" % secs if secs is not None else "NOT within 60 s"))
        sys.stdout.flush()
        assert all(v is not None for v in self.times.values()), self.times


LOAD = Load(LOAD_SECONDS)
NEW_MASTER = E["MG_CLUSTER_REDIS2_REDIS"]


def failover_master_killed_under_load():
    """SIGKILL to the Redis master; the sentinels promote the replica and
    every component follows"""
    assert master() == E["MG_CLUSTER_REDIS1_REDIS"], master()
    pid = int(open(os.path.join(E["MG_CLUSTER_STATE_DIR"], "redis1/redis/pid")).read())
    keys = {"IMAP1": "mg:v1:quota:{%s}" % ALICE, "IMAP2": "mg:v1:quota:{%s}" % BOB}
    LOAD.start()
    time.sleep(KILL_AFTER)
    before = {h: redis_at(NEW_MASTER, "HGET", k, "updated") for h, k in keys.items()}
    os.kill(pid, signal.SIGKILL)
    # smallsmtp@ crosses 90 % while the master is gone
    filler = threading.Thread(target=fill_past_90, args=(SMALLSMTP, "IMAP2"), daemon=True)
    filler.start()
    p = Probes("master killed")
    p.add("sentinel (new master named)", lambda: master() == NEW_MASTER)
    # the new master refuses writes without a replica (min-replicas-to-write):
    # the old one comes back, and the sentinels make it the replica
    assert first_time(p.t0, lambda: master() == NEW_MASTER) is not None, "no failover"
    cluster("start", "redis1")
    p.add("redis1 (restarted, replica of the new master)",
          lambda: role(E["MG_CLUSTER_REDIS1_REDIS"]) == ("slave", NEW_MASTER))
    p.policyd(NEW_MASTER, MXS)
    p.milter(NEW_MASTER, MXS)
    # the plugin: a publish of each IMAP host (load deliveries) reaching the
    # new master (its "updated" field is in whole seconds)
    for host, key in keys.items():
        p.add("quota_warn %s (publish on new master)" % host.lower(),
              lambda key=key, host=host: redis_at(NEW_MASTER, "HGET", key, "updated")
              != before[host] and int(redis_at(NEW_MASTER, "HGET", key, "updated")) >= int(p.t0))
    p.finish()
    filler.join(60)
    assert CROSSED, "smallsmtp@ did not cross 90 %"


CROSSED = []


def fill_past_90(user, host):
    """LMTP deliveries until Dovecot counts user at 90 % or more, under 100 %"""
    env = imap_env(host)
    for n in range(30):
        used, limit = mgtest.doveadm_quota(env, user)["STORAGE"]
        if used * 100 >= 90 * limit:
            CROSSED.append(time.time())
            return
        kib = max(1, min(150, limit * 95 // 100 - used))
        m = mgtest.make_message("sender@example.com", user, subject="filler %d" % n,
                                body=("y" * 76 + "\n") * (kib * 1024 // 77))
        with smtplib.LMTP(*mgtest.hostport(env["MG_LMTP"]), timeout=30) as lmtp:
            lmtp.sendmail("sender@example.com", [user], m.as_bytes())


def one_warning_at_90_across_the_failover():
    """the 90 % crossing happened while Redis took no writes (no claim
    possible): the warning is not lost (the next publish claims it, the
    decision compares the level with the claims) and not doubled"""
    env = imap_env("IMAP2")
    t0 = time.time()
    # a delivery: the plugin publishes and decides again
    with smtplib.LMTP(*mgtest.hostport(env["MG_LMTP"]), timeout=30) as lmtp:
        lmtp.sendmail("sender@example.com", [SMALLSMTP],
                      clean_message(SMALLSMTP, uuid.uuid4().hex).as_bytes())
    mgtest.imap_wait_header(env, SMALLSMTP, "X-Quota-Warning", "90", timeout=60)
    print("  warning: smallsmtp@'s 90 %% notice in its INBOX %.1f s after the crossing "
          "(%.1f s after the next delivery)" % (time.time() - CROSSED[0], time.time() - t0))
    time.sleep(3)
    n = mgtest.imap_count(env, SMALLSMTP, "X-Quota-Warning", "90")
    assert n == 1, "%d warnings at 90 %%" % n
    claims = redis_at(master(), "HGETALL", "mg:v1:warn:{%s}" % SMALLSMTP)
    assert "90" in claims[::2], claims


def cut(side_a, side_b, on):
    """the hosts of side_a cut from those of side_b, or healed: blackhole
    routes in each one's namespace (packets dropped, connections time
    out); iproute2 only, nothing outside the cluster's namespaces"""
    for here, there in ((side_a, side_b), (side_b, side_a)):
        for h in here:
            for o in there:
                subprocess.run(["ip", "-n", E["MG_CLUSTER_%s_NETNS" % h], "route",
                                "add" if on else "del", "blackhole",
                                E["MG_CLUSTER_%s_ADDR" % o] + "/32"], check=True)


REDIS_SIDE = ("REDIS1", "REDIS2", "SENTINEL1", "SENTINEL2", "SENTINEL3")


def partition(mx, on):
    """mx cut from Redis and the sentinels, or healed"""
    cut((mx,), REDIS_SIDE, on)


def cluster(*args):
    subprocess.run([os.path.join(mgtest.TOP, "deploy", "cluster")] + list(args), check=True,
                   stdout=subprocess.DEVNULL)


def role(addr):
    """("master", "") or ("slave", "host:port of its master")"""
    r = redis_at(addr, "ROLE")
    return (r[0], "") if r[0] == "master" else (r[0], "%s:%s" % (r[1], r[2]))


def partition_mx1_from_redis_under_load():
    """mx1 loses Redis for PARTITION_SECONDS while the load goes on (its
    policyd answers redis_error_action, its milter keeps the bans it
    knows); state written meanwhile is read once healed"""
    partition("MX1", True)
    try:
        time.sleep(PARTITION_SECONDS / 2)
        # while cut: mx1 still answers (the load's checks say how), mx2
        # reads a state written now
        p = Probes("mx1 partitioned")
        p.policyd(NEW_MASTER, ("MX2",))
        p.finish()
        # written while cut: mx1 can see them only once healed
        mb, ext = full_probe(NEW_MASTER), ban_probe(NEW_MASTER)
        # the cut holds: mx1's policyd cannot read the new state (it answers
        # with redis_error_action), its milter does not know the new ban
        ans = mgtest.policy_ask(E["MG_CLUSTER_MX1_POLICY"], mb, size=1000)
        assert ans.split()[0] != FULL_ANSWER["MX1"], ("mx1 reads Redis while cut", ans)
        code, text = send("MX1", BOB, attached(BOB, uuid.uuid4().hex, "p" + ext))
        assert code != 550, ("mx1's milter saw a ban made while cut", code, text)
        time.sleep(PARTITION_SECONDS / 2)
    finally:
        partition("MX1", False)
    p = Probes("mx1 healed")
    p.policyd(NEW_MASTER, ("MX1",), mb)
    p.milter(NEW_MASTER, ("MX1",), ext)
    p.finish()


def sentinel_restarted_under_load():
    """sentinel1 killed and started again with the file it rewrote: it
    names the new master and sees the two other sentinels again"""
    d = os.path.join(E["MG_CLUSTER_STATE_DIR"], "sentinel1")
    pid = int(open(os.path.join(d, "pid")).read())
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 10
    while os.path.exists("/proc/%d" % pid):
        assert time.time() < deadline, "sentinel1 does not stop"
        time.sleep(0.1)
    addr = E["MG_CLUSTER_SENTINEL1_SENTINEL"]
    p = Probes("sentinel1 restarted")
    cluster("start", "sentinel1")

    def knows():
        host, port = redis_at(addr, "SENTINEL", "get-master-addr-by-name", "mailguard")
        info = redis_at(addr, "SENTINEL", "master", "mailguard")
        others = dict(zip(info[::2], info[1::2]))["num-other-sentinels"]
        return "%s:%s" % (host, port) == NEW_MASTER and others == "2"
    p.add("sentinel1 (names the master, sees 2 others)", knows)
    p.finish()


def split_brain_old_master_with_mx1():
    """the master (redis2 now) and mx1 cut from the replica, the sentinels
    and mx2 (the IMAP hosts and the client see both sides): the sentinels
    promote redis1.  With min-replicas-to-write 1 and one replica, neither
    side takes writes while cut (the old master after min-replicas-max-lag,
    3 s; the new one has no replica), so no write is thrown away when the
    old master is demoted.  Healed, the old master becomes redis1's
    replica, writes resume, and both MX read what is written then"""
    old, new = NEW_MASTER, E["MG_CLUSTER_REDIS1_REDIS"]
    assert master() == old and role(new) == ("slave", old), (master(), role(new))
    side_a = ("REDIS2", "MX1")
    side_b = ("REDIS1", "SENTINEL1", "SENTINEL2", "SENTINEL3", "MX2")
    cut(side_a, side_b, True)
    try:
        p = Probes("split brain")
        p.add("sentinel (redis1 promoted)", lambda: master() == new)
        p.add("old master (refuses writes)", lambda: refuses_writes(old))
        p.finish()
        time.sleep(1)
        assert refuses_writes(old), "the old master takes writes while cut"
        assert refuses_writes(new), "the new master takes writes without a replica"
    finally:
        cut(side_a, side_b, False)
    p = Probes("split brain healed")
    p.add("old master (replica of redis1)", lambda: role(old) == ("slave", new))
    p.add("new master (takes writes)", lambda: not refuses_writes(new))
    p.finish()
    p = Probes("split brain healed, then written")
    p.policyd(new, MXS)
    p.milter(new, ("MX1",))
    p.finish()


def refuses_writes(addr):
    try:
        redis_at(addr, "SET", "mgtest:split-brain", str(time.time()))
    except RuntimeError as e:
        return "NOREPLICAS" in str(e)
    return False


def load_outcome():
    """what the load got through the three events"""
    LOAD.join(LOAD_SECONDS + 60)
    assert not LOAD.is_alive(), "load generator stuck"
    # the queues drain, except mail for the full small@ (Postfix keeps it:
    # Dovecot answers 452, the charter's queue)
    deadline = time.time() + 120
    while True:
        queued = queue_recipients("MX1") + queue_recipients("MX2")
        if all(r == SMALL for r in queued):
            break
        assert time.time() < deadline, "queues do not drain: %s" % queued
        time.sleep(1)
    res = LOAD.results
    clean = [r for r in res if r[1] == "clean"]
    banned = [r for r in res if r[1] == "banned"]
    full = [r for r in res if r[1] == "full"]
    accepted_full = sum(1 for r in full if r[5] == 250)
    print("  load: %d messages in %d s: clean %d (250: %d, 4xx: %d, 5xx: %d, other: %d), "
          "banned %d (550: %d, 4xx: %d), full %d (4xx: %d, accepted and queued: %d)" % (
              len(res), LOAD_SECONDS, len(clean),
              sum(r[5] == 250 for r in clean), sum(400 <= r[5] < 500 for r in clean),
              sum(500 <= r[5] < 600 for r in clean), sum(r[5] < 400 and r[5] != 250 for r in clean),
              len(banned), sum(r[5] == 550 for r in banned),
              sum(400 <= r[5] < 500 for r in banned),
              len(full), sum(400 <= r[5] < 500 for r in full), accepted_full))
    bad = [r for r in clean if 500 <= r[5] < 600]
    assert not bad, "clean mail got a 5xx: %s" % [(r[2], r[3], r[5], r[6]) for r in bad[:5]]
    assert sum(r[5] == 250 for r in clean) >= len(clean) * 0.8, "too few clean accepted"
    for r in clean:
        if r[5] != 250:
            continue
        got = delivered(r[4])
        other = "IMAP2" if HOME[r[3]] == "IMAP1" else "IMAP1"
        assert got[HOME[r[3]]] == 1 and got[other] == 0, ("not exactly once", r[2], r[3], got)
    for r in banned:
        assert r[5] != 250, ("banned attachment accepted", r)
        assert delivered(r[4]) == {"IMAP1": 0, "IMAP2": 0}, r
    for r in full:
        assert delivered(r[4]) == {"IMAP1": 0, "IMAP2": 0}, ("full mailbox got mail", r)
    queued_small = sum(1 for r in queue_recipients("MX1") + queue_recipients("MX2") if r == SMALL)
    assert queued_small == accepted_full, (queued_small, accepted_full)


def freed_mailbox_no_longer_deferred_after_the_events():
    """small@ emptied over IMAP on imap1 after all the events: its plugin
    publishes, and each policyd-quota stops deferring it: at once if its
    subscription to quota-changed followed the failovers, else when its
    cache entry expires (cache_ttl, 30 s, the documented bound on stale
    state).  Printed; the limit here is only a liveness bound"""
    env = imap_env("IMAP1")
    mgtest.imap_expunge_all(env, SMALL)
    p = Probes("small@ freed")
    for mx in MXS:
        p.add("policyd-quota %s (stops deferring)" % mx.lower(),
              lambda mx=mx: mgtest.policy_ask(E["MG_CLUSTER_%s_POLICY" % mx], SMALL,
                                              size=1000).startswith("action=DUNNO"))
    p.finish()
    # the bound: cache_ttl (30 s) after the plugin's publish, which waits
    # up to quota_warn_flush_delay (1 s); 1 s more for the probes' polling
    stale = {w: t for w, t in p.times.items() if t is not None and t > 32}
    assert not stale, "deferred on stale state beyond cache_ttl (30 s): %s" % stale


def main():
    c = mgtest.Checks()
    c.run(routing_each_mx_delivers_to_the_right_host)
    c.run(banned_attachment_refused_by_both_mx)
    c.run(full_mailbox_deferred_by_both_mx)
    if FULL_ANSWER:
        # one steady load through three events, then its outcome
        c.run(failover_master_killed_under_load)
        if CROSSED:
            c.run(one_warning_at_90_across_the_failover)
        c.run(partition_mx1_from_redis_under_load)
        c.run(sentinel_restarted_under_load)
        c.run(split_brain_old_master_with_mx1)
        if LOAD.is_alive() or LOAD.results:
            c.run(load_outcome)
            c.run(freed_mailbox_no_longer_deferred_after_the_events)
    else:
        print("FAIL failover: not run (the full-mailbox answer is unknown)")
        c.failed += 1
    c.finish()


if __name__ == "__main__":
    main()
