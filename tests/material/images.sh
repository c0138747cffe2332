#!/bin/sh
# images.sh DIR - disk images made with the real tools, for the image
# listers' unit test (tests/unit/test_insp_images.c) and by hand
#
# Tools (Debian 12): dosfstools (mkfs.fat), mtools (mcopy), udftools
# (mkudffs: empty volumes), genisoimage (a UDF 1.02 bridge holding files),
# mkudf.py (UDF 1.02 to 2.60 holding files: mkudffs cannot add files
# without a mount), ntfs-3g (mkntfs, ntfscp), qemu-utils (qemu-img: VHD, VHDX), python3
# (mkdisk.py writes MBR and GPT tables: sfdisk is not always installed).
# Names and sizes are fixed; the test asserts them.  Check any image by
# hand with `7z l IMAGE`.
set -eu
out=${1:?usage: images.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
rm -rf tree && mkdir -p tree/sub/deeper
printf 'hello\n' > tree/a.txt
printf 'MZ fake\n' > "tree/Facture 2026 long name.exe"
printf 'x\n' > "tree/sub/Ünïcödé файл.scr"
printf 'SHORT\n' > tree/sub/SHORT.TXT
printf 'y\n' > tree/sub/deeper/x.vbs
export MTOOLS_SKIP_CHECK=1

# fat IMG KIB MKFS-ARGS... - a FAT file system holding tree/
fat() {
	img=$1; kib=$2; shift 2
	rm -f "$img"
	mkfs.fat --invariant "$@" -C "$img" "$kib" >/dev/null
	(cd tree && mcopy -s -m -i "../$img" ./* ::/)
}
fat fat12.img 200 -F 12
fat fat16.img 2200 -F 16 -s 1
fat fat32.img 34000 -F 32 -s 1
# 8.3 names only (upper case, no long-name entries)
rm -f fat12-short.img
mkfs.fat --invariant -F 12 -C fat12-short.img 200 >/dev/null
mmd -i fat12-short.img ::/DIR
mcopy -i fat12-short.img tree/sub/SHORT.TXT ::/DIR/SHORT.TXT
mcopy -i fat12-short.img tree/a.txt ::/README.EXE

# UDF: a 1.02 bridge with files (genisoimage), empty volumes of each
# revision mkudffs writes for hard disks
genisoimage -quiet -udf -J -R -V BRIDGE -o udf-bridge.iso tree
for rev in 0102 0150 0201; do
	rm -f "udf$rev.img"
	truncate -s 1M "udf$rev.img"
	mkudffs --media-type=hd --blocksize=512 --udfrev=0x$rev "udf$rev.img" >/dev/null
done

# UDF with files at every revision, written by mkudf.py (checked with
# 7z l); bigtree: a directory whose identifiers do not fit in its ICB and
# a file of several blocks
rm -rf bigtree && mkdir -p bigtree/many
i=0
while [ $i -lt 40 ]; do
	printf 'f%02d\n' $i > "bigtree/many/f$(printf %02d $i).exe"
	i=$((i + 1))
done
python3 -c 'import sys; sys.stdout.write("BIG" + "x" * 4997)' > bigtree/big.bin
for rev in 0102 0150 0201 0250 0260; do
	python3 "$here/mkudf.py" --rev 0x$rev --bs 2048 "udf-gen$rev.img" tree
done
python3 "$here/mkudf.py" --rev 0x0201 --bs 2048 udf-big201.img bigtree
python3 "$here/mkudf.py" --rev 0x0250 --bs 512 udf-big250.img bigtree

# NTFS (what Windows puts in a VHD): mkntfs and ntfscp (ntfs-3g) write
# files into the root without a mount (no subdirectories); 80 small files
# make the MFT grow past its first extent
rm -f ntfs.img
truncate -s 3M ntfs.img
mkntfs -F -f -q -s 512 -c 512 ntfs.img >/dev/null 2>&1
ntfscp -f ntfs.img "tree/Facture 2026 long name.exe" "Facture 2026 long name.exe" >/dev/null
ntfscp -f ntfs.img "tree/sub/Ünïcödé файл.scr" "Ünïcödé файл.scr" >/dev/null
python3 -c 'import sys; sys.stdout.write("BIG" + "x" * 99997)' > ntfs-big.bin
ntfscp -f ntfs.img ntfs-big.bin big.bin >/dev/null
i=0
while [ $i -lt 80 ]; do
	ntfscp -f ntfs.img tree/sub/deeper/x.vbs "f$(printf %02d $i).vbs" >/dev/null
	i=$((i + 1))
done
rm -f ntfs-big.bin ntfs.vhdx
qemu-img convert -f raw -O vhdx ntfs.img ntfs.vhdx
# subdirectories need ntfs-3g's FUSE mount: only where /dev/fuse can be
# used (root); the test skips its row without ntfs-dirs.img
rm -rf ntfs-dirs.img ntfs-mnt
if [ -w /dev/fuse ] && cp ntfs.img ntfs-dirs.img && mkdir ntfs-mnt &&
	ntfs-3g ntfs-dirs.img ntfs-mnt 2>/dev/null; then
	mkdir "ntfs-mnt/Dir A" "ntfs-mnt/Dir A/Sub B" &&
		cp tree/a.txt "ntfs-mnt/Dir A/Sub B/deep.exe" &&
		cp tree/sub/SHORT.TXT "ntfs-mnt/Dir A/mid.txt" || rm -f ntfs-dirs.img
	umount ntfs-mnt || fusermount -u ntfs-mnt || true
else
	rm -f ntfs-dirs.img
fi
rmdir ntfs-mnt 2>/dev/null || true

# partition tables around four small FAT volumes
for i in 1 2 3 4; do
	rm -f "part$i.img"
	mkfs.fat --invariant -F 12 -C "part$i.img" 64 >/dev/null
	printf '%s\n' "$i" > "tree-p$i.txt"
	mcopy -i "part$i.img" "tree-p$i.txt" "::/file in p$i.exe"
	rm -f "tree-p$i.txt"
done
python3 "$here/mkdisk.py" mbr mbr.img part1.img part2.img part3.img part4.img
python3 "$here/mkdisk.py" gpt gpt.img part1.img part2.img

# virtual disks
rm -f dynamic.vhd fixed.vhd disk.vhdx
qemu-img convert -f raw -O vpc mbr.img dynamic.vhd
qemu-img convert -f raw -O vpc -o subformat=fixed fat12.img fixed.vhd
qemu-img convert -f raw -O vhdx gpt.img disk.vhdx
