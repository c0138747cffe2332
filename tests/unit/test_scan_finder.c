/*
 * test_scan_finder.c - the walker with the zip and archive listers of
 * issue 11: a zip behind other bytes in any binary part (the zip
 * finder), a gzip without a stored name named after the attachment, a
 * V7 tar attachment, and nothing reported for parts without a zip; the
 * material is data/zip and data/arc (made by their make.sh)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scan.h"
#include "scan_support.h"

struct seen {
	char all[2048];          /* "origin:name|..." of the members */
	unsigned files;
};

/* record - members only: "origin:name|" */
static void
record(void *ctx, const struct scan_file *f)
{
	struct seen *s = ctx;
	size_t n = strlen(s->all);

	s->files++;
	if (f->origin == SCAN_ORIGIN_PART)
		return;
	snprintf(s->all + n, sizeof(s->all) - n, "%d:%s|", (int)f->origin,
		 f->n_names > 0 ? f->names[0] : "");
}

/* scan_attachment - a mail with the file as an attachment named name,
 * fed in chunks; the members seen and the anomalies */
static unsigned
scan_attachment(const char *path, const char *name, const char *type,
		size_t chunk, struct seen *seen)
{
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	struct scan_walker *s;
	char *buf, *msg, *enc;
	size_t len, mlen;

	if (read_file(path, &buf, &len) < 0)
		fail_msg("cannot read %s", path);
	enc = malloc(len * 2 + 64);
	msg = malloc(len * 2 + 1024);
	assert_non_null(enc);
	assert_non_null(msg);
	base64_lines((unsigned char *)buf, len, "\n", enc);
	mlen = (size_t)snprintf(msg, len * 2 + 1024,
		"From: a@example.org\nSubject: x\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=BB\n\n--BB\n"
		"Content-Type: text/plain\n\nsee attached\n--BB\n"
		"Content-Type: %s\nContent-Transfer-Encoding: base64\n"
		"Content-Disposition: attachment; filename=\"%s\"\n\n%s--BB--\n",
		type, name, enc);
	scan_limits_default(&lim);
	lim.magic = 0;
	memset(seen, 0, sizeof(*seen));
	s = scan_walker_new(&lim, record, seen, &err);
	assert_non_null(s);
	FEED_CHUNKS(scan_walker_feed, s, msg, mlen, chunk);
	scan_walker_finish(s, &sum);
	scan_walker_free(&s);
	free(buf);
	free(enc);
	free(msg);
	return sum.anomalies;
}

#define Z "1:"     /* SCAN_ORIGIN_ZIP_MEMBER */
#define A "4:"     /* SCAN_ORIGIN_ARCHIVE_MEMBER */

/* test_finder_in_mail - each row at chunk sizes 1, 7, 4096, whole */
static void
test_finder_in_mail(void **state)
{
	static const struct {
		const char *name, *dir, *file, *attachment, *type, *want;
	} rows[] = {
		{ "JPEG + zip named .jpg", ZIP_DATA, "jpg_zip.jpg", "photo.jpg",
		  "image/jpeg", Z "readme.txt|" Z "evil.exe|" },
		{ "MZ stub + zip", ZIP_DATA, "sfx.exe", "setup.bin",
		  "application/octet-stream", Z "evil.exe|" Z "readme.txt|" },
		{ "PDF + zip declared text/plain", ZIP_DATA, "pdf_zip.pdf", "a.pdf",
		  "text/plain", Z "readme.txt|" Z "evil.exe|" },
		{ "a zip in a zip's comment", ZIP_DATA, "comment.zip", "c.zip",
		  "application/zip", Z "notes.txt|" Z "readme.txt|" Z "evil.exe|" },
		{ "gzip -n named after the attachment", ARC_DATA, "Facture.exe.gz",
		  "Facture.exe.gz", "application/gzip", A "Facture.exe|" },
		{ "V7 tar", ARC_DATA, "v7.tar", "old.tar",
		  "application/x-tar", A "readme.txt|" A "Facture.exe|" },
		{ "no zip in a shell script", ZIP_DATA, "make.sh", "make.sh",
		  "application/octet-stream", "" },
	};
	static const size_t chunks[] = { 1, 7, 4096, 1u << 20 };
	size_t r, c;
	char path[512];

	(void)state;
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		snprintf(path, sizeof(path), "%s/%s", rows[r].dir, rows[r].file);
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct seen seen;
			unsigned a = scan_attachment(path, rows[r].attachment,
						     rows[r].type, chunks[c], &seen);

			if (strcmp(seen.all, rows[r].want) != 0 || a != 0)
				fail_msg("%s (chunk %zu): '%s' anomalies %#x",
					 rows[r].name, chunks[c], seen.all, a);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finder_in_mail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
