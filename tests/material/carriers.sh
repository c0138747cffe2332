#!/usr/bin/env bash
# carriers.sh OUT_DIR [--big] - build the carrier corpus of issue 11 with the real tools.
#
# Every hostile carrier hides a file Windows runs with a double-click (Facture.exe,
# .scr, .vbs) whose CONTENT is plain text: a refusal can only come from its name.
# Harmless twins hide notes.txt.  tests/material/manifest.tsv says, per file, the
# expected verdict, the name that must be seen and the expected anomaly; a row whose
# tool is missing is skipped with a message (its file is then absent and the tests
# that read the manifest skip it).  Each RAR is checked with lsar, bsdtar and 7z.
# --big also writes the 9 MB ISO and 7z of the benchmarks (bench_iso.iso, bench_7z.7z).
# Output is stable for a given tool set (fixed times, SOURCE_DATE_EPOCH); < 60 s.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [--big]" >&2; exit 2; }
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
BIG=${2:-}
PY=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
TOOLS="$PY $HERE/carrier_tools.py"
RARW="$PY $HERE/rar_write.py"
export SOURCE_DATE_EPOCH=1767225600 TZ=UTC LC_ALL=C.UTF-8
STAMP=202601010000
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
skipped=0

# xiso ARGS... - xorriso's mkisofs emulation without its banner on stderr
xiso() { xorriso -report_about SORRY -as mkisofs -quiet "$@" 2>"$W/xorriso.err" ||
	{ cat "$W/xorriso.err" >&2; return 1; }; }

# have TOOL... - true when every tool exists, else say which rows are skipped
have() {
	local t
	for t; do
		command -v "$t" >/dev/null 2>&1 && continue
		echo "carriers.sh: SKIP ${FUNCNAME[1]}: '$t' not installed" >&2
		skipped=$((skipped + 1))
		return 1
	done
}

# src DIR NAME... - a fresh directory holding the payloads under NAMEs
src() {
	local d=$W/$1 n
	shift
	rm -rf "$d" && mkdir -p "$d"
	for n; do
		case "$n" in
		notes*) printf 'Meeting notes, nothing to run.\n' >"$d/$n" ;;
		*) printf 'not really a program: the name is what counts (%s)\n' "$n" >"$d/$n" ;;
		esac
		touch -t $STAMP "$d/$n"
	done
	echo "$d"
}

payload() { src "p_$1" "$1" >/dev/null; echo "$W/p_$1/$1"; }

iso_images() {
	have xorriso genisoimage || return 0
	local x=xiso
	# genisoimage without -J -R: ISO 9660 names only (xorriso always adds Rock Ridge)
	genisoimage -quiet -o "$OUT/iso_plain.iso" "$(src iso1 Facture.exe)"
	genisoimage -quiet -o "$OUT/iso_plain_notes.iso" "$(src iso2 notes.txt)"
	genisoimage -quiet -J -R -hide Facture.exe -o "$OUT/iso_joliet_only.iso" \
		"$(src iso3 Facture.exe notes.txt)"
	$x -R -o "$OUT/iso_rockridge_only.iso" "$(src iso4 Facture.exe)"
	$TOOLS iso-rename "$OUT/iso_rockridge_only.iso" --iso FACTURE.EXE=FACTURE.TXT
	$x -J -R -o "$OUT/iso_joliet_rr_notes.iso" "$(src iso5 notes.txt)"
}

udf_images() {
	have genisoimage mkudffs || return 0
	# genisoimage -udf writes the ISO 9660/UDF bridge; renaming the ISO 9660 entry
	# leaves Facture.exe in the UDF tree only (no udf module here to mount mkudffs)
	genisoimage -quiet -udf -o "$OUT/udf_only.img" "$(src udf1 Facture.exe)"
	$TOOLS iso-rename "$OUT/udf_only.img" --iso FACTURE.EXE=FACTURE.TXT
	genisoimage -quiet -udf -J -R -o "$OUT/udf_bridge.iso" "$(src udf2 Facture.scr)"
	genisoimage -quiet -udf -J -R -o "$OUT/udf_notes.iso" "$(src udf3 notes.txt)"
	# a pure UDF (no ISO 9660 side) holding files: c11-images' mkudf.py
	if [ -r "$HERE/mkudf.py" ]; then
		$PY "$HERE/mkudf.py" --rev 0x0201 "$OUT/udf_201.img" "$(src udf4 Facture.exe)"
		$PY "$HERE/mkudf.py" --rev 0x0250 "$OUT/udf_250_metadata.img" "$(src udf5 Facture.exe notes.txt)"
	fi
	mkudffs --media-type=hd --label=EMPTY --uuid=6d61696c67756172 --new-file \
		"$OUT/udf_empty_mkudffs.img" 2048 >/dev/null
}

# fat IMG SIZE_KB FATBITS NAME [OFFSET_SECTORS] - a FAT image with a long name
fat() {
	local img=$1 kb=$2 bits=$3 name=$4 off=${5:-0} f cl=()
	f=$(payload "$name")
	[ "$bits" = 16 ] && cl=(-s 1)
	if [ "$off" = 0 ]; then
		rm -f "$img"
		mkfs.fat -C -F "$bits" "${cl[@]}" -i 6d61696c -n CARRIER "$img" "$kb" >/dev/null
	else
		mkfs.fat -F "$bits" -i 6d61696c -n CARRIER --offset "$off" "$img" "$kb" >/dev/null 2>&1
	fi
	MTOOLS_SKIP_CHECK=1 mcopy -m -i "$img@@$((off * 512))" "$f" "::$name"
}

fat_images() {
	have mkfs.fat mcopy || return 0
	fat "$OUT/fat12.img" 1440 12 "Facture decembre 2026.exe"
	fat "$OUT/fat12_notes.img" 1440 12 "notes de reunion.txt"
	fat "$OUT/fat16.img" 8192 16 "Facture.scr"
	# FAT32 needs 65525 clusters: 34 MB of 512-byte clusters (a 552 row)
	rm -f "$OUT/fat32.img"
	mkfs.fat -C -F 32 -S 512 -s 1 -i 6d61696c -n CARRIER "$OUT/fat32.img" 34000 >/dev/null
	MTOOLS_SKIP_CHECK=1 mcopy -m -i "$OUT/fat32.img" "$(payload Facture.exe)" ::Facture.exe
}

disk_images() {
	have mkfs.fat mcopy qemu-img || return 0
	local raw=$W/disk.img
	# a 4 MB disk: MBR, one FAT12 partition from sector 2048
	truncate -s 4M "$raw"
	$TOOLS mbr "$raw" 2048 6144 01
	fat "$raw" 3072 12 "Facture.exe" 2048
	cp "$raw" "$OUT/disk_mbr.img"
	qemu-img convert -f raw -O vpc -o subformat=fixed "$raw" "$OUT/disk_fixed.vhd"
	qemu-img convert -f raw -O vpc -o subformat=dynamic "$raw" "$OUT/disk_dynamic.vhd"
	qemu-img convert -f raw -O vhdx "$raw" "$OUT/disk.vhdx"
	truncate -s 0 "$raw" && truncate -s 4M "$raw"
	$TOOLS gpt "$raw" 2048 6000
	fat "$raw" 3000 12 "Facture.vbs" 2048
	cp "$raw" "$OUT/disk_gpt.img"
	truncate -s 0 "$raw" && truncate -s 4M "$raw"
	$TOOLS mbr "$raw" 2048 6144 01
	fat "$raw" 3072 12 "notes.txt" 2048
	qemu-img convert -f raw -O vhdx "$raw" "$OUT/disk_notes.vhdx"
	# a dynamic VHD's footer carries a timestamp and UUID: pin them
	$PY - "$OUT/disk_dynamic.vhd" "$OUT/disk_fixed.vhd" <<'EOF'
import struct, sys
for p in sys.argv[1:]:
    b = bytearray(open(p, "rb").read())
    for off in ([0, len(b) - 512] if b[:8] == b"conectix" else [len(b) - 512]):
        struct.pack_into(">I", b, off + 24, 0)
        b[off + 68:off + 84] = b"mailguard-vhd-00"
        b[off + 64:off + 68] = b"\0\0\0\0"
        s = (~sum(b[off:off + 512]) & 0xffffffff)
        struct.pack_into(">I", b, off + 64, s)
    open(p, "wb").write(b)
EOF
}

sevenzip() {
	have 7z tar xz || return 0
	local z="7z a -bd -bso0 -bsp0 -mtm=off -mtc=off -mta=off"
	(cd "$(src z1 Facture.exe)" && $z -mhc=off "$OUT/7z_plain_headers.7z" Facture.exe)
	(cd "$(src z2 Facture.exe)" && $z "$OUT/7z_lzma_headers.7z" Facture.exe)
	(cd "$(src z3 notes.txt)" && $z "$OUT/7z_notes.7z" notes.txt)
	(cd "$(src z4 Facture.exe)" && $z -mhe=on -pinfected "$OUT/7z_names_encrypted.7z" Facture.exe)
	(cd "$(src z5 notes.txt)" && $z -pinfected "$OUT/7z_content_encrypted_notes.7z" notes.txt)
	local d
	d=$(src z6 Facture.vbs)
	tar --sort=name --owner=0 --group=0 --mtime=@$SOURCE_DATE_EPOCH -C "$d" -cJf "$W/inner.tar.xz" Facture.vbs
	(cd "$W" && $z "$OUT/7z_tar_xz.7z" inner.tar.xz)
}

rars() {
	local n=$W/notes.txt e=$W/Facture.exe s=$W/Facture.scr f
	payload notes.txt >/dev/null && cp "$W/p_notes.txt/notes.txt" "$n"
	cp "$(payload Facture.exe)" "$e" && cp "$(payload Facture.scr)" "$s"
	$RARW rar4 "$OUT/rar4.rar" Facture.exe="$e"
	$RARW rar4 "$OUT/rar4_scr.rar" docs/Facture.scr="$s"
	$RARW rar4 "$OUT/rar4_notes.rar" notes.txt="$n"
	$RARW rar5 "$OUT/rar5.rar" Facture.exe="$e"
	$RARW rar5 "$OUT/rar5_notes.rar" notes.txt="$n"
	if $PY -c 'import cryptography' 2>/dev/null; then
		$RARW rar5 -p infected "$OUT/rar5_names_encrypted.rar" Facture.exe="$e"
	else
		echo "carriers.sh: SKIP rar5_names_encrypted: python3-cryptography missing" >&2
	fi
	for f in "$OUT"/rar*.rar; do rar_check "$f"; done
}

# rar_check FILE - lsar, bsdtar and 7z must list it (names encrypted: lsar and 7z
# with the password; bsdtar must refuse it)
rar_check() {
	local f=$1 d=$W/rarcheck pw=()
	rm -rf "$d" && mkdir "$d" && cp "$1" "$d/x.rar"
	case "$f" in *encrypted*) pw=(-p infected) ;; esac
	if command -v lsar >/dev/null; then
		lsar -t "${pw[@]}" "$d/x.rar" | grep -q '0 failed' ||
			{ echo "carriers.sh: lsar rejects $f" >&2; exit 1; }
	fi
	if command -v 7z >/dev/null; then
		7z t -bd -p"${pw[1]:-none}" "$d/x.rar" >/dev/null ||
			{ echo "carriers.sh: 7z rejects $f" >&2; exit 1; }
	fi
	if command -v bsdtar >/dev/null && [ ${#pw[@]} -eq 0 ]; then
		bsdtar -tf "$d/x.rar" >/dev/null ||
			{ echo "carriers.sh: bsdtar rejects $f" >&2; exit 1; }
	fi
}

tars() {
	have tar xz bzip2 zstd lzip || return 0
	local t="tar --sort=name --owner=0 --group=0 --mtime=@$SOURCE_DATE_EPOCH"
	local d
	d=$(src t1 Facture.exe)
	$t -C "$d" -cf "$W/f.tar" Facture.exe
	xz -9 -c "$W/f.tar" >"$OUT/tar.xz"
	bzip2 -9 -c "$W/f.tar" >"$OUT/tar.bz2"
	zstd -q -19 -c "$W/f.tar" >"$OUT/tar.zst"
	lzip -9 -c "$W/f.tar" >"$OUT/tar.lz"
	$t --format=v7 -C "$d" -cf "$OUT/v7.tar" Facture.exe
	$t -C "$(src t2 notes.txt)" -cf - notes.txt | xz -c >"$OUT/tar_notes.xz"
}

singles() {
	have xz bzip2 zstd lzip gzip || return 0
	local e n
	e=$(payload Facture.exe)
	n=$(payload notes.txt)
	xz -c "$e" >"$OUT/Facture.exe.xz"
	bzip2 -c "$e" >"$OUT/Facture.exe.bz2"
	zstd -q -c "$e" >"$OUT/Facture.exe.zst"
	lzip -c "$e" >"$OUT/Facture.exe.lz"
	gzip -n -c "$e" >"$OUT/Facture.exe.gz"
	xz -c "$n" >"$OUT/notes.exe.txt.xz"
	# gzip with a stored name: the name inside is what gunzip -N restores
	(cd "$(dirname "$e")" && gzip -c Facture.exe >"$OUT/invoice_stored_name.gz")
	touch -t $STAMP "$OUT/invoice_stored_name.gz"
}

nested() {
	have zip gcab xorriso || return 0
	local z="zip -X -q -j"
	(cd "$(src c1 Facture.exe)" && gcab -c -n "$W/inner.cab" Facture.exe)
	rm -f "$OUT/cab_in.zip" "$OUT/iso_in.zip"
	$z "$OUT/cab_in.zip" "$W/inner.cab"
	xiso -J -R -o "$W/inner.iso" "$(src c2 Facture.exe)"
	$z "$OUT/iso_in.zip" "$W/inner.iso"
}

zips() {
	have zip || return 0
	local e n
	e=$(payload Facture.exe)
	n=$(payload notes.txt)
	$TOOLS zip-unicode "$OUT/zip_unicode_path.zip" notes.txt Facture.exe "$n"
	$TOOLS zip-unicode "$OUT/zip_unicode_path_notes.zip" notes.txt "notes é.txt" "$n"
	$TOOLS zip64 "$OUT/zip64.zip" Facture.exe "$e"
	$TOOLS zip64 "$OUT/zip64_notes.zip" notes.txt "$n"
	rm -f "$W"/a.zip "$W"/b.zip
	zip -X -q -j "$W/a.zip" "$n"
	zip -X -q -j "$W/b.zip" "$e"
	$TOOLS sfx "$OUT/sfx_stub.zip" "$W/b.zip"
	cp "$OUT/sfx_stub.zip" "$W/sfx_adj.zip" && zip -A -q "$W/sfx_adj.zip" &&
		cp "$W/sfx_adj.zip" "$OUT/sfx_adjusted.zip"
	local jpg=/usr/lib/python3.11/test/imghdrdata/python.jpg
	[ -r "$jpg" ] || jpg=$HERE/carrier_tools.py  # any leading bytes do
	cat "$jpg" "$W/b.zip" >"$OUT/photo_polyglot.jpg"
	cat "$jpg" "$W/a.zip" >"$OUT/photo_polyglot_notes.jpg"
	cat "$W/a.zip" "$W/b.zip" >"$OUT/concatenated.zip"
	$TOOLS zip-comment "$OUT/zip_in_comment.zip" notes.txt "$n" "$W/b.zip"
}

legacy() {
	local e
	e=$(payload Facture.exe)
	$TOOLS binhex "$OUT/facture.hqx" Facture.exe "$e"
	$TOOLS binhex "$OUT/notes.hqx" notes.txt "$(payload notes.txt)"
	$TOOLS yenc "$OUT/yenc.txt" Facture.exe "$e"
	$TOOLS uue "$OUT/document.uue" Facture.exe "$e"
	$TOOLS uue "$OUT/notes.uue" notes.txt "$(payload notes.txt)"
}

# big: 9 MB of incompressible bytes beside Facture.exe, as ISO and as 7z
big() {
	have xorriso 7z || return 0
	local d
	d=$(src big Facture.exe)
	$PY -c 'import random,sys; r=random.Random(11); sys.stdout.buffer.write(r.randbytes(9*1024*1024))' >"$d/video.mp4"
	touch -t $STAMP "$d/video.mp4"
	xiso -J -R -o "$OUT/bench_iso.iso" "$d"
	rm -f "$OUT/bench_7z.7z"
	(cd "$d" && 7z a -bd -bso0 -bsp0 -mtm=off "$OUT/bench_7z.7z" video.mp4 Facture.exe)
}

iso_images
udf_images
fat_images
disk_images
sevenzip
rars
tars
singles
nested
zips
legacy
[ "$BIG" = --big ] && big
echo "carriers.sh: $(ls "$OUT" | wc -l) files in $OUT ($skipped groups skipped)"
