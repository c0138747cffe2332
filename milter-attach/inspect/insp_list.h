/*
 * insp_list.h - the inspector: the member names of a carrier, and of the
 * containers inside it, whatever their format
 *
 * Runs in the sandboxed helper process (milter-attach-inspect(8),
 * insp_worker.c), never in the milter: it parses hostile bytes with
 * third-party decoders.  The carrier is read from a file descriptor by
 * offset (pread), so formats that need random access work on the spooled
 * attachment.  Formats: what libarchive 3.6 reads (7z, RAR 4/5, ISO 9660
 * with Joliet and Rock Ridge, tar in any filter, cab, zip, xz, bzip2,
 * zstd, lzip, gzip single files...) and the image listers of
 * insp_lister.h (UDF, FAT, MBR/GPT disks, VHD, VHDX).  A member whose
 * first bytes are a container (any format above, or a zip, tar, gzip)
 * is extracted into memory (bounded by max_bytes in all) and listed in
 * turn, up to max_depth.  A single compressed file (.xz, .bz2, .zst, .lz,
 * a .gz without a stored name) is one member named after the carrier
 * minus its suffix ("Facture.exe.xz" -> "Facture.exe").
 *
 * In a sandbox: libarchive converts names to the locale's charset, so
 * insp_list() switches its thread to C.UTF-8 unless LC_CTYPE is UTF-8
 * already; loading a locale and the time zone opens files, so a caller
 * under a seccomp filter sets LC_CTYPE to C.UTF-8 and TZ=UTC0 before it.
 * Then a call needs only pread, memfd_create, write, close and memory
 * (brk, mmap, munmap) system calls.
 */
#ifndef INSP_LIST_H
#define INSP_LIST_H

struct insp_limits {
	unsigned max_depth;            /* 1: the carrier's members only;
					* default 3 (max_zip_depth) */
	unsigned max_entries;          /* members in all; default 10000 */
	unsigned long long max_bytes;  /* bytes extracted in all for nested
					* containers; default 100 MiB */
};

/* one member; valid during the callback only */
struct insp_member {
	const char *name;              /* UTF-8, as the format stores it (a
					* path: "dir/x.exe") */
	const char *format;            /* the format of the container that
					* holds it: "iso9660", "joliet",
					* "rockridge", "udf", "fat", "7z",
					* "rar", "tar", "zip", "cab", "xz"... */
	unsigned long long size;       /* 0 when unknown */
	int encrypted;                 /* its data is encrypted */
	unsigned depth;                /* 1: a member of the carrier itself */
};

typedef void insp_member_fn(void *ctx, const struct insp_member *m);

/* insp_list - report the members of the carrier (size bytes of fd,
 * read by offset) and of the containers inside; carrier_name is the
 * attachment's name ("" when none).  Returns the scanner's anomaly bits
 * (../scan/anomaly.h): SCAN_ANOM_ZIP_BROKEN (not listed to its end),
 * SCAN_ANOM_ZIP_DEPTH (nested deeper than max_depth, a bomb, or past
 * max_bytes), SCAN_ANOM_ZIP_ENTRIES (past max_entries),
 * SCAN_ANOM_NAMES_ENCRYPTED (names that cannot be read: 7z -mhe, RAR
 * -hp).  Never fails otherwise. */
unsigned insp_list(int fd, unsigned long long size, const char *carrier_name,
		   const struct insp_limits *lim, insp_member_fn *cb, void *ctx);

void insp_limits_default(struct insp_limits *lim);

#endif
