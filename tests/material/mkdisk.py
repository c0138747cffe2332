#!/usr/bin/env python3
"""mkdisk.py - wrap partition images into a disk with an MBR or a GPT

usage: mkdisk.py mbr|gpt OUT PART.img...

Debian 12's fdisk package (sfdisk) is not always installed, so the
tables are written here from their published layout (MBR: four 16-byte
entries at 446, an extended partition holding a chain of EBRs; GPT: a
protective MBR, the header at LBA 1 with CRC32s, 128 entries of 128
bytes, the backup at the end).  With mbr, partitions 3 and later are
logical partitions inside an extended one.  Checked with `7z l`.
"""
import struct
import sys
import uuid
import zlib

SECTOR = 512
ALIGN = 8            # sectors: keeps the images small


def align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


def sectors(data):
    return (len(data) + SECTOR - 1) // SECTOR


def mbr_entry(ptype, lba, count):
    return struct.pack('<B3sB3sII', 0, b'\xff\xff\xfe', ptype, b'\xff\xff\xfe',
                       lba, count)


def boot_sector(entries):
    s = bytearray(SECTOR)
    for i, e in enumerate(entries):
        s[446 + 16 * i:462 + 16 * i] = e
    s[510:512] = b'\x55\xaa'
    return s


def mbr(parts):
    disk = {}
    lba = ALIGN
    entries = []
    for p in parts[:2]:
        disk[lba] = p
        entries.append(mbr_entry(0x0c, lba, sectors(p)))
        lba = align(lba + sectors(p))
    if len(parts) > 2:
        ext = lba
        for i, p in enumerate(parts[2:]):
            ebr = lba
            start = ebr + ALIGN
            nxt = align(start + sectors(p)) if i < len(parts) - 3 else None
            e = [mbr_entry(0x0c, start - ebr, sectors(p))]
            if nxt is not None:
                e.append(mbr_entry(0x05, nxt - ext, ALIGN + sectors(parts[3 + i])))
            disk[ebr] = boot_sector(e)
            disk[start] = p
            lba = nxt if nxt is not None else align(start + sectors(p))
        entries.append(mbr_entry(0x0f, ext, lba - ext))
    disk[0] = boot_sector(entries)
    return disk, lba


def gpt_header(lba, alt, entries_lba, last, guid, crc_entries):
    h = struct.pack('<8sIIIIQQQQ16sQIII', b'EFI PART', 0x10000, 92, 0, 0, lba, alt,
                    34, last, guid, entries_lba, 128, 128, crc_entries)
    crc = zlib.crc32(h)
    return h[:16] + struct.pack('<I', crc) + h[20:]


def gpt(parts):
    disk = {}
    lba = align(34)
    entries = bytearray(128 * 128)
    basic = uuid.UUID('EBD0A0A2-B9E5-4433-87C0-68B6B72699C7').bytes_le
    for i, p in enumerate(parts):
        name = ('part%d' % (i + 1)).encode('utf-16-le')
        entries[i * 128:(i + 1) * 128] = struct.pack(
            '<16s16sQQQ72s', basic, uuid.UUID(int=i + 1).bytes_le, lba,
            lba + sectors(p) - 1, 0, name)
        disk[lba] = p
        lba = align(lba + sectors(p))
    total = lba + 33
    crc = zlib.crc32(bytes(entries))
    guid = uuid.UUID(int=0x1234).bytes_le
    disk[0] = boot_sector([mbr_entry(0xee, 1, min(total - 1, 0xffffffff))])
    disk[1] = gpt_header(1, total - 1, 2, lba - 1, guid, crc)
    disk[2] = bytes(entries)
    disk[lba] = bytes(entries)
    disk[total - 1] = gpt_header(total - 1, 1, lba, lba - 1, guid, crc)
    return disk, total


def main():
    kind, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    parts = [open(n, 'rb').read() for n in names]
    disk, end = (mbr if kind == 'mbr' else gpt)(parts)
    end = max([end] + [k + sectors(v) for k, v in disk.items()])
    img = bytearray(end * SECTOR)
    for k, v in disk.items():
        img[k * SECTOR:k * SECTOR + len(v)] = v
    with open(out, 'wb') as f:
        f.write(img)


if __name__ == '__main__':
    main()
