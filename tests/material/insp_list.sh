#!/bin/sh
# insp_list.sh DIR - the carriers test_insp_list reads, made in DIR by the
# real tools (xorriso, genisoimage, 7z, tar with xz/bzip2/zstd/lzip, xz,
# bzip2, zstd, lzip, gzip, gcab, zip), plus two RAR heads with encrypted
# names written from the published format (no RAR creator in Debian main)
set -eu
out=$1
mkdir -p "$out"
cd "$out"
export SOURCE_DATE_EPOCH=1700000000 LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1
PATH=$PATH:/usr/sbin:/sbin
q() { "$@" >/dev/null 2>&1; }

rm -rf src && mkdir -p src/sub
printf 'MZ\220\0' >src/Facture_longname.exe
printf 'hello\n' >src/readme.txt
printf 'x' >src/sub/Ünïcode.scr

# ISO 9660: Joliet + Rock Ridge, Joliet only, plain names only
q xorriso -as mkisofs -J -R -o jr.iso src
q genisoimage -J -o j.iso src
q genisoimage -o plain.iso src
# a name longer than Joliet's 64 characters: whole only in Rock Ridge
rm -rf long && mkdir long
: >"long/$(printf '%070d' 0)_invoice.exe"
q genisoimage -J -R -o rr.iso long

# a UDF bridge (UDF + ISO 9660 + Joliet + Rock Ridge): the UDF lister and
# libarchive both list it, each name once
q genisoimage -udf -J -R -o udf.iso src

# 7z: plain, encrypted data (names visible), encrypted names
(cd src && q 7z a -bd ../plain.7z . && q 7z a -bd -pX ../encdata.7z . &&
	q 7z a -bd -mhe=on -pX ../hidden.7z .)

# tar in every filter, and V7 (no "ustar")
tar -C src -cJf t.tar.xz Facture_longname.exe readme.txt
tar -C src -cjf t.tar.bz2 Facture_longname.exe readme.txt
tar -C src --zstd -cf t.tar.zst Facture_longname.exe readme.txt
tar -C src --lzip -cf t.tar.lz Facture_longname.exe readme.txt
tar -C src --format=v7 -cf v7.tar Facture_longname.exe readme.txt

# single compressed files, named by the carrier minus the suffix
cp src/Facture_longname.exe Facture.exe
xz -kf Facture.exe
bzip2 -kf Facture.exe
zstd -qkf Facture.exe
lzip -kf Facture.exe
gzip -nc Facture.exe >notes.exe.txt.gz        # no stored name
gzip -kf Facture.exe && mv Facture.exe.gz invoice.pdf.gz  # FNAME kept
xz -c Facture.exe >notes.exe.txt.xz

# cab, zip and containers inside containers
gcab -c x.cab Facture.exe
rm -f *.zip
q zip isozip.zip jr.iso
q zip cabzip.zip x.cab
q zip z3.zip isozip.zip
q 7z a -bd tarxz.7z t.tar.xz
q zip xzzip.zip notes.exe.txt.xz

# a FAT image holding a single compressed file and a 7z: listed in place
rm -f fat.img
q mkfs.fat -C fat.img 2048
mcopy -i fat.img Facture.exe.xz plain.7z ::/

# a tar cut inside its second member's data: the names seen are kept
cp src/readme.txt readme.txt
head -c 300000 /dev/zero | tr '\0' 'a' >big.bin
tar -cf cut_full.tar readme.txt big.bin
head -c 100000 cut_full.tar >cut.tar
rm -f cut_full.tar big.bin
# a bomb: 1 MB of zeros in a few hundred bytes
head -c 1000000 /dev/zero >zeros.bin
tar -cJf zeros.tar.xz zeros.bin readme.txt
rm -f zeros.bin
# a 7z cut after its signature header
head -c 40 plain.7z >cut.7z

# a cab whose data block is bad (found by fuzz_inspect): libarchive 3.6
# crashes when asked for the next header after the failed read
echo 'TVNDRgAAAABUAAAAAAAAACwAAAAAAAAAAwEBAAEAAAAAAAAASAAAAAE6AAAEAAAAAAAAAAAAgl3caiAARmFjdHVyZS5leGUASVqUAAQABABNWpAA' |
	base64 -d >baddata.cab

# uuencoded files: the name is on the "begin" line
python3 - <<'PY'
import binascii
for src, name, out in (('Facture.exe', 'Facture.exe', 'exe.uue'),
                       ('Facture.exe.xz', 'Facture.exe.xz', 'xz.uue')):
    d = open(src, 'rb').read()
    text = 'begin 644 %s\n' % name
    for i in range(0, len(d), 45):
        text += binascii.b2a_uu(d[i:i + 45]).decode()
    open(out, 'w').write(text + '`\nend\n')
PY

# RAR 4 (MHD_PASSWORD) and RAR 5 (an archive encryption header) heads:
# names encrypted (rar -hp)
python3 - <<'PY'
import struct, zlib
def vint(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        out += bytes([b | 0x80 if n else b])
        if not n:
            return out
body = bytes([0x73]) + struct.pack('<HH', 0x0080, 13) + bytes(6)
open('hp4.rar', 'wb').write(b'Rar!\x1a\x07\x00' +
    struct.pack('<H', zlib.crc32(body) & 0xffff) + body + bytes(64))
data = vint(4) + vint(0) + vint(0) + vint(0) + bytes([15]) + b'S' * 16
hdr = vint(len(data)) + data
open('hp5.rar', 'wb').write(b'Rar!\x1a\x07\x01\x00' +
    struct.pack('<I', zlib.crc32(hdr)) + hdr + bytes(64))
PY
