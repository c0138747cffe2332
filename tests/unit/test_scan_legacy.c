/*
 * test_scan_legacy.c - legacy encodings clients still decode (issue 11
 * item 6) and the parts that are no file (item 9), through the walker:
 * BinHex 4.0 (inline notice in text, application/mac-binhex40 parts,
 * base64-encoded), yEnc blocks (escapes, =ypart), a part whose content is
 * a uuencoded file (.uue, plain and base64), message/partial,
 * message/external-body; each in chunks of 1, 3, 7 and 65536 bytes, with
 * the decoded file's size and SHA-256.  The BinHex text was made by an
 * encoder written from the format and checked with lsar/unar (unar
 * extracts the same 49 bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scan.h"
#include "scan_support.h"

struct lseen {
	char all[2048];          /* "origin:name|..." */
	char file[200];          /* the last inline file: "size sha256" */
	unsigned n;
};

/* lrecord - a scan_file_fn noting names, and size + hash of inline files */
static void
lrecord(void *ctx, const struct scan_file *f)
{
	struct lseen *s = ctx;
	size_t l = strlen(s->all);

	s->n++;
	snprintf(s->all + l, sizeof(s->all) - l, "%d:%s|", f->origin,
		 f->n_names > 0 ? f->names[0] : "-");
	if (f->origin == SCAN_ORIGIN_BINHEX || f->origin == SCAN_ORIGIN_YENC ||
	    f->origin == SCAN_ORIGIN_UUENCODE)
		snprintf(s->file, sizeof(s->file), "%llu %s", f->size, f->sha256_hex);
}

/* the 49 bytes every encoded file below holds (yEnc: 4 more that need
 * escapes) */
#define SHA49 "49 154c295f9b60fb19aee5a70f4d310782fe9cf05a5eea4fb5e031fd188d014380"
#define SHA53 "53 7ac6b939ed6d2434578843618e07be8e26526a87a49ceec5110ca4fb23b6dbd9"

#define HQX "(This file must be converted with BinHex 4.0)\n" \
	"\n" \
	":#fPZGQpTBf8ZCAKP!&4&@&4dG(Kd!*!&-3#3\"1Gq69U3!!!$!*!$\"!#3!rrr!!\"\n" \
	"\"N\"53!*!!N!#3!*!!23d+!#\"PEQ6'R`!!:\n"
#define HQX_B64 \
	"KFRoaXMgZmlsZSBtdXN0IGJlIGNvbnZlcnRlZCB3aXRoIEJpbkhleCA0LjApCgo6I2ZQWkdRcFRC\n" \
	"ZjhaQ0FLUCEmNCZAJjRkRyhLZCEqISYtMyMzIjFHcTY5VTMhISEkISohJCIhIzMhcnJyISEiCiJO\n" \
	"IjUzISohIU4hIzMhKiEhMjNkKyEjIlBFUTYnUmAhIToK\n"
#define YENC_DATA \
	"w\x84\xba*-***.***))**kkkkkkkkkkkkkkkkkkkk\xba\xba\xba\xba\xbag74*J\x8f\x98\x8e=@=J=M=}\n"
#define UU "begin 644 invoice.exe\n" \
	"M35J0  ,    $    __\\  $%!04%!04%!04%!04%!04%!04%!D)\"0D) ]#0H \n" \
	"$(&5N9   \n" \
	"`\n" \
	"end\n"
#define UU_B64 \
	"YmVnaW4gNjQ0IGludm9pY2UuZXhlCk0zNUowICAsICAgICQgICAgX19cICAkJSEwNCUhMDQlITA0\n" \
	"JSEwNCUhMDQlITA0JSFEKSIwRCkgXSMwSCAKJCgmNU45ICAgCmAKZW5kCg==\n"
#define MP "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"

struct lrow {
	const char *name, *msg;
	const char *want;        /* exact "origin:name|" list */
	const char *file;        /* "size sha256" of the inline file, or "" */
	unsigned anomalies;
};

static const struct lrow rows[] = {
	{ "BinHex notice in a text part",
	  "Content-Type: text/plain\n\nHello,\n" HQX "bye\n", "6:invoice.exe|", SHA49, 0 },
	{ "application/mac-binhex40 part: the .hqx and the file in it",
	  MP "--b1\nContent-Type: application/mac-binhex40; name=\"doc.hqx\"\n\n" HQX "--b1--\n",
	  "6:invoice.exe|0:doc.hqx|", SHA49, 0 },
	{ "mac-binhex40 part without the notice line",
	  MP "--b1\nContent-Type: application/mac-binhex40; name=doc.hqx\n\n"
	  ":#fPZGQpTBf8ZCAKP!&4&@&4dG(Kd!*!&-3#3\"1Gq69U3!!!$!*!$\"!#3!rrr!!\"\n"
	  "\"N\"53!*!!N!#3!*!!23d+!#\"PEQ6'R`!!:\n--b1--\n",
	  "6:invoice.exe|0:doc.hqx|", SHA49, 0 },
	{ "BinHex in a base64 attachment",
	  MP "--b1\nContent-Type: application/octet-stream; name=a.hqx\n"
	  "Content-Transfer-Encoding: base64\n\n" HQX_B64 "--b1--\n",
	  "6:invoice.exe|0:a.hqx|", SHA49, 0 },
	{ "yEnc block in a text part, escapes",
	  "Content-Type: text/plain; charset=x-user-defined\n\n"
	  "=ybegin line=128 size=53 name=invoice.exe\n" YENC_DATA "=yend size=53\n",
	  "7:invoice.exe|", SHA53, 0 },
	{ "yEnc multi-part post: the part is a file under the name",
	  "Content-Type: text/plain\n\ntext\n=ybegin part=1 total=2 line=128 size=90 name=big setup.scr \n"
	  "=ypart begin=1 end=53\n" YENC_DATA "=yend size=53 part=1\nmore text\n",
	  "7:big setup.scr|", SHA53, 0 },
	{ "yEnc without a name: still a file",
	  "Content-Type: text/plain\n\n=ybegin line=128 size=53\n" YENC_DATA "=yend size=53\n",
	  "7:-|", SHA53, 0 },
	{ "uuencoded file as an octet-stream part (.uue)",
	  MP "--b1\nContent-Type: application/octet-stream; name=\"mail.uue\"\n\n" UU "--b1--\n",
	  "2:invoice.exe|0:mail.uue|", SHA49, 0 },
	{ "uuencoded file in a base64 part",
	  MP "--b1\nContent-Type: application/octet-stream; name=\"mail.uue\"\n"
	  "Content-Transfer-Encoding: base64\n\n" UU_B64 "--b1--\n",
	  "2:invoice.exe|0:mail.uue|", SHA49, 0 },
	{ "uuencoded file in a base64 text part",
	  MP "--b1\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" UU_B64 "--b1--\n",
	  "2:invoice.exe|", SHA49, 0 },
	{ ".uue opening with comment lines (as uuencode front-ends write)",
	  MP "--b1\nContent-Type: application/octet-stream; name=\"mail.uue\"\n\n"
	  "section 1 of 1 of file invoice.exe  < uuencode by Wincode >\n\n" UU "--b1--\n",
	  "2:invoice.exe|0:mail.uue|", SHA49, 0 },
	{ "marker past the first 16 lines of a binary part: not looked for",
	  MP "--b1\nContent-Type: application/octet-stream; name=a.bin\n\n"
	  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n" UU "--b1--\n",
	  "0:a.bin|", "", 0 },
	{ "a long first line without marker, then a marker: found",
	  MP "--b1\nContent-Type: application/octet-stream; name=\"l.uue\"\n"
	  "Content-Transfer-Encoding: quoted-printable\n\n"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\n"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" UU "--b1--\n",
	  "2:invoice.exe|0:l.uue|", SHA49, 0 },
	{ "binary part whose first line is no marker: the part only",
	  MP "--b1\nContent-Type: application/octet-stream; name=a.bin\n\nxx begin 644 x.exe\n"
	  "M35J0\nend\n--b1--\n", "0:a.bin|", "", 0 },
	{ "message/partial: a fragment, refused as an anomaly",
	  MP "--b1\nContent-Type: message/partial; id=\"abc@x\"; number=1; total=2\n\n"
	  "Content-Type: application/octet-stream; name=x.exe\n\nTVqQ\n--b1--\n",
	  "", "", SCAN_ANOM_MESSAGE_PARTIAL },
	{ "top-level message/partial",
	  "Content-Type: message/partial; id=\"abc@x\"; number=2; total=2\n\nAAAA\n",
	  "", "", SCAN_ANOM_MESSAGE_PARTIAL },
	{ "message/external-body: a reference, its own origin",
	  MP "--b1\nContent-Type: message/external-body; access-type=URL;\n"
	  " URL=\"https://files.example/setup.exe\"; name=\"setup.exe\"\n\n"
	  "Content-Type: application/octet-stream\n\n--b1--\n",
	  "8:setup.exe|", "", 0 },
};

/* scan_row - one message in chunks; its anomalies */
static unsigned
scan_row(const char *msg, size_t chunk, struct lseen *seen)
{
	unsigned files, a;

	memset(seen, 0, sizeof(*seen));
	a = walk_message(msg, strlen(msg), chunk, 0, 0, lrecord, seen, &files);
	assert_int_equal(files, seen->n);
	return a;
}

/* test_legacy - every row, every chunking */
static void
test_legacy(void **state)
{
	static const size_t chunks[] = { 1, 3, 7, 65536 };
	size_t i, c;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct lseen seen;
			unsigned a = scan_row(rows[i].msg, chunks[c], &seen);
			if (strcmp(seen.all, rows[i].want) != 0 || a != rows[i].anomalies ||
			    strcmp(seen.file, rows[i].file) != 0)
				fail_msg("%s (chunk %zu): got '%s' file '%s' anomalies 0x%x",
					 rows[i].name, chunks[c], seen.all, seen.file, a);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
