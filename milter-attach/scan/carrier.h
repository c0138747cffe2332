/*
 * carrier.h - containers the in-process listers do not open, recognised
 * by their first bytes whatever the file is called
 *
 * Disk images (ISO 9660, UDF, FAT, MBR/GPT disks, VHD, VHDX), 7z, RAR 4
 * and 5, and single-stream compressors (xz, bzip2, zstd, lzip).  The
 * walker (scan.h) spools such a file and hands it to the inspector (a
 * pool of sandboxed helper processes, ../inspect/); the in-process
 * listers (zip, tar, gzip, cab, TNEF) use it to tell that a member needs
 * the inspector.  Pure; no allocation.
 */
#ifndef SCAN_CARRIER_H
#define SCAN_CARRIER_H

#include <stddef.h>

enum scan_carrier {
	SCAN_CARRIER_NONE = 0,
	SCAN_CARRIER_ISO9660,   /* "CD001" at 32769 */
	SCAN_CARRIER_UDF,       /* volume recognition sequence (BEA01, NSR02/03) at 32768 */
	SCAN_CARRIER_FAT,       /* a FAT12/16/32 boot sector at 0 */
	SCAN_CARRIER_DISK,      /* an MBR (0x55AA at 510, a plausible partition
				 * table) or a GPT ("EFI PART" at 512) */
	SCAN_CARRIER_VHD,       /* a dynamic VHD ("conectix" at 0); a fixed VHD
				 * starts as the disk it holds (DISK or FAT) */
	SCAN_CARRIER_VHDX,      /* "vhdxfile" at 0 */
	SCAN_CARRIER_7Z,        /* 37 7A BC AF 27 1C */
	SCAN_CARRIER_RAR,       /* "Rar!" 1A 07 00 (RAR 4) or 1A 07 01 00 (RAR 5) */
	SCAN_CARRIER_XZ,        /* FD 37 7A 58 5A 00 */
	SCAN_CARRIER_BZIP2,     /* "BZh" '1'..'9' then 31 41 59 26 53 59 */
	SCAN_CARRIER_ZSTD,      /* 28 B5 2F FD */
	SCAN_CARRIER_LZIP,      /* "LZIP" */
};

/* the bytes scan_carrier_detect() looks at, at most: a UDF or ISO 9660
 * descriptor is 32 KiB in, after the system area */
#define SCAN_CARRIER_PROBE_BYTES (40 * 1024)

/* scan_carrier_detect - the carrier a file is, from its first n bytes
 * (all of them when the file is shorter than SCAN_CARRIER_PROBE_BYTES) */
enum scan_carrier scan_carrier_detect(const unsigned char *d, size_t n);
/* scan_carrier_name - "iso9660", "udf", "fat", "disk", "vhd", "vhdx",
 * "7z", "rar", "xz", "bzip2", "zstd", "lzip"; "" for NONE */
const char *scan_carrier_name(enum scan_carrier c);

#endif
