#!/usr/bin/env python3
"""mkudf.py - a UDF image holding a directory tree, written without a mount

usage: mkudf.py [--rev 0x0102|0x0150|0x0201|0x0250|0x0260] [--bs 512|2048] OUT DIR

mkudffs (udftools) makes empty UDF volumes only: adding files needs a
mount, which the tests cannot do.  This writes what mkudffs writes
around a tree, from ECMA-167 (3rd edition) and OSTA UDF 2.60: the volume
recognition sequence, the main and reserve volume descriptor sequences
(PVD, IUVD, PD, LVD, USD, TD), the integrity descriptor, anchors at 256
and at the last block, one partition; from revision 2.50 the metadata
partition (metadata file and its mirror, the FSD, directories and File
Entries inside it; files' data in the physical partition through long
allocation descriptors).  File Entries (Extended ones from 2.50); small
directories and files are stored in their ICB, larger ones in extents.
Names: OSTA compressed Unicode, 8 bit when every character fits, else 16.
Checked with `7z l` (7-Zip reads UDF) and udfinfo.
"""
import argparse
import binascii
import os
import struct

def ts():
    return struct.pack('<HHBBBBBBBB', 0x1000, 2026, 1, 2, 3, 4, 5, 0, 0, 0)


def regid(ident, suffix=b''):
    return struct.pack('<B23s8s', 0, ident.encode(), suffix)


def udf_suffix(rev):
    return struct.pack('<HB', rev, 0)


def charspec():
    return struct.pack('<B63s', 0, b'OSTA Compressed Unicode')


def cs0(name):
    if all(ord(c) < 256 for c in name):
        return b'\x08' + name.encode('latin-1')
    return b'\x10' + name.encode('utf-16-be')


def dstring(s, n):
    b = cs0(s) if s else b''
    return b.ljust(n - 1, b'\0') + bytes([len(b)])


def tag(ident, ver, body, loc):
    """a descriptor: its 16-byte tag (checksum, CRC over body) then body"""
    crc = binascii.crc_hqx(body, 0)
    t = bytearray(struct.pack('<HHBBHHHI', ident, ver, 0, 0, 1, crc, len(body), loc))
    t[4] = sum(t) & 0xFF
    return bytes(t) + body


def long_ad(length, lbn, pref):
    return struct.pack('<IIH6s', length, lbn, pref, b'')


class Volume:
    def __init__(self, rev, bs):
        self.rev, self.bs = rev, bs
        self.ver = 2 if rev < 0x0200 else 3
        self.meta = rev >= 0x0250
        self.blocks = {}           # absolute block -> bytes
        self.pstart = 257
        self.pnext = 0             # next free physical partition block
        self.mnext = 0             # next free metadata block
        self.mstart = None         # physical block of metadata block 0
        self.files = self.dirs = 0
        self.uid = 16

    def put(self, absblock, data):
        assert len(data) <= self.bs, len(data)
        self.blocks[absblock] = data

    def palloc(self, n):
        b = self.pnext
        self.pnext += n
        return b

    # where FEs and directories go: (pref, lbn) and the absolute block
    def ialloc(self, n=1):
        if self.meta:
            b = self.mnext
            self.mnext += n
            assert self.mnext <= self.mlen
            return 1, b, self.pstart + self.mstart + b
        b = self.palloc(n)
        return 0, b, self.pstart + b

    def data_ads(self, data):
        """store data in the physical partition: its allocation descriptors"""
        n = (len(data) + self.bs - 1) // self.bs
        b = self.palloc(n)
        for i in range(n):
            self.put(self.pstart + b + i, data[i * self.bs:(i + 1) * self.bs])
        if self.meta:
            return long_ad(len(data), b, 0), 1
        return struct.pack('<II', len(data), b), 0

    def fe(self, loc, ftype, content, parent, inline):
        pref, lbn, absb = loc
        if inline:
            ads, adtype = content, 3
        else:
            if pref == 1 and ftype == 4:
                ads, adtype = self.meta_dir_ads(content)
            else:
                ads, adtype = self.data_ads(content)
        icbtag = struct.pack('<IHHHBB6sH', 0, 4, 0, 1, 0, ftype,
                             struct.pack('<IH', parent[1], parent[0]), adtype)
        nblocks = 0 if inline else (len(content) + self.bs - 1) // self.bs
        self.uid += 1
        common = icbtag + struct.pack('<IIIHBBIQ', 0xFFFFFFFF, 0xFFFFFFFF, 0x14A5, 1,
                                      0, 0, 0, len(content))
        if self.meta:
            body = common + struct.pack('<QQ', len(content), nblocks) + ts() * 4 + \
                struct.pack('<II', 1, 0) + bytes(16) + bytes(16) + \
                regid('*mailguard tests') + struct.pack('<QII', self.uid, 0, len(ads))
            desc = tag(266, self.ver, body + ads, lbn)
        else:
            body = common + struct.pack('<Q', nblocks) + ts() * 3 + struct.pack('<I', 1) + \
                bytes(16) + regid('*mailguard tests') + struct.pack('<QII', self.uid, 0, len(ads))
            desc = tag(261, self.ver, body + ads, lbn)
        self.put(absb, desc)

    def meta_dir_ads(self, content):
        n = (len(content) + self.bs - 1) // self.bs
        pref, lbn, absb = self.ialloc(n)
        for i in range(n):
            self.put(absb + i, content[i * self.bs:(i + 1) * self.bs])
        return struct.pack('<II', len(content), lbn), 0

    def fid(self, chars, name, icb, loc_lbn):
        ident = cs0(name) if name else b''
        body = struct.pack('<HBB', 1, chars, len(ident)) + long_ad(self.bs, icb[1], icb[0]) + \
            struct.pack('<H', 0) + ident
        # the padding is part of the descriptor (its CRC covers it)
        return tag(257, self.ver, body + bytes((4 - (16 + len(body)) % 4) % 4), loc_lbn)

    def tree(self, path, loc, parent):
        """write directory path whose FE goes at loc"""
        entries = []
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            cloc = self.ialloc()
            if os.path.isdir(full):
                self.dirs += 1
                self.tree(full, cloc, loc)
                entries.append((0x02, name, cloc))
            else:
                self.files += 1
                data = open(full, 'rb').read()
                hdr = 216 if self.meta else 176
                self.fe(cloc, 5, data, loc, len(data) <= self.bs - hdr)
                entries.append((0, name, cloc))
        # FIDs carry the location of the block they are in: the FE's
        # when in its ICB, else the extent's (computed below)
        body = self.fid(0x0A, '', parent, loc[1])
        for chars, name, cloc in entries:
            body += self.fid(chars, name, cloc, loc[1])
        hdr = 216 if self.meta else 176
        if len(body) <= self.bs - hdr:
            self.fe(loc, 4, body, parent, True)
        else:
            # FIDs outside the ICB: tag locations are the extent's blocks
            nxt = self.mnext if self.meta else self.pnext
            body = self.fid(0x0A, '', parent, nxt)
            for chars, name, cloc in entries:
                body += self.fid(chars, name, cloc, nxt + (len(body) // self.bs))
            self.fe(loc, 4, body, parent, False)


def build(rev, bs, src, out):
    v = Volume(rev, bs)
    if v.meta:
        v.mlen = 64
        meta_fe, mirror_fe = v.palloc(1), v.palloc(1)
        v.mstart = v.palloc(v.mlen)
    fsd = v.ialloc()
    root = v.ialloc()
    v.tree(src, root, root)
    nsr = b'+NSR03' if rev >= 0x0200 else b'+NSR02'
    # the FSD
    body = ts() + struct.pack('<HHIIII', 3, 3, 1, 1, 0, 0) + charspec() + \
        dstring('LinuxUDF', 128) + charspec() + dstring('LinuxUDF', 32) + bytes(64) + \
        long_ad(bs, root[1], root[0]) + regid('*OSTA UDF Compliant', udf_suffix(rev)) + \
        bytes(16) + bytes(16) + bytes(32)
    v.put(fsd[2], tag(256, v.ver, body, fsd[1]))
    if v.meta:
        for lbn, ftype in ((meta_fe, 250), (mirror_fe, 251)):
            ad = struct.pack('<II', v.mlen * bs, v.mstart)
            icbtag = struct.pack('<IHHHBB6sH', 0, 4, 0, 1, 0, ftype, bytes(6), 0)
            body = icbtag + struct.pack('<IIIHBBIQ', 0, 0, 0, 1, 0, 0, 0, v.mlen * bs) + \
                struct.pack('<QQ', v.mlen * bs, v.mlen) + ts() * 4 + struct.pack('<II', 1, 0) + \
                bytes(32) + regid('*mailguard tests') + struct.pack('<QII', 0, 0, len(ad))
            v.put(v.pstart + lbn, tag(266, v.ver, body + ad, lbn))
    plen = v.pnext + 16
    total = v.pstart + plen + 1
    vds = {}
    mvds = 96 if bs == 512 else 32
    rvds = mvds + 16
    lvid = mvds + 8
    vds[0] = tag(1, v.ver, struct.pack('<II', 0, 0) + dstring('LinuxUDF', 32) +
                 struct.pack('<HHHHII', 1, 1, 2, 2, 1, 1) + dstring('LinuxUDF', 128) +
                 charspec() + charspec() + bytes(16) + regid('*mailguard tests') + ts() +
                 regid('*mailguard tests') + bytes(64) + struct.pack('<IH', 0, 0) + bytes(22), 0)
    vds[1] = tag(4, v.ver, struct.pack('<I', 1) + regid('*UDF LV Info', udf_suffix(rev)) +
                 charspec() + dstring('LinuxUDF', 128) + bytes(108) + regid('*mailguard tests') +
                 bytes(128), 0)
    vds[2] = tag(5, v.ver, struct.pack('<IHH', 2, 1, 0) + regid(nsr.decode()) + bytes(128) +
                 struct.pack('<III', 4, v.pstart, plen) + regid('*mailguard tests') +
                 bytes(128) + bytes(156), 0)
    maps = struct.pack('<BBHH', 1, 6, 1, 0)
    if v.meta:
        maps += struct.pack('<BBH', 2, 64, 0) + regid('*UDF Metadata Partition', udf_suffix(rev)) + \
            struct.pack('<HHIIIIHB5s', 1, 0, meta_fe, mirror_fe, 0xFFFFFFFF, 32, 1, 0, b'')
    vds[3] = tag(6, v.ver, struct.pack('<I', 3) + charspec() + dstring('LinuxUDF', 128) +
                 struct.pack('<I', bs) + regid('*OSTA UDF Compliant', udf_suffix(rev)) +
                 long_ad(bs, fsd[1], fsd[0]) + struct.pack('<II', len(maps), 2 if v.meta else 1) +
                 regid('*mailguard tests') + bytes(128) + struct.pack('<II', bs, lvid) + maps, 0)
    vds[4] = tag(7, v.ver, struct.pack('<II', 4, 0), 0)
    vds[5] = tag(8, v.ver, bytes(496), 0)
    for base in (mvds, rvds):
        for i, d in vds.items():
            # each descriptor's tag carries its own location
            body = bytearray(d[16:])
            t = bytearray(d[:16])
            struct.pack_into('<I', t, 12, base + i)
            t[4] = 0
            t[4] = sum(t) & 0xFF
            v.put(base + i, bytes(t) + bytes(body))
    nparts = 1
    iu = regid('*mailguard tests', udf_suffix(rev)) + struct.pack('<IIHHH', v.files, v.dirs + 1,
                                                                   rev, rev, rev)
    v.put(lvid, tag(9, v.ver, ts() + struct.pack('<I', 1) + bytes(8) +
                    struct.pack('<Q', v.uid + 1) + bytes(24) + struct.pack('<II', nparts, len(iu)) +
                    struct.pack('<I', 0) + struct.pack('<I', plen) + iu, lvid))
    avdp = struct.pack('<IIII', 16 * bs, mvds, 16 * bs, rvds) + bytes(480)
    v.put(256, tag(2, v.ver, avdp, 256))
    v.put(total - 1, tag(2, v.ver, avdp, total - 1))
    img = bytearray(total * bs)
    off = 32768
    for ident in (b'BEA01', nsr[1:], b'TEA01'):
        img[off:off + 7] = b'\0' + ident + b'\1'
        off += max(2048, bs)
    for b, d in v.blocks.items():
        img[b * bs:b * bs + len(d)] = d
    with open(out, 'wb') as f:
        f.write(img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rev', default='0x0201')
    ap.add_argument('--bs', type=int, default=512)
    ap.add_argument('out')
    ap.add_argument('dir')
    a = ap.parse_args()
    build(int(a.rev, 16), a.bs, a.dir, a.out)


if __name__ == '__main__':
    main()
