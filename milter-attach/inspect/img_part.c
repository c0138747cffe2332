/*
 * img_part.c - partition tables: MBR (four primary entries, the logical
 * partitions of an extended one through its chain of EBRs) and GPT
 * (the header at LBA 1, 512- or 4096-byte sectors, its entry array)
 *
 * Each partition is reported as an INSP_FOUND_VOLUME named "p1", "p2"...
 * (MBR: primaries p1-p4, logicals from p5, as Linux numbers them) with a
 * window source over it, clamped to the disk (a partition past the end
 * makes the listing BROKEN).  Hostile input: at most MBR_MAX_LOGICAL
 * EBRs, each visited once; GPT entry count and size bounded.  CRCs are
 * not checked: a table a tool could still read is listed.
 */
#include <stdio.h>
#include <string.h>

#include "carrier.h"
#include "img_priv.h"

#define MBR_MAX_LOGICAL 128
#define GPT_MAX_ENTRIES 1024

struct part {
	const struct insp_src *src;
	unsigned max_entries, count, res;
	insp_found_fn *cb;
	void *ctx;
};

/* part_report - a volume of count sectors from lba; 0 when reported,
 * -1 to stop (too many) */
static int
part_report(struct part *p, unsigned n, unsigned long long lba,
	    unsigned long long count, unsigned sector)
{
	struct insp_src win;
	char name[16];
	unsigned long long size = p->src->size, off = size, len = 0;
	struct insp_found f = { INSP_FOUND_VOLUME, name, 0, &win };

	if (count == 0)
		return 0;
	if (++p->count > p->max_entries) {
		p->res |= INSP_LISTER_TOO_MANY;
		return -1;
	}
	if (lba <= size / sector) {
		off = lba * sector;
		len = count <= (size - off) / sector ? count * sector : size - off;
	}
	if (lba > size / sector || count > (size - off) / sector)
		p->res |= INSP_LISTER_BROKEN;
	snprintf(name, sizeof(name), "p%u", n);
	insp_src_window(&win, p->src, off, len);
	f.size = win.size;
	p->cb(p->ctx, &f);
	return 0;
}

static int
mbr_extended_type(unsigned t)
{
	return t == 0x05 || t == 0x0F || t == 0x85;
}

/* mbr_logical - the chain of EBRs of the extended partition at ext */
static void
mbr_logical(struct part *p, unsigned long long ext)
{
	unsigned long long ebr = ext, seen[MBR_MAX_LOGICAL];
	unsigned char s[512];
	unsigned n = 0, i;

	while (n < MBR_MAX_LOGICAL) {
		const unsigned char *e0 = s + 446, *e1 = s + 462;

		for (i = 0; i < n; i++)
			if (seen[i] == ebr)
				break;
		if (i < n || ebr > p->src->size / 512 ||
		    insp_src_read(p->src, ebr * 512, s, sizeof(s)) < 0 ||
		    s[510] != 0x55 || s[511] != 0xAA) {
			p->res |= INSP_LISTER_BROKEN;
			return;
		}
		seen[n++] = ebr;
		if (e0[4] != 0 && part_report(p, 4 + n, ebr + img_le32(e0 + 8),
					      img_le32(e0 + 12), 512) < 0)
			return;
		if (!mbr_extended_type(e1[4]) || img_le32(e1 + 8) == 0)
			return;
		ebr = ext + img_le32(e1 + 8);
	}
	p->res |= INSP_LISTER_BROKEN;
}

static int
mbr_probe(const struct insp_src *src)
{
	unsigned char s[512];

	return insp_src_read(src, 0, s, sizeof(s)) == 0 &&
	       scan_carrier_detect(s, sizeof(s)) == SCAN_CARRIER_DISK;
}

static unsigned
mbr_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	 void *ctx)
{
	struct part p = { src, max_entries, 0, 0, cb, ctx };
	unsigned char s[512];
	unsigned i;

	if (insp_src_read(src, 0, s, sizeof(s)) < 0)
		return INSP_LISTER_BROKEN;
	for (i = 0; i < 4; i++) {
		const unsigned char *e = s + 446 + 16 * i;

		if (e[4] == 0)
			continue;
		if (mbr_extended_type(e[4])) {
			mbr_logical(&p, img_le32(e + 8));
			continue;
		}
		if (part_report(&p, i + 1, img_le32(e + 8), img_le32(e + 12),
				512) < 0)
			break;
	}
	return p.res;
}

/* gpt_sector - the sector size whose LBA 1 holds "EFI PART"; 0 if none */
static unsigned
gpt_sector(const struct insp_src *src)
{
	static const unsigned sizes[] = { 512, 4096 };
	unsigned char sig[8];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (insp_src_read(src, sizes[i], sig, 8) == 0 &&
		    memcmp(sig, "EFI PART", 8) == 0)
			return sizes[i];
	return 0;
}

static int
gpt_probe(const struct insp_src *src)
{
	return gpt_sector(src) != 0;
}

static unsigned
gpt_list(const struct insp_src *src, unsigned max_entries, insp_found_fn *cb,
	 void *ctx)
{
	struct part p = { src, max_entries, 0, 0, cb, ctx };
	unsigned sector = gpt_sector(src), n, size, i;
	unsigned char h[92], e[128];
	unsigned long long arr;
	static const unsigned char unused[16];

	if (sector == 0 || insp_src_read(src, sector, h, sizeof(h)) < 0)
		return INSP_LISTER_BROKEN;
	arr = img_le64(h + 72);
	n = img_le32(h + 80);
	size = img_le32(h + 84);
	if (n > GPT_MAX_ENTRIES || size < 128 || size > 4096 || size % 8 ||
	    arr > src->size / sector)
		return INSP_LISTER_BROKEN;
	for (i = 0; i < n; i++) {
		unsigned long long first, last;

		if (insp_src_read(src, arr * sector + (unsigned long long)i * size,
				  e, sizeof(e)) < 0)
			return p.res | INSP_LISTER_BROKEN;
		if (memcmp(e, unused, 16) == 0)
			continue;
		first = img_le64(e + 32);
		last = img_le64(e + 40);
		if (last < first) {
			p.res |= INSP_LISTER_BROKEN;
			continue;
		}
		if (part_report(&p, i + 1, first, last - first + 1, sector) < 0)
			break;
	}
	return p.res;
}

const struct insp_lister img_lister_mbr = { "mbr", mbr_probe, mbr_list };
const struct insp_lister img_lister_gpt = { "gpt", gpt_probe, gpt_list };
