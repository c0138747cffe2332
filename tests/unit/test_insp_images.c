/*
 * test_insp_images.c - the inspector's own image listers (insp_lister.h:
 * img_fat.c, img_udf.c, img_ntfs.c, img_part.c, img_vhd.c) on images made by the
 * real tools (tests/material/images.sh, run by ctest as the fixture
 * insp_images_material into $INSP_IMAGES_DIR): exact paths (long names,
 * Unicode, subdirectories), sizes and the first bytes of each file's
 * content, volumes listed in turn (partitions, the disk in a VHD); then
 * hostile rows (truncated images, a loop in a FAT chain, directory
 * cycles, bad lengths, a loop of EBRs) that must be BROKEN, not crash
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "insp_lister.h"

/* an image in memory, read through a source */
struct mem {
	unsigned char *d;
	size_t n;
};

static int
mem_read(const struct insp_src *s, unsigned long long off, void *buf, size_t len)
{
	const struct mem *m = s->h;

	memcpy(buf, m->d + off, len);
	return 0;
}

/* what a walk saw: one line per file or volume, the listers' bits */
struct seen {
	char out[16384];
	size_t len;
	unsigned res;
	unsigned max_entries;
};

struct walk {
	struct seen *s;
	const char *format;
	const char *prefix;
	unsigned depth;
};

static void walk_src(struct seen *s, const struct insp_src *src,
		     const char *prefix, unsigned depth);

/* read_all - a file's content reads to its end, in odd-sized pieces */
static int
read_all(const struct insp_src *c)
{
	unsigned char buf[1000];
	unsigned long long off;

	for (off = 0; off < c->size && off < (1u << 20); off += sizeof(buf)) {
		size_t n = c->size - off < sizeof(buf) ? (size_t)(c->size - off) :
			   sizeof(buf);

		if (insp_src_read(c, off, buf, n) < 0)
			return 0;
	}
	return 1;
}

/* found - "format:prefix/name size [content]" (content: up to 16 bytes,
 * non-printable bytes as '.'; "vol" for a volume), then a volume's own
 * listing */
static void
found(void *ctx, const struct insp_found *f)
{
	struct walk *w = ctx;
	struct seen *s = w->s;
	char path[4096], peek[17] = "";
	size_t i, n = f->size < 16 ? (size_t)f->size : 16;

	snprintf(path, sizeof(path), "%s%s", w->prefix, f->name);
	if (f->kind == INSP_FOUND_FILE && f->content != NULL) {
		assert_int_equal(f->content->size, f->size);
		if (insp_src_read(f->content, 0, peek, n) == 0)
			for (i = 0, peek[n] = '\0'; i < n; i++)
				if (peek[i] < 0x20 || peek[i] > 0x7E)
					peek[i] = '.';
		if (!read_all(f->content))
			snprintf(peek, sizeof(peek), "unreadable");
	}
	s->len += (size_t)snprintf(s->out + s->len, sizeof(s->out) - s->len,
				   "%s:%s %llu %s\n", w->format, path, f->size,
				   f->kind == INSP_FOUND_VOLUME ? "vol" :
				   f->content == NULL ? "-" : peek);
	assert_true(s->len < sizeof(s->out));
	if (f->kind == INSP_FOUND_VOLUME && f->content != NULL && w->depth < 4) {
		strcat(path, "/");
		walk_src(s, f->content, path, w->depth + 1);
	}
}

/* walk_src - the first lister whose probe says yes lists src */
static void
walk_src(struct seen *s, const struct insp_src *src, const char *prefix,
	 unsigned depth)
{
	const struct insp_lister *const *l;

	for (l = insp_listers; *l != NULL; l++) {
		struct walk w = { s, (*l)->format, prefix, depth };

		if ((*l)->probe(src)) {
			s->res |= (*l)->list(src, s->max_entries, found, &w);
			return;
		}
	}
}

/* load - an image of the material directory into memory */
static void
load(const char *name, struct mem *m)
{
	const char *dir = getenv("INSP_IMAGES_DIR");
	char path[4096];
	FILE *f;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: missing (run tests/material/images.sh)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	m->n = (size_t)n;
	m->d = malloc(m->n);
	assert_non_null(m->d);
	assert_int_equal(fread(m->d, 1, m->n, f), m->n);
	fclose(f);
}

/* walk_mem - list an image in memory, max_entries per lister */
static void
walk_mem(const struct mem *m, unsigned max_entries, struct seen *s)
{
	struct insp_src src = { mem_read, m->n, (void *)m, 0, -1 };

	memset(s, 0, sizeof(*s));
	s->max_entries = max_entries;
	walk_src(s, &src, "", 0);
}

#define TREE(fmt, pre) \
	fmt ":" pre "Facture 2026 long name.exe 8 MZ fake.\n" \
	fmt ":" pre "a.txt 6 hello.\n" \
	fmt ":" pre "sub/Ünïcödé файл.scr 2 x.\n" \
	fmt ":" pre "sub/SHORT.TXT 6 SHORT.\n" \
	fmt ":" pre "sub/deeper/x.vbs 2 y.\n"
#define UDF_TREE \
	"udf:Facture 2026 long name.exe 8 MZ fake.\n" \
	"udf:a.txt 6 hello.\n" \
	"udf:sub/SHORT.TXT 6 SHORT.\n" \
	"udf:sub/deeper/x.vbs 2 y.\n" \
	"udf:sub/Ünïcödé файл.scr 2 x.\n"
#define PART(fmt, pre, p, i) \
	fmt ":" pre p " 65536 vol\n" \
	"fat:" pre p "/file in p" i ".exe 2 " i ".\n"

/* the images of images.sh and what they hold */
static const struct {
	const char *name, *file, *want;
} good[] = {
	{ "fat12", "fat12.img", TREE("fat", "") },
	{ "fat16", "fat16.img", TREE("fat", "") },
	{ "fat32", "fat32.img", TREE("fat", "") },
	{ "fat12_8.3_names", "fat12-short.img",
	  "fat:DIR/SHORT.TXT 6 SHORT.\nfat:README.EXE 6 hello.\n" },
	{ "udf102_bridge", "udf-bridge.iso", UDF_TREE },
	{ "udf102_mkudf", "udf-gen0102.img", UDF_TREE },
	{ "udf150_mkudf", "udf-gen0150.img", UDF_TREE },
	{ "udf201_mkudf", "udf-gen0201.img", UDF_TREE },
	{ "udf250_metadata_partition", "udf-gen0250.img", UDF_TREE },
	{ "udf260_metadata_partition", "udf-gen0260.img", UDF_TREE },
	{ "udf102_empty", "udf0102.img", "" },
	{ "udf150_empty", "udf0150.img", "" },
	{ "udf201_empty", "udf0201.img", "" },
	{ "mbr_primary_and_logical", "mbr.img",
	  PART("mbr", "", "p1", "1") PART("mbr", "", "p2", "2")
	  PART("mbr", "", "p5", "3") PART("mbr", "", "p6", "4") },
	{ "gpt", "gpt.img", PART("gpt", "", "p1", "1") PART("gpt", "", "p2", "2") },
	{ "vhd_dynamic", "dynamic.vhd",
	  "vhd:disk 278528 vol\n"
	  PART("mbr", "disk/", "p1", "1") PART("mbr", "disk/", "p2", "2")
	  PART("mbr", "disk/", "p5", "3") PART("mbr", "disk/", "p6", "4") },
	{ "vhd_fixed", "fixed.vhd", "vhd:disk 208896 vol\n" TREE("fat", "disk/") },
	{ "vhdx_dynamic", "disk.vhdx", "vhdx:disk 168448 vol\n"
	  PART("gpt", "disk/", "p1", "1") PART("gpt", "disk/", "p2", "2") },
};

/* test_good - every image lists exactly, nothing broken */
static void
test_good(void **state)
{
	struct seen s;
	struct mem m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		load(good[i].file, &m);
		walk_mem(&m, 10000, &s);
		if (strcmp(s.out, good[i].want) != 0 || s.res != 0)
			fail_msg("row %s: res %u, got\n%s", good[i].name, s.res, s.out);
		free(m.d);
	}
}

/* big images: their number of lines and some of them */
static const struct {
	const char *name, *file;
	size_t lines;
	const char *has[5];
} big[] = {
	/* a directory whose identifiers lie in extents (in the metadata
	 * partition for 2.50), a file of several blocks */
	{ "udf201_extents", "udf-big201.img", 41,
	  { "udf:big.bin 5000 BIGxxxxxxxxxxxxx\n", "udf:many/f00.exe 4 f00.\n",
	    "udf:many/f39.exe 4 f39.\n" } },
	{ "udf250_extents", "udf-big250.img", 41,
	  { "udf:big.bin 5000 BIGxxxxxxxxxxxxx\n", "udf:many/f00.exe 4 f00.\n",
	    "udf:many/f39.exe 4 f39.\n" } },
	/* an MFT grown past its first extent, resident and non-resident data */
	{ "ntfs", "ntfs.img", 83,
	  { "ntfs:Facture 2026 long name.exe 8 MZ fake.\n",
	    "ntfs:Ünïcödé файл.scr 2 x.\n",
	    "ntfs:big.bin 100000 BIGxxxxxxxxxxxxx\n", "ntfs:f00.vbs 2 y.\n",
	    "ntfs:f79.vbs 2 y.\n" } },
	{ "ntfs_in_vhdx", "ntfs.vhdx", 84,
	  { "vhdx:disk 3145728 vol\n",
	    "ntfs:disk/big.bin 100000 BIGxxxxxxxxxxxxx\n",
	    "ntfs:disk/f79.vbs 2 y.\n" } },
};

/* test_big - the big images list completely */
static void
test_big(void **state)
{
	struct seen s;
	struct mem m;
	size_t i, k, lines;
	const char *p;

	(void)state;
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		load(big[i].file, &m);
		walk_mem(&m, 10000, &s);
		for (lines = 0, p = s.out; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		if (s.res != 0 || lines != big[i].lines)
			fail_msg("row %s: res %u, %zu lines\n%s", big[i].name,
				 s.res, lines, s.out);
		for (k = 0; k < 5 && big[i].has[k] != NULL; k++)
			if (strstr(s.out, big[i].has[k]) == NULL)
				fail_msg("row %s: no %s in\n%s", big[i].name,
					 big[i].has[k], s.out);
		free(m.d);
	}
}

/* test_ntfs_dirs - paths through NTFS directories (the image needs
 * ntfs-3g's FUSE mount: skipped where images.sh could not make it) */
static void
test_ntfs_dirs(void **state)
{
	char path[4096];
	struct seen s;
	struct mem m;
	FILE *f;
	const char *dir = getenv("INSP_IMAGES_DIR");

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/ntfs-dirs.img", dir);
	if ((f = fopen(path, "rb")) == NULL)
		skip();
	fclose(f);
	load("ntfs-dirs.img", &m);
	walk_mem(&m, 10000, &s);
	assert_int_equal(s.res, 0);
	assert_non_null(strstr(s.out, "ntfs:Dir A/Sub B/deep.exe 6 hello.\n"));
	assert_non_null(strstr(s.out, "ntfs:Dir A/mid.txt 6 SHORT.\n"));
	free(m.d);
}

/* test_max_entries - a cap stops the listing and says so */
static void
test_max_entries(void **state)
{
	struct seen s;
	struct mem m;

	(void)state;
	load("fat12.img", &m);
	walk_mem(&m, 2, &s);
	assert_true(s.res & INSP_LISTER_TOO_MANY);
	assert_string_equal(s.out, "fat:Facture 2026 long name.exe 8 MZ fake.\n"
			    "fat:a.txt 6 hello.\n");
	free(m.d);
}

/* --- hostile images --- */

static void
le16_put(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
le32_put(unsigned char *p, uint32_t v)
{
	le16_put(p, v & 0xFFFF);
	le16_put(p + 2, v >> 16);
}

static uint32_t
le32_get(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
fat12_set(unsigned char *fat, unsigned c, unsigned v)
{
	unsigned char *p = fat + c + c / 2;

	if (c & 1) {
		p[0] = (unsigned char)((p[0] & 0x0F) | (v & 0x0F) << 4);
		p[1] = (unsigned char)(v >> 4);
	} else {
		p[0] = (unsigned char)v;
		p[1] = (unsigned char)((p[1] & 0xF0) | (v >> 8 & 0x0F));
	}
}

static void
dirent(unsigned char *e, const char *name11, unsigned attr, unsigned clus,
       uint32_t size)
{
	memcpy(e, name11, 11);
	e[11] = (unsigned char)attr;
	le16_put(e + 26, clus);
	le32_put(e + 28, size);
}

enum mini { MINI_OK, MINI_CHAIN_LOOP, MINI_DIR_CYCLE, MINI_BAD_CLUSTER,
	    MINI_LFN, MINI_LFN_BAD_SUM, MINI_LOWER_CASE };

/* lfn_put - one VFAT entry holding all of name (13 characters) for the
 * short entry whose checksum is sum */
static void
lfn_put(unsigned char *e, const char *name13, unsigned char sum)
{
	static const unsigned char pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20,
					       22, 24, 28, 30 };
	unsigned i;

	e[0] = 0x41;
	e[11] = 0x0F;
	e[13] = sum;
	for (i = 0; i < 13; i++)
		le16_put(e + pos[i], (unsigned char)name13[i]);
}

static unsigned char
short_sum(const char *name11)
{
	unsigned char s = 0;
	int i;

	for (i = 0; i < 11; i++)
		s = (unsigned char)(((s & 1) << 7) + (s >> 1) + (unsigned char)name11[i]);
	return s;
}

/* mini_fat - a 64-sector FAT12 volume made here: one FAT sector, a
 * one-sector root (SUB, A.TXT), data from sector 3, one sector per
 * cluster; damaged as told */
static void
mini_fat(struct mem *m, enum mini how)
{
	unsigned char *d, *fat, *root, *sub;

	m->n = 64 * 512;
	d = m->d = calloc(1, m->n);
	assert_non_null(d);
	memcpy(d, "\xEB\x3C\x90MSWIN4.1", 11);
	le16_put(d + 11, 512);
	d[13] = 1;
	le16_put(d + 14, 1);
	d[16] = 1;
	le16_put(d + 17, 16);
	le16_put(d + 19, 64);
	d[21] = 0xF8;
	le16_put(d + 22, 1);
	d[510] = 0x55;
	d[511] = 0xAA;
	fat = d + 512;
	root = d + 1024;
	sub = d + 3 * 512;                       /* cluster 2 */
	fat12_set(fat, 0, 0xFF8);
	fat12_set(fat, 1, 0xFFF);
	fat12_set(fat, 2, 0xFFF);
	fat12_set(fat, 3, 0xFFF);
	dirent(root, "SUB        ", 0x10, 2, 0);
	dirent(root + 32, "A       TXT", 0x20, 3, 5);
	if (how == MINI_LFN || how == MINI_LFN_BAD_SUM) {  /* before A.TXT */
		memmove(root + 64, root + 32, 32);
		lfn_put(root + 32, "Long name.exe", (unsigned char)(short_sum(
			"A       TXT") + (how == MINI_LFN_BAD_SUM)));
	} else if (how == MINI_LOWER_CASE) {
		root[32 + 12] = 0x18;            /* base and extension */
	}
	memcpy(d + 4 * 512, "hello", 5);         /* cluster 3 */
	dirent(sub, ".          ", 0x10, 2, 0);
	dirent(sub + 32, "..         ", 0x10, 0, 0);
	dirent(sub + 64, "B       EXE", 0x20, 0, 0);
	if (how == MINI_CHAIN_LOOP) {            /* A.TXT: 3 -> 3 -> ... */
		fat12_set(fat, 3, 3);
		le32_put(root + 32 + 28, 2000);
	} else if (how == MINI_DIR_CYCLE) {      /* SUB/LOOP is SUB */
		dirent(sub + 96, "LOOP       ", 0x10, 2, 0);
	} else if (how == MINI_BAD_CLUSTER) {
		le16_put(root + 32 + 26, 4000);
	}
}

/* tag_fix - a UDF descriptor tag's checksum after a change */
static void
tag_fix(unsigned char *t)
{
	unsigned sum = 0, i;

	for (i = 0; i < 16; i++)
		if (i != 4)
			sum += t[i];
	t[4] = (unsigned char)sum;
}

/* udf_fid - the n-th File Identifier Descriptor of the image (its tag
 * checksum good), or NULL */
static unsigned char *
udf_fid(const struct mem *m, unsigned n)
{
	size_t off;

	for (off = 0; off + 40 <= m->n; off += 4) {
		unsigned char *t = m->d + off, c = t[4];

		if (t[0] != 1 || t[1] != 1)      /* tag 257 */
			continue;
		tag_fix(t);
		if (t[4] == c && n-- == 0)
			return t;
		t[4] = c;
	}
	return NULL;
}

static void
udf_bad_fid_length(struct mem *m)
{
	unsigned char *f = udf_fid(m, 1);

	assert_non_null(f);
	le16_put(f + 36, 0xFFF0);                /* L_IU */
	tag_fix(f);
}

/* udf_dir_cycle - "sub" in the root points to the root itself (whose
 * ICB the root's parent entry, the first FID, names) */
static void
udf_dir_cycle(struct mem *m)
{
	unsigned char *root = udf_fid(m, 0), *f;
	unsigned i;

	assert_non_null(root);
	for (i = 1; (f = udf_fid(m, i)) != NULL; i++)
		if (f[19] == 4 && memcmp(f + 38 + f[36], "\x08sub", 4) == 0)
			break;
	assert_non_null(f);
	memcpy(f + 20, root + 20, 16);
	tag_fix(f);
}

static void
cut(struct mem *m, size_t n)
{
	assert_true(n <= m->n);
	m->n = n;
}

/* mbr_ebr_loop - the second EBR's link points to itself */
static void
mbr_ebr_loop(struct mem *m)
{
	uint32_t ext = le32_get(m->d + 446 + 32 + 8);
	uint32_t ebr2 = ext + le32_get(m->d + ext * 512 + 462 + 8);
	unsigned char *e1 = m->d + ebr2 * 512 + 462;

	e1[4] = 0x05;
	le32_put(e1 + 8, ebr2 - ext);
	le32_put(e1 + 12, 16);
}

static void
gpt_many_entries(struct mem *m)
{
	le32_put(m->d + 512 + 80, 1000000);
}

/* vhd_bat_past_end - the first block far past the file's end */
static void
vhd_bat_past_end(struct mem *m)
{
	const unsigned char *f = m->d;
	uint32_t hdr = le32_get(f + 20) >> 24 | (le32_get(f + 20) >> 8 & 0xFF00) |
		       (le32_get(f + 20) << 8 & 0xFF0000) | le32_get(f + 20) << 24;
	const unsigned char *h = m->d + hdr;
	uint32_t t = (uint32_t)h[20] << 24 | (uint32_t)h[21] << 16 |
		     (uint32_t)h[22] << 8 | h[23];

	memcpy(m->d + t, "\x00\x7F\xFF\xF0", 4);
}

/* udf_anchor_gone - sector 256 (2048-byte blocks) wiped: the anchor at
 * the last sector remains */
static void
udf_anchor_gone(struct mem *m)
{
	memset(m->d + 256 * 2048, 0, 2048);
}

/* udf_main_vds_gone - the main descriptor sequence wiped: the reserve
 * one remains */
static void
udf_main_vds_gone(struct mem *m)
{
	uint32_t loc = le32_get(m->d + 256 * 2048 + 20);

	assert_true((loc + 6ULL) * 2048 <= m->n);
	memset(m->d + loc * 2048ULL, 0, 6 * 2048);
}

/* ntfs_rec_of - the MFT record (1 KiB, "FILE") whose $FILE_NAME is the
 * ASCII name; *fn its $FILE_NAME value */
static unsigned char *
ntfs_rec_of(const struct mem *m, const char *name, unsigned char **fn)
{
	size_t off, k, i, len = strlen(name);

	for (off = 0; off + 1024 <= m->n; off += 1024) {
		unsigned char *r = m->d + off;

		if (memcmp(r, "FILE", 4) != 0)
			continue;
		for (k = 66; k + 2 * len <= 1024; k++) {
			for (i = 0; i < len; i++)
				if (r[k + 2 * i] != (unsigned char)name[i] ||
				    r[k + 2 * i + 1] != 0)
					break;
			if (i == len && r[k - 2] == len) {
				*fn = r + k - 66;
				return r;
			}
		}
	}
	return NULL;
}

/* ntfs_parent_is_a_file - f00.vbs's parent becomes f01.vbs */
static void
ntfs_parent_is_a_file(struct mem *m)
{
	unsigned char *fn00, *fn01, *r01;

	assert_non_null(ntfs_rec_of(m, "f00.vbs", &fn00));
	assert_non_null(r01 = ntfs_rec_of(m, "f01.vbs", &fn01));
	memset(fn00, 0, 8);
	le32_put(fn00, le32_get(r01 + 44));      /* f01's record number */
}

enum hostile_how { CUT, MINI, CHANGE };

static const struct {
	const char *name, *file;
	enum hostile_how how;
	size_t cut;
	enum mini mini;
	void (*change)(struct mem *m);
	unsigned want;                   /* result bits that must be set */
	const char *out;                 /* the listing, when checked */
} hostile[] = {
	{ "udf_anchor_256_gone", "udf-gen0201.img", CHANGE, 0, 0,
	  udf_anchor_gone, 0, UDF_TREE },
	{ "udf_main_vds_gone", "udf-gen0250.img", CHANGE, 0, 0,
	  udf_main_vds_gone, 0, UDF_TREE },
	{ "fat_truncated", "fat12.img", CUT, 1500, 0, NULL, INSP_LISTER_BROKEN, NULL },
	{ "fat_data_cut", "fat12.img", CUT, 10000, 0, NULL, INSP_LISTER_BROKEN, NULL },
	{ "fat32_truncated", "fat32.img", CUT, 300000, 0, NULL, INSP_LISTER_BROKEN, NULL },
	{ "fat_mini_ok", NULL, MINI, 0, MINI_OK, NULL, 0, NULL },
	{ "fat_chain_loop", NULL, MINI, 0, MINI_CHAIN_LOOP, NULL, INSP_LISTER_BROKEN, NULL },
	{ "fat_dir_cycle", NULL, MINI, 0, MINI_DIR_CYCLE, NULL, INSP_LISTER_BROKEN, NULL },
	{ "fat_bad_cluster", NULL, MINI, 0, MINI_BAD_CLUSTER, NULL, INSP_LISTER_BROKEN, NULL },
	{ "udf_truncated", "udf-bridge.iso", CUT, 540000, 0, NULL, INSP_LISTER_BROKEN, NULL },
	{ "udf_fid_bad_length", "udf-bridge.iso", CHANGE, 0, 0,
	  udf_bad_fid_length, INSP_LISTER_BROKEN, NULL },
	{ "udf_dir_cycle", "udf-bridge.iso", CHANGE, 0, 0, udf_dir_cycle,
	  INSP_LISTER_BROKEN, NULL },
	{ "mbr_ebr_loop", "mbr.img", CHANGE, 0, 0, mbr_ebr_loop, INSP_LISTER_BROKEN, NULL },
	{ "mbr_truncated", "mbr.img", CUT, 70000, 0, NULL, INSP_LISTER_BROKEN, NULL },
	{ "gpt_many_entries", "gpt.img", CHANGE, 0, 0, gpt_many_entries,
	  INSP_LISTER_BROKEN, NULL },
	{ "vhd_bat_past_end", "dynamic.vhd", CHANGE, 0, 0, vhd_bat_past_end,
	  INSP_LISTER_BROKEN, NULL },
	{ "vhd_truncated", "dynamic.vhd", CUT, 1000, 0, NULL, INSP_LISTER_BROKEN, NULL },
	{ "ntfs_truncated", "ntfs.img", CUT, 100000, 0, NULL,
	  INSP_LISTER_BROKEN, NULL },
	{ "ntfs_parent_is_a_file", "ntfs.img", CHANGE, 0, 0,
	  ntfs_parent_is_a_file, INSP_LISTER_BROKEN, NULL },
	{ "vhdx_truncated", "disk.vhdx", CUT, 256 * 1024, 0, NULL,
	  INSP_LISTER_BROKEN, NULL },
};

/* test_hostile - damaged images: the expected bits (and listing, where
 * a copy of the damaged structure remains), no crash (ASan) */
static void
test_hostile(void **state)
{
	struct seen s;
	struct mem m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		if (hostile[i].how == MINI)
			mini_fat(&m, hostile[i].mini);
		else
			load(hostile[i].file, &m);
		if (hostile[i].how == CUT)
			cut(&m, hostile[i].cut);
		else if (hostile[i].how == CHANGE)
			hostile[i].change(&m);
		walk_mem(&m, 10000, &s);
		if ((s.res & hostile[i].want) != hostile[i].want ||
		    (hostile[i].want == 0 && s.res != 0) ||
		    (hostile[i].out != NULL && strcmp(s.out, hostile[i].out) != 0))
			fail_msg("row %s: res %u, got\n%s", hostile[i].name,
				 s.res, s.out);
		free(m.d);
	}
}

/* test_mini_listing - the made FAT lists exactly: a cycle stops at the
 * directory met again, a long name counts only with its short entry's
 * checksum, the NT lower-case bits */
static void
test_mini_listing(void **state)
{
	static const struct {
		const char *name;
		enum mini how;
		const char *want;
	} rows[] = {
		{ "plain", MINI_OK, "fat:SUB/B.EXE 0 \nfat:A.TXT 5 hello\n" },
		{ "dir_cycle", MINI_DIR_CYCLE, "fat:SUB/B.EXE 0 \nfat:A.TXT 5 hello\n" },
		{ "long_name", MINI_LFN, "fat:SUB/B.EXE 0 \nfat:Long name.exe 5 hello\n" },
		{ "long_name_bad_checksum", MINI_LFN_BAD_SUM,
		  "fat:SUB/B.EXE 0 \nfat:A.TXT 5 hello\n" },
		{ "nt_lower_case", MINI_LOWER_CASE, "fat:SUB/B.EXE 0 \nfat:a.txt 5 hello\n" },
	};
	struct seen s;
	struct mem m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		mini_fat(&m, rows[i].how);
		walk_mem(&m, 100, &s);
		if (strcmp(s.out, rows[i].want) != 0)
			fail_msg("row %s: got\n%s", rows[i].name, s.out);
		free(m.d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_ntfs_dirs),
		cmocka_unit_test(test_max_entries),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_mini_listing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
