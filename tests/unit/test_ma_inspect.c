/*
 * test_ma_inspect.c - the pool of inspector processes (ma_inspect.h)
 * with the real milter-attach-inspect built here, and with helpers that
 * misbehave (hang, answer garbage, die at once): a carrier made by the
 * real tools is listed; a misbehaving helper costs the carrier
 * inspect_failed, is killed and started again, and the next request is
 * served; inspect_workers = 0 lists in-process; -t's checks
 */
#include <fcntl.h>
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

#include "anomaly.h"
#include "ma_config.h"
#include "ma_inspect.h"
#include "scan_support.h"

static char dir[] = "/tmp/test_ma_inspect.XXXXXX";

struct seen {
	unsigned n;
	char all[1024];
};

static void
member(void *ctx, const struct scan_member *m)
{
	struct seen *s = ctx;
	size_t l = strlen(s->all);

	s->n++;
	snprintf(s->all + l, sizeof(s->all) - l, "%s:%s|", m->format, m->name);
}

/* pool - a pool of workers running helper, with a timeout (a loaded
 * machine or a sanitizer slows the real helper: it gets 30 s; the bad
 * ones 1 s) */
static struct ma_inspect *
pool(const char *helper, unsigned workers, const char *timeout,
     struct ma_config **cfg)
{
	char text[1024];
	struct mg_error err;
	struct ma_inspect *p;

	snprintf(text, sizeof(text), "inspect_workers = %u\ninspect_helper = %s\n"
		 "inspect_timeout = %s\ninspect_spool_dir = %s\n", workers, helper, timeout,
		 dir);
	assert_int_equal(ma_config_parse_text(text, cfg, &err), 0);
	p = ma_inspect_start(*cfg, &err);
	assert_non_null(p);
	return p;
}

/* list - the carrier dir/name through the pool */
static unsigned
list(struct ma_inspect *p, const char *name, struct seen *seen)
{
	char path[256];
	struct stat st;
	unsigned a;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	memset(seen, 0, sizeof(*seen));
	a = ma_inspect_list(p, fd, (unsigned long long)st.st_size, name, 3, 10000,
			    member, seen);
	close(fd);
	return a;
}

/* real_helper - ISO, 7z and 7z with encrypted names, many times over
 * two workers, and in-process */
static void
real_helper(void **state)
{
	struct ma_config *cfg;
	struct ma_inspect *p;
	struct seen seen;
	unsigned fds = open_fds(), i, workers;

	(void)state;
	for (workers = 0; workers <= 2; workers += 2) {
		p = pool(INSPECT_HELPER, workers, "30s", &cfg);
		for (i = 0; i < 6; i++) {
			assert_int_equal(list(p, "a.iso", &seen), 0);
			assert_non_null(strstr(seen.all, "joliet:x.exe|"));
			assert_int_equal(list(p, "a.7z", &seen), 0);
			assert_string_equal(seen.all, "7z:x.exe|");
			assert_int_equal(list(p, "e.7z", &seen) & SCAN_ANOM_NAMES_ENCRYPTED,
					 SCAN_ANOM_NAMES_ENCRYPTED);
		}
		ma_inspect_stop(&p);
		assert_null(p);
		ma_config_unref(&cfg);
	}
	assert_int_equal(open_fds(), fds);
}

/* bad_helpers - each misbehaving helper costs inspect_failed, every
 * time (it is started again after each failure), and leaks nothing */
static void
bad_helpers(void **state)
{
	static const char *const rows[] = { "hang.sh", "garbage.py", "dies.sh" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char helper[256];
		struct ma_config *cfg;
		struct ma_inspect *p;
		struct seen seen;
		unsigned fds = open_fds(), k;

		snprintf(helper, sizeof(helper), "%s/%s", dir, rows[i]);
		print_message("row %s\n", rows[i]);
		p = pool(helper, 1, "1s", &cfg);
		for (k = 0; k < 2; k++) {
			assert_int_equal(list(p, "a.iso", &seen), SCAN_ANOM_INSPECT_FAILED);
			assert_int_equal(seen.n, 0);
		}
		ma_inspect_stop(&p);
		ma_config_unref(&cfg);
		assert_int_equal(open_fds(), fds);
	}
}

/* spool_read_only - the helper gets the spool read-only (even from a
 * read-write descriptor) */
static void
spool_read_only(void **state)
{
	char helper[256], path[256];
	struct ma_config *cfg;
	struct ma_inspect *p;
	struct seen seen;
	int fd;

	(void)state;
	snprintf(helper, sizeof(helper), "%s/ro_check.py", dir);
	snprintf(path, sizeof(path), "%s/a.iso", dir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	p = pool(helper, 1, "30s", &cfg);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ma_inspect_list(p, fd, 1, "a.iso", 3, 10, member, &seen), 0);
	ma_inspect_stop(&p);
	ma_config_unref(&cfg);
	close(fd);
}

/* checks - ma_inspect_check: the helper must be executable (unless no
 * workers), the spool directory writable */
static void
checks(void **state)
{
	static const struct { const char *row, *text; int ok; } rows[] = {
		{ "built helper", "inspect_helper = " INSPECT_HELPER "\ninspect_spool_dir = /tmp\n", 0 },
		{ "missing helper", "inspect_helper = /nonexistent/x\ninspect_spool_dir = /tmp\n", -1 },
		{ "helper is a directory", "inspect_helper = /tmp\ninspect_spool_dir = /tmp\n", -1 },
		{ "no workers, no helper", "inspect_workers = 0\ninspect_helper = /nonexistent\n"
		  "inspect_spool_dir = /tmp\n", 0 },
		{ "missing spool", "inspect_helper = " INSPECT_HELPER "\n"
		  "inspect_spool_dir = /nonexistent\n", -1 },
		{ "spool is a file", "inspect_helper = " INSPECT_HELPER "\n"
		  "inspect_spool_dir = " INSPECT_HELPER "\n", -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ma_config *cfg;
		struct mg_error err;

		print_message("row %s\n", rows[i].row);
		assert_int_equal(ma_config_parse_text(rows[i].text, &cfg, &err), 0);
		assert_int_equal(ma_inspect_check(cfg, &err), rows[i].ok);
		ma_config_unref(&cfg);
	}
}

static int
setup(void **state)
{
	(void)state;
	return work_dir_make(dir,
		"mkdir in && head -c 3000 /dev/urandom > in/x.exe && "
		"genisoimage -quiet -J -R -o a.iso in && "
		"(cd in && 7z a -bd ../a.7z x.exe >/dev/null && "
		"7z a -bd -pX -mhe=on ../e.7z x.exe >/dev/null) && "
		"printf '#!/bin/sh\nexec sleep 60\n' > hang.sh && "
		"printf '#!/bin/sh\nexit 0\n' > dies.sh && "
		"printf '#!/usr/bin/python3\nimport socket\n"
		"s = socket.socket(fileno=0)\ns.recv(9000)\n"
		"s.send(b\"Mxx\")\ns.recv(9000)\n' > garbage.py && "
		"printf '#!/usr/bin/python3\nimport array, fcntl, os, socket, struct\n"
		"s = socket.socket(fileno=0)\n"
		"m, anc, f, a = s.recvmsg(9000, socket.CMSG_LEN(4))\n"
		"fd = array.array(\"i\", anc[0][2])[0]\n"
		"ro = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY\n"
		"s.send(b\"E\" + struct.pack(\"<I\", 0 if ro else 1 << 10))\n"
		"s.recv(9000)\n' > ro_check.py && "
		"chmod +x hang.sh dies.sh garbage.py ro_check.py");
}

static int
teardown(void **state)
{
	(void)state;
	return work_dir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_helper),
		cmocka_unit_test(bad_helpers),
		cmocka_unit_test(spool_read_only),
		cmocka_unit_test(checks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
