#!/usr/bin/env python3
"""milter-attach's inspector pool through the real stack (Postfix MX,
milter-attach with the helper built here): carriers made by the real tools
(genisoimage, 7z, zstd+tar) with x.exe inside are refused 550 naming it, a
harmless ISO passes, a 7z with encrypted names gets its own reply, and a
helper killed (SIGKILL) in the middle of a request costs that message
inspect_failed while the next messages are handled normally by the same
milter process."""
import os
import signal
import subprocess
import tempfile
import time
import uuid

from mgtest import Checks, stack_env
from test_milter_stack import ALICE, LOG, expect_accepted, expect_refused, msg_with

ENV = stack_env()
WORK = tempfile.mkdtemp(prefix="mg-inspect-")


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True, cwd=WORK,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read(name):
    with open(os.path.join(WORK, name), "rb") as f:
        return f.read()


def make_material():
    sh("mkdir -p bad good && head -c 4000 /dev/urandom > bad/x.exe && "
       "echo hello > bad/readme.txt && echo hello > good/readme.txt && "
       "genisoimage -quiet -J -R -o bad.iso bad && "
       "genisoimage -quiet -J -R -o good.iso good && "
       "(cd bad && 7z a -bd ../bad.7z x.exe readme.txt && "
       "7z a -bd -pX -mhe=on ../hidden.7z readme.txt) && "
       # 900 MiB of zeros before x.exe: the helper is busy for a while (a
       # member declared past 10 x inspect_max_bytes is a bomb, not listed)
       "truncate -s 900M zeros.bin && "
       "tar -cf - zeros.bin -C bad x.exe | zstd -q -1 -o slow.tar.zst && rm zeros.bin")


def milter_pid():
    with open(os.path.join(ENV["MG_STATE_DIR"], "milter-attach", "pid")) as f:
        return int(f.read().strip())


def helpers():
    """pids of the milter's children (its inspector helpers)"""
    parent, kids = milter_pid(), []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            kids.append(int(d))
    return kids


def busy_helper(timeout=60):
    """the helper holding a request's descriptor (fd 3), once one does"""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        for pid in helpers():
            if os.path.exists("/proc/%d/fd/3" % pid):
                return pid
        time.sleep(0.01)
    raise AssertionError("no helper got the request")


def iso_with_exe_refused():
    expect_refused(msg_with("Facture.iso", read("bad.iso")).as_bytes(), 550, "(extension .exe)")


def iso_renamed_refused():
    expect_refused(msg_with("photo.jpg", read("bad.iso")).as_bytes(), 550, "(extension .exe)")


def seven_zip_with_exe_refused():
    expect_refused(msg_with("docs.7z", read("bad.7z")).as_bytes(), 550, "x.exe")


def harmless_iso_accepted():
    expect_accepted(msg_with("docs.iso", read("good.iso")).as_bytes())


def encrypted_names_refused_with_their_reply():
    expect_refused(msg_with("secret.7z", read("hidden.7z")).as_bytes(), 550,
                   "noms de fichiers sont visibles")


def killed_helper_costs_one_message():
    pid = milter_pid()
    before = open(LOG, "rb").read().count(b"action=inspect status=failed")
    child = subprocess.Popen(
        ["python3", "-c",
         "import sys; sys.path.insert(0, %r)\n"
         "from test_milter_stack import expect_refused, msg_with\n"
         "expect_refused(msg_with('slow.tar.zst', open(%r, 'rb').read()).as_bytes(),"
         " 550, 'inspect_failed')" % (os.path.dirname(os.path.abspath(__file__)),
                                       os.path.join(WORK, "slow.tar.zst"))],
        env=dict(os.environ))
    victim = busy_helper()
    os.kill(victim, signal.SIGKILL)
    assert child.wait(timeout=120) == 0, "the message was not refused inspect_failed"
    log = open(LOG, "rb").read()
    assert log.count(b"action=inspect status=failed") == before + 1, "no failure line"
    assert b"detail=helper_died" in log, "failure line without detail=helper_died"
    # the same milter, a new helper, and the next messages as usual
    assert milter_pid() == pid, "milter-attach restarted"
    assert victim not in helpers(), "the killed helper is still there"
    assert len(helpers()) == 4, helpers()
    iso_with_exe_refused()
    harmless_iso_accepted()


def main():
    make_material()
    c = Checks()
    for fn in (iso_with_exe_refused, iso_renamed_refused, seven_zip_with_exe_refused,
               harmless_iso_accepted, encrypted_names_refused_with_their_reply,
               killed_helper_costs_one_message):
        c.run(fn)
    sh("rm -rf " + WORK)
    c.finish()


if __name__ == "__main__":
    main()
