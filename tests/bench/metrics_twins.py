#!/usr/bin/env python3
"""metrics_twins.py - the cost of metrics: one daemon twice, metrics off
and on, in the same run

Both twins are started by the bench from the stack's own configuration of
the daemon (so they do what the stack's does), each with its own listen
address; the "on" twin also has metrics_listen on a free loopback port
and is scraped once per second (GET /metrics, as Prometheus would) for
the whole run.  Used by bench_milter_stack.py --metrics (as a module) and
by bench_policy.sh with MG_BENCH_METRICS=1:

    metrics_twins.py policy SECONDS RCPT...

which alternates policy_load runs (1, 16 and 64 connections) between the
twins, rounds in both orders, and prints requests/s and the on/off ratio.
Speed is measured, never asserted; everything is stopped by pid."""
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mgtest import stack_env  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def conf_with(path, overrides):
    """the configuration at path with the keys of overrides replaced
    (a setting line and its continuation lines dropped, ours appended)"""
    out, drop = [], False
    with open(path) as f:
        for line in f:
            if line.strip() == "" or line.lstrip().startswith("#"):
                out.append(line)
                continue
            if not line[0].isspace():
                drop = line.split("=", 1)[0].strip() in overrides
            if not drop:
                out.append(line)
    out += ["%s = %s\n" % kv for kv in overrides.items()]
    return "".join(out)


class Scraper(threading.Thread):
    """GET /metrics once per second until stopped; counts the scrapes"""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.scrapes = port, threading.Event(), 0

    def run(self):
        while not self.stop.wait(1.0):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                c.request("GET", "/metrics")
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    self.scrapes += 1
            except OSError:
                pass
            finally:
                c.close()


class Twins:
    """name (milter-attach, policyd-quota) twice: listen_for(twin) gives
    each its listen value; on exit both are stopped by pid"""

    def __init__(self, name, listen_for):
        env = stack_env()
        self.dir = os.path.join(env["MG_STATE_DIR"], "bench-metrics-" + name)
        build = env.get("MG_BUILD_DIR", "build")
        stack_conf = os.path.join(env["MG_STATE_DIR"], name, name + ".conf")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.metrics_port = free_port()
        self.procs, self.listen = {}, {}
        for twin in ("off", "on"):
            self.listen[twin] = listen_for(twin, self.dir)
            over = {"listen": self.listen[twin], "metrics_listen": "", "metrics_textfile": ""}
            if twin == "on":
                over["metrics_listen"] = "127.0.0.1:%d" % self.metrics_port
            conf = os.path.join(self.dir, "%s-%s.conf" % (name, twin))
            with open(conf, "w") as f:
                f.write(conf_with(stack_conf, over))
            log = open(os.path.join(self.dir, "%s-%s.log" % (name, twin)), "w")
            self.procs[twin] = subprocess.Popen(
                [os.path.join(build, name, name), "-c", conf, "-f"],
                stdout=subprocess.DEVNULL, stderr=log)
        self.scraper = Scraper(self.metrics_port)

    def __enter__(self):
        self.scraper.start()
        return self

    def __exit__(self, *exc):
        self.scraper.stop.set()
        self.scraper.join()
        for p in self.procs.values():
            p.terminate()
            p.wait()


def proc_cpu(pid):
    """CPU seconds (user + system) a process has used"""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_tcp(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nothing listens on port %d" % port)


def policy(seconds, rcpts):
    build = stack_env().get("MG_BUILD_DIR", "build")
    ports = {"off": free_port(), "on": free_port()}
    rounds = 4
    with Twins("policyd-quota",
               lambda twin, d: "inet:127.0.0.1:%d" % ports[twin]) as t:
        for twin in ports:
            wait_tcp(ports[twin])
        wait_tcp(t.metrics_port)
        print("%-6s %6s %10s %9s %12s" % ("twin", "conns", "req/s", "p99_us", "cpu_us/req"))
        for c in (1, 16, 64):
            rps = {"off": [], "on": []}
            cpu = {"off": [], "on": []}
            for r in range(rounds):
                for twin in (("off", "on") if r % 2 == 0 else ("on", "off")):
                    c0 = proc_cpu(t.procs[twin].pid)
                    out = subprocess.run(
                        [os.path.join(build, "tests", "bench", "policy_load"),
                         "127.0.0.1:%d" % ports[twin], str(c), str(seconds)] + rcpts,
                        check=True, capture_output=True, text=True).stdout
                    f = dict(kv.split("=") for kv in out.split() if "=" in kv)
                    rps[twin].append(int(f["rps"]))
                    # the daemon's own CPU (event loop + Redis threads) per request
                    cpu[twin].append((proc_cpu(t.procs[twin].pid) - c0) * 1e6
                                     / max(1, int(f["rps"]) * seconds))
                    print("%-6s %6d %10s %9s %12.1f" % (twin, c, f["rps"], f["p99_us"],
                                                       cpu[twin][-1]))
            off, on = (sum(rps[x]) / len(rps[x]) for x in ("off", "on"))
            coff, con = (sum(cpu[x]) / len(cpu[x]) for x in ("off", "on"))
            print("conns=%d metrics on/off: throughput %.3f (cost %.1f%%), "
                  "CPU per request %.3f" % (c, on / off, (1 - on / off) * 100, con / coff))
        print("scrapes of the \"on\" twin during the run: %d" % t.scraper.scrapes)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "policy":
        raise SystemExit("usage: metrics_twins.py policy SECONDS RCPT...")
    policy(int(sys.argv[2]), sys.argv[3:])
