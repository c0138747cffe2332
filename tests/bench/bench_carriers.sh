#!/usr/bin/env bash
# bench_carriers.sh BUILD_DIR [WORK_DIR] - the figures of issue 11 on demand:
#   1. tests/material/carriers.sh WORK_DIR --big (the corpus + a 9 MB ISO and 7z)
#   2. bench_scan's MB/s on messages carrying the 9 MB ISO, the 9 MB 7z and a 9 MB
#      non-carrier (random bytes, .pdf): without an inspector, with the inspector
#      in-process, and with milter-attach's pool (one sandboxed helper)
#   3. bench_carriers (libclamav vs libarchive), when it can be built
# Speed is printed, never asserted.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$(cd "${1:?usage: $0 BUILD_DIR [WORK_DIR]}" && pwd)
W=${2:-$(mktemp -d /var/tmp/mg-bench-carriers.XXXXXX)}
PY=$(command -v /usr/bin/python3 || command -v python3)
bash "$TOP/tests/material/carriers.sh" "$W" --big
# wrap FILE NAME OUT - a message with FILE attached (base64) as NAME
wrap() {
	"$PY" - "$@" <<'PYEOF'
import email.message, sys
m = email.message.EmailMessage()
m["From"], m["To"], m["Subject"] = "a@example.com", "b@example.com", "bench"
m.set_content("see attachment\n")
m.add_attachment(open(sys.argv[1], "rb").read(), maintype="application",
                 subtype="octet-stream", filename=sys.argv[2])
open(sys.argv[3], "wb").write(m.as_bytes(policy=m.policy.clone(linesep="\r\n")))
PYEOF
}
head -c $((9 * 1024 * 1024)) /dev/urandom >"$W/random.bin"
wrap "$W/bench_iso.iso" video.iso "$W/msg_iso.eml"
wrap "$W/bench_7z.7z" video.7z "$W/msg_7z.eml"
wrap "$W/random.bin" report.pdf "$W/msg_plain.eml"
M=("$W/msg_iso.eml" "$W/msg_7z.eml" "$W/msg_plain.eml")
echo "== bench_scan, no inspector (today's walker)"
"$B/tests/bench/bench_scan" -n 5 "${M[@]}"
echo "== bench_scan, inspector in-process (inspect_workers = 0)"
"$B/tests/bench/bench_scan" -n 5 -i - "${M[@]}"
echo "== bench_scan, inspector pool (one milter-attach-inspect helper)"
"$B/tests/bench/bench_scan" -n 5 -i "$B/milter-attach/inspect/milter-attach-inspect" "${M[@]}"
"$B/tests/bench/bench_scan" -v -i "$B/milter-attach/inspect/milter-attach-inspect" "${M[@]}" |
	grep -E 'carrier|anomalies' | grep -iE 'facture|anomalies' || true
if cmake --build "$B" --target bench_carriers >/dev/null 2>&1; then
	echo "== libclamav vs libarchive (bench_carriers)"
	"$B/tests/bench/bench_carriers" -n 10 "$TOP/tests/material/manifest.tsv" "$W"
else
	echo "bench_carriers: not built (libclamav-dev or libarchive-dev missing)"
fi
