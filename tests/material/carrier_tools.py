#!/usr/bin/env python3
"""carrier_tools.py - the pieces of the carrier corpus no Debian tool writes.

  iso-rename IMG [--iso OLD=NEW] [--joliet OLD=NEW]
        rename a root-directory entry in the ISO 9660 (primary) and/or Joliet tree of
        an image in place (same length), leaving Rock Ridge NM and UDF untouched:
        makes names that exist only in Rock Ridge, only in Joliet or only in UDF
  mbr DISK START_LBA SECTORS TYPE     write an MBR with one partition (TYPE hex)
  gpt DISK START_LBA SECTORS          write a protective MBR + GPT (primary+backup)
                                      with one Microsoft basic data partition
  zip-unicode OUT HDR_NAME UNI_NAME FILE   zip whose header name is HDR_NAME and whose
                                      Info-ZIP Unicode Path extra (0x7075) says UNI_NAME
  zip64 OUT NAME FILE                 zip written with force_zip64 (zip64 extra)
  zip-comment OUT NAME FILE INNER     zip holding NAME whose archive comment is INNER
  sfx OUT ZIP                         an MZ stub followed by ZIP (offsets as written;
                                      run `zip -A` on it to adjust them like an SFX)
  binhex OUT NAME FILE                BinHex 4.0 of FILE named NAME (the data fork)
  yenc OUT NAME FILE                  a text with one yEnc block of FILE named NAME
  uue OUT NAME FILE                   a uuencoded FILE named NAME
"""
import binascii
import struct
import sys
import uuid
import zipfile
import zlib

DATE = (2026, 1, 1, 0, 0, 0)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ---- ISO 9660 -----------------------------------------------------------------

def iso_descriptors(img):
    """Yield (kind, root extent LBA, root size) for the primary and Joliet trees."""
    lba = 16
    while lba < 64:
        vd = img[lba * 2048:(lba + 1) * 2048]
        if vd[1:6] != b"CD001" or vd[0] == 255:
            return
        if vd[0] in (1, 2):
            joliet = vd[0] == 2 and vd[88:90] == b"%/" and vd[90:91] in b"@CE"
            kind = "joliet" if joliet else ("iso" if vd[0] == 1 else None)
            if kind:
                root = vd[156:190]
                yield kind, struct.unpack_from("<I", root, 2)[0], \
                    struct.unpack_from("<I", root, 10)[0]
        lba += 1


def iso_rename_tree(img, extent, size, old, new):
    pos, end, done = extent * 2048, extent * 2048 + size, 0
    while pos < end:
        rlen = img[pos]
        if rlen == 0:
            pos = (pos // 2048 + 1) * 2048
            continue
        nlen = img[pos + 32]
        name = bytes(img[pos + 33:pos + 33 + nlen])
        if name.split(b";")[0] == old:
            img[pos + 33:pos + 33 + len(new)] = new
            done += 1
        pos += rlen
    return done


def cmd_iso_rename(args):
    img = bytearray(read(args[0]))
    wanted = {}
    for flag, spec in zip(args[1::2], args[2::2]):
        old, new = spec.split("=", 1)
        enc = "utf-16-be" if flag == "--joliet" else "ascii"
        if len(old) != len(new):
            raise SystemExit("iso-rename: names must have the same length")
        wanted[flag[2:]] = (old.encode(enc), new.encode(enc))
    for kind, extent, size in iso_descriptors(img):
        if kind in wanted and not iso_rename_tree(img, extent, size, *wanted[kind]):
            raise SystemExit("iso-rename: %s name not found" % kind)
    write(args[0], img)


# ---- partition tables -----------------------------------------------------------

def mbr_entry(ptype, start, count):
    return struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", ptype, b"\xfe\xff\xff",
                       start, count)


def put_mbr(disk, entry):
    disk[446:510] = entry + b"\0" * 48
    disk[510:512] = b"\x55\xaa"


def cmd_mbr(args):
    disk = bytearray(read(args[0]))
    put_mbr(disk, mbr_entry(int(args[3], 16), int(args[1]), int(args[2])))
    write(args[0], disk)


def gpt_header(this, other, entries_lba, nsect, disk_guid, entries_crc):
    fmt = "<8sIIIIQQQQ16sQIII"
    fields = [b"EFI PART", 0x10000, 92, 0, 0, this, other, 34, nsect - 34,
              disk_guid, entries_lba, 128, 128, entries_crc]
    fields[3] = zlib.crc32(struct.pack(fmt, *fields))
    return struct.pack(fmt, *fields)


def cmd_gpt(args):
    disk = bytearray(read(args[0]))
    nsect = len(disk) // 512
    start, count = int(args[1]), int(args[2])
    put_mbr(disk, mbr_entry(0xEE, 1, min(nsect - 1, 0xffffffff)))
    basic = uuid.UUID("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7").bytes_le
    part = uuid.UUID("6d61696c-6775-6172-6400-000000000001").bytes_le
    name = "carrier".encode("utf-16-le").ljust(72, b"\0")
    entries = (basic + part + struct.pack("<QQQ", start, start + count - 1, 0)
               + name).ljust(128 * 128, b"\0")
    ecrc = zlib.crc32(entries)
    dguid = uuid.UUID("6d61696c-6775-6172-6400-000000000000").bytes_le
    disk[512:1024] = gpt_header(1, nsect - 1, 2, nsect, dguid, ecrc).ljust(512, b"\0")
    disk[1024:1024 + len(entries)] = entries
    back = (nsect - 33) * 512
    disk[back:back + len(entries)] = entries
    disk[(nsect - 1) * 512:nsect * 512] = gpt_header(
        nsect - 1, 1, nsect - 33, nsect, dguid, ecrc).ljust(512, b"\0")
    write(args[0], disk)


# ---- zip variants -----------------------------------------------------------------

def zinfo(name):
    zi = zipfile.ZipInfo(name, DATE)
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.external_attr = 0o644 << 16
    return zi


def cmd_zip_unicode(args):
    out, hdr, uni, path = args
    zi = zinfo(hdr)
    u = uni.encode("utf-8")
    body = struct.pack("<BI", 1, zlib.crc32(hdr.encode("utf-8"))) + u
    zi.extra = struct.pack("<HH", 0x7075, len(body)) + body
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zi, read(path))


def cmd_zip64(args):
    out, name, path = args
    with zipfile.ZipFile(out, "w") as z:
        with z.open(zinfo(name), "w", force_zip64=True) as f:
            f.write(read(path))


def cmd_zip_comment(args):
    out, name, path, inner = args
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zinfo(name), read(path))
        z.comment = read(inner)


def cmd_sfx(args):
    stub = bytearray(4096)
    stub[0:2] = b"MZ"
    struct.pack_into("<I", stub, 0x3c, 0x80)
    stub[0x4e:0x4e + 39] = b"This program cannot be run in DOS mode."
    stub[0x80:0x84] = b"PE\0\0"
    write(args[0], bytes(stub) + read(args[1]))


# ---- legacy encodings --------------------------------------------------------------

HQX = b"!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr"


def hqx_encode(raw):
    raw = raw.replace(b"\x90", b"\x90\x00")
    bits, nbits, out = 0, 0, bytearray()
    for b in raw:
        bits, nbits = (bits << 8) | b, nbits + 8
        while nbits >= 6:
            nbits -= 6
            out.append(HQX[(bits >> nbits) & 0x3f])
    if nbits:
        out.append(HQX[(bits << (6 - nbits)) & 0x3f])
    return bytes(out)


def cmd_binhex(args):
    out, name, path = args
    data = read(path)
    n = name.encode("mac-roman")
    hdr = (bytes([len(n)]) + n + b"\0" + b"BINA" + b"????" + b"\0\0"
           + struct.pack(">II", len(data), 0))
    raw = (hdr + struct.pack(">H", binascii.crc_hqx(hdr, 0))
           + data + struct.pack(">H", binascii.crc_hqx(data, 0))
           + struct.pack(">H", 0))
    enc = b":" + hqx_encode(raw) + b":"
    lines = [enc[i:i + 64] for i in range(0, len(enc), 64)]
    write(out, b"(This file must be converted with BinHex 4.0)\r\n\r\n"
          + b"\r\n".join(lines) + b"\r\n")


def yenc_line(chunk):
    out = bytearray()
    for i, b in enumerate(chunk):
        c = (b + 42) & 0xff
        edge = i == 0 or i == len(chunk) - 1
        if c in (0, 10, 13, 61) or (edge and c in (9, 32)) or (i == 0 and c == 46):
            out += bytes([61, (c + 64) & 0xff])
        else:
            out.append(c)
    return bytes(out)


def cmd_yenc(args):
    out, name, path = args
    data = read(path)
    body = b"".join(yenc_line(data[i:i + 128]) + b"\r\n"
                    for i in range(0, len(data), 128))
    write(out, b"Here is the invoice you asked for.\r\n\r\n"
          + b"=ybegin line=128 size=%d name=%s\r\n" % (len(data), name.encode())
          + body + b"=yend size=%d crc32=%08x\r\n" % (len(data), zlib.crc32(data)))


def cmd_uue(args):
    out, name, path = args
    data = read(path)
    lines = b"".join(binascii.b2a_uu(data[i:i + 45], backtick=True)
                     for i in range(0, len(data), 45))
    write(out, b"begin 644 " + name.encode() + b"\n" + lines + b"`\nend\n")


CMDS = {"iso-rename": cmd_iso_rename, "mbr": cmd_mbr, "gpt": cmd_gpt,
        "zip-unicode": cmd_zip_unicode, "zip64": cmd_zip64,
        "zip-comment": cmd_zip_comment, "sfx": cmd_sfx, "binhex": cmd_binhex,
        "yenc": cmd_yenc, "uue": cmd_uue}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in CMDS:
        sys.stderr.write(__doc__)
        sys.exit(2)
    CMDS[sys.argv[1]](sys.argv[2:])
