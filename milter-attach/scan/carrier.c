/*
 * carrier.c - carriers recognised by their first bytes (see carrier.h)
 */
#include <string.h>

#include "bytes_private.h"
#include "carrier.h"

/* has - n bytes of d hold sig at off */
static int
has(const unsigned char *d, size_t n, size_t off, const void *sig, size_t len)
{
	return off + len <= n && memcmp(d + off, sig, len) == 0;
}

/* fat_boot_sector - a jump, a power-of-two sector size, a power-of-two
 * cluster size, reserved sectors, one or two FATs, and 55 AA */
static int
fat_boot_sector(const unsigned char *d, size_t n)
{
	unsigned bps, spc;

	if (n < 512 || d[510] != 0x55 || d[511] != 0xAA)
		return 0;
	if (d[0] != 0xEB && d[0] != 0xE9)
		return 0;
	bps = scan_le16(d + 11);
	spc = d[13];
	if (bps < 512 || bps > 4096 || (bps & (bps - 1)) != 0)
		return 0;
	if (spc == 0 || (spc & (spc - 1)) != 0)
		return 0;
	return scan_le16(d + 14) != 0 && (d[16] == 1 || d[16] == 2);
}

/* mbr - 55 AA and four partition entries with status 0x00 or 0x80, at
 * least one used, none starting at sector 0 */
static int
mbr(const unsigned char *d, size_t n)
{
	int i, used = 0;

	if (n < 512 || d[510] != 0x55 || d[511] != 0xAA)
		return 0;
	for (i = 0; i < 4; i++) {
		const unsigned char *e = d + 446 + 16 * i;
		unsigned long start = scan_le32(e + 8);

		if (e[0] != 0x00 && e[0] != 0x80)
			return 0;
		if (e[4] == 0)
			continue;
		if (start == 0)
			return 0;
		used++;
	}
	return used > 0;
}

/* udf_vrs - a volume recognition sequence: BEA01 then NSR02 or NSR03
 * within the next descriptors, 2048 or 4096 bytes apart */
static int
udf_vrs(const unsigned char *d, size_t n)
{
	size_t off;

	for (off = 32768; off + 6 <= n && off < 32768 + 8 * 2048; off += 2048)
		if (has(d, n, off + 1, "NSR02", 5) || has(d, n, off + 1, "NSR03", 5))
			return 1;
	return 0;
}

enum scan_carrier
scan_carrier_detect(const unsigned char *d, size_t n)
{
	if (has(d, n, 0, "7z\xBC\xAF\x27\x1C", 6))
		return SCAN_CARRIER_7Z;
	if (has(d, n, 0, "Rar!\x1A\x07\x00", 7) || has(d, n, 0, "Rar!\x1A\x07\x01\x00", 8))
		return SCAN_CARRIER_RAR;
	if (has(d, n, 0, "\xFD" "7zXZ\0", 6))
		return SCAN_CARRIER_XZ;
	if (n >= 10 && has(d, n, 0, "BZh", 3) && d[3] >= '1' && d[3] <= '9' &&
	    (has(d, n, 4, "\x31\x41\x59\x26\x53\x59", 6) ||
	     has(d, n, 4, "\x17\x72\x45\x38\x50\x90", 6)))
		return SCAN_CARRIER_BZIP2;
	if (has(d, n, 0, "\x28\xB5\x2F\xFD", 4))
		return SCAN_CARRIER_ZSTD;
	if (has(d, n, 0, "LZIP", 4) && n > 4 && d[4] == 1)
		return SCAN_CARRIER_LZIP;
	if (has(d, n, 0, "vhdxfile", 8))
		return SCAN_CARRIER_VHDX;
	if (has(d, n, 0, "conectix", 8))
		return SCAN_CARRIER_VHD;
	if (udf_vrs(d, n))
		return SCAN_CARRIER_UDF;
	if (has(d, n, 32769, "CD001", 5))
		return SCAN_CARRIER_ISO9660;
	if (has(d, n, 512, "EFI PART", 8) || has(d, n, 4096, "EFI PART", 8))
		return SCAN_CARRIER_DISK;
	if (fat_boot_sector(d, n))
		return SCAN_CARRIER_FAT;
	if (mbr(d, n))
		return SCAN_CARRIER_DISK;
	return SCAN_CARRIER_NONE;
}

const char *
scan_carrier_name(enum scan_carrier c)
{
	static const char *const names[] = {
		"", "iso9660", "udf", "fat", "disk", "vhd", "vhdx", "7z", "rar",
		"xz", "bzip2", "zstd", "lzip",
	};

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "";
}
