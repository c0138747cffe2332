/*
 * insp_rawname.h - the name of the one file inside a single compressed
 * file (.xz, .bz2, .zst, .lz, .gz, .lzma, .Z): its stored name when the
 * format keeps one (gzip FNAME), else the carrier's name minus its
 * compressor suffixes, as extractors name it ("Facture.exe.xz" ->
 * "Facture.exe"), else a neutral name; and the name a uuencoded file
 * declares.  Pure.
 */
#ifndef INSP_RAWNAME_H
#define INSP_RAWNAME_H

#include <stddef.h>

/* the name when nothing better is known (libarchive's own) */
#define INSP_RAWNAME_NEUTRAL "data"

/* insp_raw_name - into out (outsz > 0, cut to fit): stored (NULL or
 * INSP_RAWNAME_NEUTRAL when the format stores none), else carrier_name
 * (may be NULL) without up to layers compressor suffixes, else
 * INSP_RAWNAME_NEUTRAL; returns out */
const char *insp_raw_name(const char *stored, const char *carrier_name,
			  unsigned layers, char *out, size_t outsz);

/* insp_uu_name - the file name of the first "begin MODE NAME" (or
 * "begin-base64 MODE NAME") line in the first n bytes of a uuencoded
 * file, into out (cut to fit); 1 found, 0 not */
int insp_uu_name(const unsigned char *d, size_t n, char *out, size_t outsz);

#endif
