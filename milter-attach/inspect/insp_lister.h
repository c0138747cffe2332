/*
 * insp_lister.h - the inspector's own listers, for the images libarchive
 * does not read: UDF, FAT12/16/32, NTFS, MBR and GPT partition tables,
 * VHD (fixed and dynamic), VHDX
 *
 * A lister reads its image through a source (random access by offset:
 * the spooled attachment, a partition of it, or the virtual disk inside
 * a VHD/VHDX) and reports what it finds: files with their name and a
 * source for their content, or volumes (a partition, the disk inside a
 * VHD) that the inspector probes in turn.  Hostile input: every offset
 * and length is checked against the source's size, loops are bounded
 * (directories visited once, max_entries), never fails otherwise.
 */
#ifndef INSP_LISTER_H
#define INSP_LISTER_H

#include <stddef.h>

struct insp_src;

/* read len bytes at off: 0, or -1 when past the end or on error */
typedef int insp_read_fn(const struct insp_src *src, unsigned long long off,
			 void *buf, size_t len);

struct insp_src {
	insp_read_fn *read;
	unsigned long long size;
	void *h;                       /* the reader's state */
	unsigned long long base;       /* free for the reader (an offset) */
	int fd;                        /* free for the reader (a descriptor) */
};

/* insp_src_read - src->read(src, off, buf, len) with the bounds checked */
int insp_src_read(const struct insp_src *src, unsigned long long off,
		  void *buf, size_t len);
/* insp_src_fd - a source over size bytes of fd from offset base */
void insp_src_fd(struct insp_src *src, int fd, unsigned long long base,
		 unsigned long long size);
/* insp_src_window - a source over [off, off + len) of another source
 * (a partition); parent must outlive it */
void insp_src_window(struct insp_src *src, const struct insp_src *parent,
		     unsigned long long off, unsigned long long len);

enum insp_found_kind {
	INSP_FOUND_FILE,               /* a file: name, size, content */
	INSP_FOUND_VOLUME,             /* a partition or virtual disk: content
					* to probe; name is a label ("p1") */
};

struct insp_found {
	enum insp_found_kind kind;
	const char *name;              /* UTF-8 path inside the image */
	unsigned long long size;
	const struct insp_src *content;/* NULL when it cannot be read (a
					* fragmented file the lister does not
					* follow); valid during the callback */
};

typedef void insp_found_fn(void *ctx, const struct insp_found *f);

/* listing results: bits */
enum insp_lister_result {
	INSP_LISTER_BROKEN = 1 << 0,   /* inconsistent or truncated: not all
					* listed */
	INSP_LISTER_TOO_MANY = 1 << 1, /* more than max_entries */
};

struct insp_lister {
	const char *format;            /* "udf", "fat", "ntfs", "mbr", "gpt",
					* "vhd", "vhdx" */
	/* probe - 1 when src is this format */
	int (*probe)(const struct insp_src *src);
	/* list - report the files (or volumes); enum insp_lister_result bits */
	unsigned (*list)(const struct insp_src *src, unsigned max_entries,
			 insp_found_fn *cb, void *ctx);
};

/* the listers, in probe order (VHDX, VHD, GPT, MBR, UDF, FAT, NTFS),
 * NULL-ended */
extern const struct insp_lister *const insp_listers[];

#endif
