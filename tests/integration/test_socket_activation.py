"""test_socket_activation - policyd-quota started the way policyd-quota.socket
starts it: systemd-socket-activate (from the systemd package) opens the
listening socket, blocking as systemd hands it over unless the unit says
NonBlocking=yes, and passes it as fd 3 (LISTEN_FDS=1).

The daemon's event loop accepts until EAGAIN: on a blocking socket it used
to hang in accept4() after the first connection, answering nothing, and
Postfix let mail for full mailboxes through after its policy timeout.
Checks: several clients, one after the other and at the same time, all get
their answer within a second; the daemon stops on SIGTERM.

Usage: test_socket_activation.py BUILD_DIR
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from mgtest import free_port, policy_ask

BUILD = sys.argv[1]
BINARY = os.path.join(BUILD, "policyd-quota", "policyd-quota")


def policy(port, rcpt):
    return policy_ask("127.0.0.1:%d" % port, rcpt, size=10, timeout=1)


def wait_listening(port, proc, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, "the activator exited: %s" % proc.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on %d" % port)


def main():
    port, redis_port = free_port(), free_port()      # no Redis there
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        # the listen setting is ignored when systemd passes sockets
        f.write("listen = inet:127.0.0.1:1\nredis_server = 127.0.0.1:%d\n"
                "lookup_timeout = 100ms\nredis_error_action = dunno\n" % redis_port)
        conf = f.name
    os.chmod(conf, 0o644)
    proc = subprocess.Popen(["systemd-socket-activate", "-l", "127.0.0.1:%d" % port,
                             BINARY, "-c", conf, "-f"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    failed = 0
    try:
        wait_listening(port, proc)
        # one after the other: each gets its answer in time
        for n in range(5):
            t0 = time.time()
            ans = policy(port, "r%d@example.org" % n)
            assert ans == "action=DUNNO", ans
            assert time.time() - t0 < 1.0, time.time() - t0
        print("ok   five clients in turn answered")
        # at the same time
        answers, errors = [], []

        def one(n):
            try:
                answers.append(policy(port, "c%d@example.org" % n))
            except Exception as e:          # noqa: BLE001 - reported below
                errors.append(repr(e))
        threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert not errors and answers == ["action=DUNNO"] * 8, (answers, errors)
        print("ok   eight clients at once answered")
    except (AssertionError, OSError) as e:
        print("FAIL %r" % e)
        failed = 1
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            err = proc.communicate(timeout=10)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            err = proc.communicate()[1]
            print("FAIL policyd-quota did not stop on SIGTERM")
            failed = 1
        os.unlink(conf)
    if "using 1 socket(s) from systemd" not in err:
        print("FAIL the socket from systemd was not used:\n" + err)
        failed = 1
    else:
        print("ok   the socket came from the activator")
    sys.exit(failed)


if __name__ == "__main__":
    main()
