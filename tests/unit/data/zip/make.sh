#!/bin/sh
# make.sh - the zip test material of test_scan_zip.c, made with the real
# tools (zip 3.0, 7-Zip 16.02, python3's zipfile, genisoimage, xz, tar);
# run in this directory to remake it (the bytes differ with dates, the
# names listed do not).  What 7-Zip, bsdtar and unzip list is in
# test_scan_zip.c's rows.
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
here=$(pwd)
cd "$t"
export TZ=UTC SOURCE_DATE_EPOCH=1700000000
echo hello > readme.txt
printf 'MZ\220\000' > evil.exe
touch -d @1700000000 readme.txt evil.exe
zip -q -X plain.zip readme.txt evil.exe
7z a -tzip -bd -bso0 sevenz.zip readme.txt evil.exe
zip -q -X -fz zip64.zip readme.txt evil.exe          # zip64 extra fields
seq 1 3000 > numbers.txt
7z a -tzip -mm=BZip2 -bd -bso0 bzip2m.zip numbers.txt  # a bzip2 member
7z a -tzip -mm=PPMd -bd -bso0 ppmd.zip numbers.txt     # a PPMd member
python3 - <<'PY'
import struct, zipfile, zlib
def upath(hdr, uname, ok):
    crc = zlib.crc32(hdr.encode()) if ok else 0x12345678
    data = struct.pack('<BI', 1, crc) + uname.encode()
    return struct.pack('<HH', 0x7075, len(data)) + data
for fn, ok in (('unicode.zip', True), ('unicode_badcrc.zip', False)):
    with zipfile.ZipFile(fn, 'w') as z:
        zi = zipfile.ZipInfo('invoice.pdf', (2023, 11, 14, 22, 13, 20))
        zi.extra = upath('invoice.pdf', 'facture\u00e9.exe', ok)
        z.writestr(zi, b'%PDF-1.4')
with zipfile.ZipFile('pyzip64.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for n, d in (('big.txt', b'hello' * 100), ('payload.scr', b'MZ')):
        with z.open(zipfile.ZipInfo(n, (2023, 11, 14, 22, 13, 20)), 'w',
                    force_zip64=True) as f:
            f.write(d)
inner = open('plain.zip', 'rb').read()
with zipfile.ZipFile('comment.zip', 'w') as z:
    z.writestr(zipfile.ZipInfo('notes.txt', (2023, 11, 14, 22, 13, 20)), b'nothing')
    z.comment = inner
PY
# behind other bytes: a JPEG, a PDF, a self-extractor stub
printf '\377\330\377\340' > photo.jpg
head -c 3000 /dev/zero | tr '\0' 'J' >> photo.jpg
cat photo.jpg plain.zip > jpg_zip.jpg
cp jpg_zip.jpg jpg_zip_fixed.jpg && zip -q -A jpg_zip_fixed.jpg
printf '%%PDF-1.4\n1 0 obj\n<<>>\nendobj\n' > a.pdf
cat a.pdf plain.zip > pdf_zip.pdf
{ printf 'MZ'; head -c 5000 /dev/zero; } > stub
cat stub sevenz.zip > sfx.exe
cp sfx.exe sfx_fixed.exe && zip -q -A sfx_fixed.exe
# zip + zip; a zip cut short
zip -q -X first.zip readme.txt
cat first.zip pyzip64.zip > concat.zip
head -c 150 plain.zip > trunc.zip
# containers inside: an ISO, a 7z, an xz, a .tar.gz, a zip not named .zip
mkdir iso && cp evil.exe iso/ && genisoimage -quiet -J -R -o img.iso iso
zip -q -X iso_in.zip img.iso
7z a -bd -bso0 inner.7z evil.exe && zip -q -X 7z_in.zip inner.7z
xz -k evil.exe && zip -q -X xz_in.zip evil.exe.xz
tar -cf - evil.exe | gzip -n > inner.tgz && zip -q -X tgz_in.zip inner.tgz
cp plain.zip inner.dat && zip -q -X zip_as_dat.zip inner.dat
cat photo.jpg iso_in.zip > jpg_iso_zip.jpg         # found behind a JPEG
cat first.zip 7z_in.zip > concat_7z.zip
for f in jpg_iso_zip.jpg concat_7z.zip ppmd.zip plain.zip sevenz.zip zip64.zip bzip2m.zip unicode.zip \
	 unicode_badcrc.zip pyzip64.zip comment.zip jpg_zip.jpg \
	 jpg_zip_fixed.jpg pdf_zip.pdf sfx.exe sfx_fixed.exe concat.zip \
	 trunc.zip iso_in.zip 7z_in.zip xz_in.zip tgz_in.zip zip_as_dat.zip; do
	cp "$f" "$here/$f"
done
