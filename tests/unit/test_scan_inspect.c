/*
 * test_scan_inspect.c - the walker's inspector hook (scan.h,
 * scan_walker_set_inspector): a carrier found in a base64 part at
 * several chunk sizes, in a uuencoded file, in an encoded inner message,
 * short and long; the inspector gets an unlinked 0600 file holding
 * exactly the decoded bytes; plain files never reach it; past max_bytes
 * the file is inspect_failed; no descriptor is left open.  The inspector
 * here is an in-process fake that checks what it is given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scan.h"
#include "scan_support.h"

#define BIG (100 * 1024)

static unsigned char content[BIG];     /* the carrier's decoded bytes */
static char msg[4 * BIG];

struct fake {                          /* what the fake inspector saw */
	unsigned calls;
	size_t want_len;                   /* content's bytes it must get */
	int same, unlinked, mode600;
	char name[256];
};

struct seen {
	unsigned files, members;
	char container[256], format[32];
	unsigned depth;
};

/* fake_inspect - compare the spool to content, report one member */
static unsigned
fake_inspect(void *ctx, int fd, unsigned long long size, const char *name,
	     unsigned max_depth, unsigned max_entries,
	     scan_inspect_member_fn *cb, void *cbctx)
{
	struct fake *f = ctx;
	struct scan_member m = { "inside.exe", "fake7z", 42, 0, 1 };
	unsigned char *back = malloc(BIG + 1);
	char link[64], target[512];
	struct stat st;
	ssize_t r, t;

	(void)max_depth; (void)max_entries;
	f->calls++;
	snprintf(f->name, sizeof(f->name), "%s", name);
	r = pread(fd, back, BIG + 1, 0);
	f->same = size == f->want_len && r == (ssize_t)f->want_len &&
		  memcmp(back, content, f->want_len) == 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	t = readlink(link, target, sizeof(target) - 1);
	target[t > 0 ? t : 0] = '\0';
	f->unlinked = strstr(target, "(deleted)") != NULL;
	f->mode600 = fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600;
	free(back);
	cb(cbctx, &m);
	return 0;
}

static void
record(void *ctx, const struct scan_file *f)
{
	struct seen *s = ctx;

	s->files++;
	if (f->origin != SCAN_ORIGIN_CARRIER_MEMBER)
		return;
	s->members++;
	snprintf(s->container, sizeof(s->container), "%s", f->container);
	snprintf(s->format, sizeof(s->format), "%s", f->format);
	s->depth = f->depth;
	assert_string_equal(f->names[0], "inside.exe");
	assert_true(f->size == 42);
}

/* scan - msg through a walker with the fake inspector (max_bytes), in
 * chunks; the summary's anomalies */
static unsigned
scan(size_t len, size_t chunk, unsigned long long max_bytes, struct fake *f,
     struct seen *seen)
{
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	struct scan_walker *s;
	unsigned fds = open_fds();

	scan_limits_default(&lim);
	lim.magic = 0;
	memset(seen, 0, sizeof(*seen));
	s = scan_walker_new(&lim, record, seen, &err);
	assert_non_null(s);
	scan_walker_set_inspector(s, fake_inspect, f, "/tmp", max_bytes);
	FEED_CHUNKS(scan_walker_feed, s, msg, len, chunk);
	scan_walker_finish(s, &sum);
	assert_int_equal(sum.files, seen->files);
	scan_walker_free(&s);
	assert_int_equal(open_fds(), fds);       /* the spool is closed */
	return sum.anomalies;
}

/* make_content - n bytes: a 7z signature (or not), then noise */
static void
make_content(size_t n, int carrier)
{
	size_t i;

	for (i = 0; i < n; i++)
		content[i] = (unsigned char)((i * 2654435761u) >> 13);
	if (carrier)
		memcpy(content, "7z\xBC\xAF\x27\x1C\0\4", 8);
	else
		memcpy(content, "%PDF-1.7\n", 9);
}

/* base64_message - a multipart message with a text part and the
 * content as a base64 attachment named name */
static size_t
base64_message(char *out, size_t n, const char *name)
{
	size_t o = (size_t)sprintf(out,
		"From: a@example.org\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
		"--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
		"--b1\r\nContent-Type: application/octet-stream\r\n"
		"Content-Disposition: attachment; filename=\"%s\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n", name);

	o += base64_lines(content, n, "\r\n", out + o);
	o += (size_t)sprintf(out + o, "--b1--\r\n");
	return o;
}

/* carrier_in_base64 - found, spooled exactly, at every chunking and
 * for a carrier shorter and longer than the probe window */
static void
carrier_in_base64(void **state)
{
	static const size_t chunks[] = { 1, 7, 100, 4096, 65536, 1 << 20 };
	static const size_t sizes[] = { 1000, 40960, 40961, BIG };
	size_t c, z;

	(void)state;
	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		size_t len;

		make_content(sizes[z], 1);
		len = base64_message(msg, sizes[z], "Facture.7z");
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct fake f = { 0, sizes[z], 0, 0, 0, "" };
			struct seen seen;

			print_message("size %zu chunk %zu\n", sizes[z], chunks[c]);
			assert_int_equal(scan(len, chunks[c], 1 << 30, &f, &seen), 0);
			assert_int_equal(f.calls, 1);
			assert_true(f.same);
			assert_true(f.unlinked);
			assert_true(f.mode600);
			assert_string_equal(f.name, "Facture.7z");
			assert_int_equal(seen.members, 1);
			assert_string_equal(seen.container, "Facture.7z");
			assert_string_equal(seen.format, "fake7z");
			assert_int_equal(seen.depth, 1);
			assert_int_equal(seen.files, 2);   /* the part, its member */
		}
	}
}

/* uu - content[0..n) as a uuencoded file named name, appended at out */
static size_t
uu(size_t n, const char *name, char *out)
{
	size_t i, o = (size_t)sprintf(out, "begin 644 %s\r\n", name);

	for (i = 0; i < n; i += 45) {
		size_t k = n - i < 45 ? n - i : 45, j;

		out[o++] = (char)(32 + k);
		for (j = 0; j < k; j += 3) {
			unsigned long v = (unsigned long)content[i + j] << 16 |
				(j + 1 < k ? (unsigned long)content[i + j + 1] << 8 : 0) |
				(j + 2 < k ? content[i + j + 2] : 0);
			int q;

			for (q = 3; q >= 0; q--) {
				unsigned c = v >> (6 * q) & 63;
				out[o++] = (char)(c ? 32 + c : '`');
			}
		}
		out[o++] = '\r';
		out[o++] = '\n';
	}
	o += (size_t)sprintf(out + o, "`\r\nend\r\n");
	return o;
}

/* carrier_uuencoded - an inline uuencoded carrier in a text body */
static void
carrier_uuencoded(void **state)
{
	struct fake f = { 0, BIG, 0, 0, 0, "" };
	struct seen seen;
	size_t len;

	(void)state;
	make_content(BIG, 1);
	len = (size_t)sprintf(msg, "From: a@example.org\r\n\r\nsee below\r\n");
	len += uu(BIG, "disk.img", msg + len);
	assert_int_equal(scan(len, 333, 1 << 30, &f, &seen), 0);
	assert_int_equal(f.calls, 1);
	assert_true(f.same);
	assert_string_equal(f.name, "disk.img");
	assert_int_equal(seen.members, 1);
	assert_string_equal(seen.container, "disk.img");
}

/* carrier_in_inner_message - a base64 message/rfc822 holding a base64
 * carrier: the child walker inherits the inspector */
static void
carrier_in_inner_message(void **state)
{
	static char inner[2 * BIG];
	struct fake f = { 0, BIG, 0, 0, 0, "" };
	struct seen seen;
	size_t ilen, len;

	(void)state;
	make_content(BIG, 1);
	ilen = base64_message(inner, BIG, "inner.rar");
	len = (size_t)sprintf(msg,
		"From: a@example.org\r\nMIME-Version: 1.0\r\n"
		"Content-Type: message/rfc822\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n");
	len += base64_lines((const unsigned char *)inner, ilen, "\r\n", msg + len);
	assert_int_equal(scan(len, 4096, 1 << 30, &f, &seen), 0);
	assert_int_equal(f.calls, 1);
	assert_true(f.same);
	assert_string_equal(f.name, "inner.rar");
	assert_int_equal(seen.members, 1);
	assert_int_equal(seen.depth, 2);
}

/* plain_files_not_inspected - a PDF-like file, short and long, and a
 * gzip-less text attachment never reach the inspector */
static void
plain_files_not_inspected(void **state)
{
	static const size_t sizes[] = { 100, 40960, BIG };
	size_t z;

	(void)state;
	for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		struct fake f = { 0, 0, 0, 0, 0, "" };
		struct seen seen;
		size_t len;

		make_content(sizes[z], 0);
		len = base64_message(msg, sizes[z], "doc.pdf");
		assert_int_equal(scan(len, 1000, 1 << 30, &f, &seen), 0);
		assert_int_equal(f.calls, 0);
		assert_int_equal(seen.members, 0);
		assert_int_equal(seen.files, 1);
	}
}

/* past_max_bytes - a carrier larger than max_bytes is inspect_failed,
 * and the inspector is not called */
static void
past_max_bytes(void **state)
{
	static const unsigned long long maxes[] = { 1000, 40960, BIG - 1 };
	size_t i, len;

	(void)state;
	make_content(BIG, 1);
	len = base64_message(msg, BIG, "big.iso");
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		struct fake f = { 0, BIG, 0, 0, 0, "" };
		struct seen seen;

		assert_int_equal(scan(len, 4096, maxes[i], &f, &seen),
				 SCAN_ANOM_INSPECT_FAILED);
		assert_int_equal(f.calls, 0);
	}
	{       /* exactly max_bytes fits */
		struct fake f = { 0, BIG, 0, 0, 0, "" };
		struct seen seen;

		assert_int_equal(scan(len, 4096, BIG, &f, &seen), 0);
		assert_int_equal(f.calls, 1);
	}
}

/* unwritable_spool - a spool directory that does not exist costs the
 * carrier inspect_failed */
static void
unwritable_spool(void **state)
{
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	struct scan_walker *s;
	struct fake f = { 0, BIG, 0, 0, 0, "" };
	struct seen seen;
	size_t len;

	(void)state;
	make_content(BIG, 1);
	len = base64_message(msg, BIG, "x.7z");
	scan_limits_default(&lim);
	lim.magic = 0;
	memset(&seen, 0, sizeof(seen));
	s = scan_walker_new(&lim, record, &seen, &err);
	assert_non_null(s);
	scan_walker_set_inspector(s, fake_inspect, &f, "/nonexistent/spool", 1 << 30);
	scan_walker_feed(s, msg, len);
	scan_walker_finish(s, &sum);
	scan_walker_free(&s);
	assert_int_equal(sum.anomalies, SCAN_ANOM_INSPECT_FAILED);
	assert_int_equal(f.calls, 0);
}

/* archive_without_carrier - a zip is spooled but, its lister finding no
 * carrier inside, not inspected */
static void
archive_without_carrier(void **state)
{
	static unsigned char zip[4096];
	const char *names[] = { "a.txt" };
	const unsigned char *datas[] = { (const unsigned char *)"hello" };
	size_t lens[] = { 5 }, zlen, len;
	struct fake f = { 0, 0, 0, 0, 0, "" };
	struct seen seen;

	(void)state;
	zlen = make_zip(zip, names, datas, lens, 1, 0);
	memcpy(content, zip, zlen);
	len = base64_message(msg, zlen, "a.zip");
	assert_int_equal(scan(len, 50, 1 << 30, &f, &seen), 0);
	assert_int_equal(f.calls, 0);
	assert_int_equal(seen.files, 2);            /* the zip, a.txt */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(carrier_in_base64),
		cmocka_unit_test(carrier_uuencoded),
		cmocka_unit_test(carrier_in_inner_message),
		cmocka_unit_test(plain_files_not_inspected),
		cmocka_unit_test(past_max_bytes),
		cmocka_unit_test(unwritable_spool),
		cmocka_unit_test(archive_without_carrier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
