#!/bin/sh
# make.sh - the tar and gzip test material of test_scan_arc.c, made with
# the real tools (GNU tar, gzip, zip, 7z, genisoimage); run in this
# directory to remake it
set -eu
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
here=$(pwd)
cd "$t"
export TZ=UTC SOURCE_DATE_EPOCH=1700000000
printf 'MZ\220\000' > Facture.exe
echo hello > readme.txt
touch -d @1700000000 Facture.exe readme.txt
tar --format=v7 -cf v7.tar readme.txt Facture.exe      # no ustar marker
gzip -n -c v7.tar > v7.tar.gz
gzip -n -c Facture.exe > Facture.exe.gz                # no stored name
cp Facture.exe Named.pdf && gzip -c Named.pdf > Other.txt.gz   # FNAME Named.pdf
cp readme.txt notes.exe.txt && gzip -n -c notes.exe.txt > notes.exe.txt.gz
mkdir iso && cp Facture.exe iso/ && genisoimage -quiet -J -R -o img.iso iso
tar --format=gnu -cf - img.iso | gzip -n > iso.tar.gz  # an ISO in a .tar.gz
gzip -n -c img.iso > img.iso.gz                        # an ISO in a gzip
zip -q -X inner.zip Facture.exe
cp inner.zip inner.bin && tar --format=ustar -cf zipbin.tar inner.bin
gzip -n -c inner.zip > inner.zip.gz                    # a zip in a gzip
7z a -bd -bso0 inner.7z Facture.exe && tar --format=ustar -cf 7z.tar inner.7z
for f in v7.tar v7.tar.gz Facture.exe.gz Other.txt.gz notes.exe.txt.gz \
	 iso.tar.gz img.iso.gz zipbin.tar inner.zip.gz 7z.tar; do
	cp "$f" "$here/$f"
done
