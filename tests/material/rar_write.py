#!/usr/bin/env python3
"""rar_write.py - write small RAR 4 and RAR 5 archives of stored files.

Debian main has no RAR creator, so the test material is written here from the
published formats (RARLAB's "RAR 5.0 archive format" technote and the RAR 2.9/4.x
technote shipped with unrar).  Only what the tests need:

  rar4 OUT NAME=FILE...        RAR 4: marker, archive header, one stored file header
                               (method 0x30, FILE_CRC, DOS time) per member, end block
  rar5 OUT NAME=FILE...        RAR 5: signature, main header, one stored file header
                               (method 0, data CRC32, mtime) per member, end header
  rar5 -p PASS OUT NAME=FILE   RAR 5 with the archive encryption header (what rar -hp
                               writes): every later header is AES-256-CBC encrypted with
                               the PBKDF2-HMAC-SHA256 key, so member names are unreadable
                               without the password (needs python3-cryptography)

NAME is the member name stored in the archive, FILE the file whose bytes it holds.
Timestamps are fixed (2026-01-01 00:00 UTC) so the output is byte-stable except for
the salt and IVs of the encrypted form (fixed too with -s SEED).
"""
import hashlib
import struct
import sys
import zlib

MTIME = 1767225600  # 2026-01-01 00:00:00 UTC


def crc32(data):
    return zlib.crc32(data) & 0xffffffff


# ---- RAR 4 ------------------------------------------------------------------

def rar4_block(htype, flags, body):
    """HEAD_CRC(2) HEAD_TYPE(1) HEAD_FLAGS(2) HEAD_SIZE(2) body; CRC = low 16 bits
    of the CRC32 of everything from HEAD_TYPE to the end of the header."""
    rest = struct.pack("<BHH", htype, flags, 7 + len(body)) + body
    return struct.pack("<H", crc32(rest) & 0xffff) + rest


def dos_time(t):
    y, mo, d, h, mi, s = 2026, 1, 1, 0, 0, 0
    del t
    return ((y - 1980) << 25) | (mo << 21) | (d << 16) | (h << 11) | (mi << 5) | (s // 2)


def rar4(members):
    out = b"Rar!\x1a\x07\x00"
    out += rar4_block(0x73, 0x0000, struct.pack("<HI", 0, 0))
    for name, data in members:
        raw = name.encode("ascii")
        body = struct.pack("<IIBIIBBHI", len(data), len(data), 2, crc32(data),
                           dos_time(MTIME), 29, 0x30, len(raw), 0x20) + raw
        out += rar4_block(0x74, 0x8000, body) + data
    out += rar4_block(0x7b, 0x4000, b"")
    return out


# ---- RAR 5 ------------------------------------------------------------------

def vint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def rar5_header(htype, hflags, fields, data_size=None):
    """CRC32(4) size(vint) type flags [data size] fields; the CRC covers the size
    field and everything after it up to the end of the header."""
    body = vint(htype) + vint(hflags)
    if data_size is not None:
        body += vint(data_size)
    body += fields
    sized = vint(len(body)) + body
    return struct.pack("<I", crc32(sized)) + sized


def rar5_file(name, data):
    raw = name.encode("utf-8")
    fields = (vint(0x0002 | 0x0004) + vint(len(data)) + vint(0x20)
              + struct.pack("<II", MTIME, crc32(data))
              + vint(0) + vint(0) + vint(len(raw)) + raw)
    return rar5_header(2, 0x0002, fields, data_size=len(data))


class Rar5Crypt:
    """The archive encryption header and the per-header AES-256-CBC layer."""
    LG2 = 15

    def __init__(self, password, seed):
        self.salt = hashlib.sha256(b"salt" + seed).digest()[:16]
        self.seed = seed
        self.count = 0
        pwd = password.encode("utf-8")
        n = 1 << self.LG2
        self.key = hashlib.pbkdf2_hmac("sha256", pwd, self.salt, n)
        v2 = hashlib.pbkdf2_hmac("sha256", pwd, self.salt, n + 32)
        check = bytearray(8)
        for i, b in enumerate(v2):
            check[i % 8] ^= b
        self.check = bytes(check) + hashlib.sha256(bytes(check)).digest()[:4]

    def header(self):
        fields = (vint(0) + vint(0x0001) + bytes([self.LG2]) + self.salt
                  + self.check)
        return rar5_header(4, 0, fields)

    def seal(self, header):
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        self.count += 1
        iv = hashlib.sha256(b"iv" + self.seed + bytes([self.count])).digest()[:16]
        padded = header + b"\0" * (-len(header) % 16)
        enc = Cipher(algorithms.AES(self.key), modes.CBC(iv)).encryptor()
        return iv + enc.update(padded) + enc.finalize()


def rar5(members, password=None, seed=b"mailguard"):
    crypt = Rar5Crypt(password, seed) if password else None
    seal = crypt.seal if crypt else (lambda h: h)
    out = b"Rar!\x1a\x07\x01\x00"
    if crypt:
        out += crypt.header()
    out += seal(rar5_header(1, 0, vint(0)))
    for name, data in members:
        out += seal(rar5_file(name, data)) + data
    out += seal(rar5_header(5, 0, vint(0)))
    return out


def main(argv):
    if len(argv) < 3 or argv[0] not in ("rar4", "rar5"):
        sys.stderr.write(__doc__)
        return 2
    kind, args = argv[0], argv[1:]
    password, seed = None, b"mailguard"
    while args and args[0] in ("-p", "-s"):
        if args[0] == "-p":
            password = args[1]
        else:
            seed = args[1].encode()
        args = args[2:]
    out, specs = args[0], args[1:]
    members = []
    for spec in specs:
        name, path = spec.split("=", 1)
        with open(path, "rb") as f:
            members.append((name, f.read()))
    if kind == "rar4":
        if password:
            sys.stderr.write("rar_write: -p is for rar5 only\n")
            return 2
        blob = rar4(members)
    else:
        blob = rar5(members, password, seed)
    with open(out, "wb") as f:
        f.write(blob)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
