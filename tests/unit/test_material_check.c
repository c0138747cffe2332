/*
 * test_material_check.c - the scanner and the inspector, in-process, on
 * the carrier corpus of tests/material (carriers.sh, a ctest fixture):
 * every row of manifest.tsv is wrapped in a message (base64 attachment,
 * or a raw text part for yEnc) and walked with insp_list() as the
 * inspector; the row's name must be among the reported names, a
 * names_encrypted row must carry that anomaly, a harmless row none of
 * the anomalies a carrier can cause.  The inspector is the milter's own
 * pool (ma_inspect.h) with one sandboxed milter-attach-inspect helper, so
 * every carrier also goes through the request/reply protocol, the
 * rlimits and the seccomp allow-list.  One cmocka test per row, named
 * after its file; a file carriers.sh could not make is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "anomaly.h"
#include "ma_config.h"
#include "ma_inspect.h"
#include "material_name.h"
#include "scan.h"
#include "scan_support.h"

#define ROWS_MAX 128
#define SEEN_MAX 64
#define FIELD 256
#define CHUNK 65536

struct row {
	char file[FIELD], verdict[16], name[FIELD], anomaly[64], ctype[64];
};

struct seen {                    /* what the walker reported */
	char names[SEEN_MAX][FIELD];
	int n;
};

static const char *corpus_dir;

static struct ma_inspect *pool;      /* one helper, set up in main */

/* ---- one row ------------------------------------------------------------ */

static void
on_file(void *ctx, const struct scan_file *f)
{
	struct seen *s = ctx;
	size_t i;

	for (i = 0; i < f->n_names && s->n < SEEN_MAX; i++)
		snprintf(s->names[s->n++], FIELD, "%s", f->names[i]);
}

/* message - the file as the stack test sends it */
static char *
message(const struct row *r, const unsigned char *data, size_t len, size_t *out)
{
	size_t cap = len * 2 + 4096, n;
	char *m = malloc(cap);

	assert_non_null(m);
	if (strcmp(r->ctype, "text/plain") == 0) {
		n = (size_t)snprintf(m, cap, "From: a@x\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
				     "Content-Type: text/plain; charset=iso-8859-1\r\n"
				     "Content-Transfer-Encoding: 8bit\r\n\r\n");
		memcpy(m + n, data, len);
		*out = n + len;
		return m;
	}
	n = (size_t)snprintf(m, cap, "From: a@x\r\nSubject: t\r\nMIME-Version: 1.0\r\n"
			     "Content-Type: multipart/mixed; boundary=\"=b\"\r\n\r\n"
			     "--=b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
			     "--=b\r\nContent-Type: %s; name=\"%s\"\r\n"
			     "Content-Disposition: attachment; filename=\"%s\"\r\n"
			     "Content-Transfer-Encoding: base64\r\n\r\n",
			     strcmp(r->ctype, "-") ? r->ctype : "application/octet-stream",
			     r->file, r->file);
	for (size_t i = 0; i < len; i += 57) {
		n += (size_t)EVP_EncodeBlock((unsigned char *)m + n, data + i,
					     (int)(len - i < 57 ? len - i : 57));
		m[n++] = '\r';
		m[n++] = '\n';
	}
	n += (size_t)snprintf(m + n, cap - n, "--=b--\r\n");
	*out = n;
	return m;
}

static unsigned
walk(const char *msg, size_t len, struct seen *seen)
{
	struct scan_limits lim;
	struct scan_summary sum;
	struct mg_error err;
	struct scan_walker *s;
	size_t i;

	scan_limits_default(&lim);
	s = scan_walker_new(&lim, on_file, seen, &err);
	assert_non_null(s);
	scan_walker_set_inspector(s, ma_inspect_list, pool, "/tmp", 100ull << 20);
	for (i = 0; i < len; i += CHUNK)
		scan_walker_feed(s, msg + i, len - i < CHUNK ? len - i : CHUNK);
	scan_walker_finish(s, &sum);
	scan_walker_free(&s);
	return sum.anomalies;
}

static void
check_row(void **state)
{
	const struct row *r = *state;
	char path[2 * FIELD], *data, *msg;
	size_t len, mlen;
	struct seen seen = { .n = 0 };
	unsigned anom;
	int i, found = 0;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir, r->file);
	if (read_file(path, &data, &len) != 0)
		skip();
	msg = message(r, (unsigned char *)data, len, &mlen);
	anom = walk(msg, mlen, &seen);
	free(msg);
	free(data);
	for (i = 0; i < seen.n; i++)
		found |= material_same_name(seen.names[i], r->name);
	if (strcmp(r->name, "-") != 0 && !found) {
		for (i = 0; i < seen.n; i++)
			print_message("  reported: %s\n", seen.names[i]);
		fail_msg("%s: %s not reported", r->file, r->name);
	}
	if (strcmp(r->anomaly, "names_encrypted") == 0)
		assert_true(anom & SCAN_ANOM_NAMES_ENCRYPTED);
	if (strcmp(r->verdict, "accept") == 0)
		assert_int_equal(anom & (SCAN_ANOM_NAMES_ENCRYPTED | SCAN_ANOM_INSPECT_FAILED |
					 SCAN_ANOM_ZIP_BROKEN), 0);
}

/* ---- the manifest -------------------------------------------------------- */

static int
manifest_read(const char *path, struct row *rows, int max)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		struct row *r = &rows[n];

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%255[^\t]\t%15[^\t]\t%255[^\t]\t%63[^\t]\t%63[^\t]",
			   r->file, r->verdict, r->name, r->anomaly, r->ctype) == 5)
			n++;
	}
	fclose(f);
	return n;
}

static struct ma_config *cfg;

/* start_pool - milter-attach's pool: one helper, the build's binary */
static int
start_pool(void)
{
	char text[1024];
	struct mg_error err;

	snprintf(text, sizeof(text), "inspect_workers = 1\ninspect_helper = %s\n"
		 "inspect_spool_dir = /tmp\n", INSPECT_HELPER);
	if (ma_config_parse_text(text, &cfg, &err) != 0 ||
	    (pool = ma_inspect_start(cfg, &err)) == NULL) {
		fprintf(stderr, "test_material_check: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int
main(void)
{
	static struct row rows[ROWS_MAX];
	static struct CMUnitTest tests[ROWS_MAX];
	int n, i;

	corpus_dir = getenv("MATERIAL_DIR");
	if (corpus_dir == NULL || (n = manifest_read(MATERIAL_MANIFEST, rows, ROWS_MAX)) <= 0) {
		fprintf(stderr, "test_material_check: MATERIAL_DIR or %s missing\n",
			MATERIAL_MANIFEST);
		return 1;
	}
	if (start_pool() != 0)
		return 1;
	for (i = 0; i < n; i++) {
		tests[i].name = rows[i].file;
		tests[i].test_func = check_row;
		tests[i].initial_state = &rows[i];
	}
	i = _cmocka_run_group_tests("material_check", tests, (size_t)n, NULL, NULL);
	ma_inspect_stop(&pool);
	ma_config_unref(&cfg);
	return i;
}
