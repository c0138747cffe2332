/*
 * scan.c - the streaming MIME walker (see scan.h)
 *
 * bytes -> lines (CR stripped) -> per line: a boundary of any open
 * multipart closes/opens parts (outer boundaries close inner parts, as
 * clients do); otherwise the line is a header of the current entity or
 * body data, decoded into the current part's sinks: size, SHA-256, the
 * first bytes for libmagic, an archive lister (zip, TNEF, tar, gzip,
 * cab), or a child scanner for an encoded message/rfc822.  Parts report
 * at their end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <magic.h>
#include <openssl/evp.h>

#include "arc_names.h"
#include "binhex.h"
#include "carrier.h"
#include "mime_decode.h"
#include "mime_hdr.h"
#include "name_norm.h"
#include "scan.h"
#include "spool.h"
#include "tnef_names.h"
#include "yenc.h"
#include "zip_names.h"

#define LINE_MAX_LEN  8192
#define HDR_MAX_LEN   65536
#define MAGIC_BYTES   40960
#define TEXT_MAGIC_BYTES 4096
#define PART_NAMES    (2 * SCAN_MIME_NAMES_MAX + 1)
_Static_assert(MAGIC_BYTES == SCAN_CARRIER_PROBE_BYTES,
	       "the carrier probe is the libmagic window");

enum wstate { W_HEADERS, W_BODY, W_STOP };
enum enc { E_ID, E_B64, E_QP, E_UU };
enum inl { INL_NONE, INL_UU, INL_BINHEX, INL_YENC };  /* inline files */

struct level {
	char *boundary;                 /* any length up to the header cap */
	size_t blen, bcap;
	int digest;
	int closed;
	unsigned depth;
};

#define HASH_BATCH 8192

struct sink {                       /* where decoded bytes of a file go */
	int active;
	EVP_MD_CTX *md;
	unsigned char hbuf[HASH_BATCH];  /* decoded lines are short (57 bytes in
					  * base64): hashed in batches */
	size_t hlen;
	unsigned char magic[MAGIC_BYTES];
	size_t magic_len;
	unsigned long long size;
	unsigned char first[4];
	struct scan_zip_lister *zip;
	struct scan_tnef_lister *tnef;    /* winmail.dat */
	struct scan_arc_lister *arc;      /* tar, gzip, cab */
	struct scan_zip_lister *finder;   /* none of those: zips anywhere */
	/* with an inspector: probed at SCAN_CARRIER_PROBE_BYTES or the end */
	int probed;
	enum scan_carrier carrier;
	struct scan_spool spool;          /* a carrier or an archive */
};

struct inspector {                  /* scan_walker_set_inspector() */
	scan_inspect_fn *fn;            /* NULL: none */
	void *ctx;
	char spool_dir[1024];
	unsigned long long max_bytes;
};

struct scan_walker {
	struct scan_limits lim;
	scan_file_fn *cb;
	void *ctx;
	magic_t cookie;
	unsigned base_depth;

	char line[LINE_MAX_LEN];
	size_t llen;
	int line_cont;                  /* the next piece continues a long line */
	int pend_idx, pend_close;       /* a long line that is a boundary so
					 * far (white space after it): the level,
					 * or -1 */
	char *hdr;                      /* HDR_MAX_LEN */
	size_t hlen;

	enum wstate state;
	unsigned depth;                 /* depth of the current entity */
	struct level *levels;
	unsigned nlevels, maxlevels;
	struct scan_mime_hdr ct, cd;    /* cd: also the names of the other
					 * name headers (Content-Name...) */
	int have_ct, have_cte, digest_default;
	int hdr_cont;                   /* a long header line continues */
	char cte[32];
	char sun_cte[32];               /* X-Sun-Encoding-Info, mapped */
	int sun_binary;                 /* X-Sun-Data-Type other than text */

	/* the current leaf */
	int leaf;                       /* body lines are data */
	int emit;                       /* the part is reported */
	int is_text;
	enum enc enc;
	struct scan_b64_state b64;
	int pending_crlf;
	struct sink part;
	char names[PART_NAMES][SCAN_MIME_NAME_MAX];     /* as clients save them */
	char raw_names[PART_NAMES][SCAN_MIME_NAME_MAX]; /* as declared */
	const char *name_ptrs[PART_NAMES], *raw_ptrs[PART_NAMES];
	size_t n_names;
	int no_boundary;                /* a multipart without boundary= read
					 * as text: 1, 2 in the header-like lines
					 * after a "--" line (nb_line) */
	int external;                   /* message/external-body */
	int uu_part;                    /* x-uuencode part inside "begin".."end" */
	/* an inline uuencoded file in a text part */
	enum inl inl;                   /* in a text part, or in a part that
					 * holds one (.uue, .hqx) */
	char uu_name[SCAN_MIME_NAME_MAX];
	struct scan_binhex bh;
	int binhex_part;                /* application/mac-binhex40 */
	int dsplit;                     /* decoded bytes split into lines for
					 * inline files: 0 undecided, 1, -1 */
	char dline[LINE_MAX_LEN];
	size_t dllen;
	int dskip;                      /* the rest of this decoded line can
					 * open nothing: skipped */
	unsigned dlines;                /* lines and bytes looked at for a */
	size_t dseen;                   /* marker (look_more) */
	struct sink uu;
	struct scan_walker *child;          /* encoded message/rfc822 */
	struct inspector insp;

	struct scan_summary sum;
};

/* scan_walker_set_inspector - see scan.h */
void
scan_walker_set_inspector(struct scan_walker *s, scan_inspect_fn *fn,
			  void *ctx, const char *spool_dir,
			  unsigned long long max_bytes)
{
	s->insp.fn = fn;
	s->insp.ctx = ctx;
	snprintf(s->insp.spool_dir, sizeof(s->insp.spool_dir), "%s",
		 spool_dir != NULL ? spool_dir : "/var/tmp");
	s->insp.max_bytes = max_bytes;
}

/* scan_limits_default - the limits named in scan.h */
void
scan_limits_default(struct scan_limits *lim)
{
	lim->max_depth = 20;
	lim->max_parts = 500;
	lim->max_zip_depth = 3;
	lim->max_zip_entries = 10000;
	lim->magic = 1;
}

static void walker_destroy(struct scan_walker *s);

/* walker_alloc - a walker at base_depth sharing the libmagic cookie */
static struct scan_walker *
walker_alloc(const struct scan_limits *lim, scan_file_fn *cb, void *ctx,
	     unsigned base_depth, magic_t cookie, struct mg_error *err)
{
	struct scan_walker *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->lim = *lim;
	s->cb = cb;
	s->ctx = ctx;
	s->base_depth = base_depth;
	s->cookie = cookie;
	s->maxlevels = lim->max_depth + 2;
	s->levels = calloc(s->maxlevels, sizeof(*s->levels));
	s->hdr = malloc(HDR_MAX_LEN);
	s->part.md = EVP_MD_CTX_new();
	s->uu.md = EVP_MD_CTX_new();
	scan_spool_init(&s->part.spool);
	scan_spool_init(&s->uu.spool);
	if (s->levels == NULL || s->hdr == NULL || s->part.md == NULL ||
	    s->uu.md == NULL) {
		mg_error_set(err, MG_ERR_NOMEM, "out of memory");
		walker_destroy(s);
		return NULL;
	}
	scan_walker_reset(s);
	return s;
}

/* scan_walker_new - a top-level walker, with its own libmagic */
struct scan_walker *
scan_walker_new(const struct scan_limits *lim, scan_file_fn *cb, void *ctx,
		struct mg_error *err)
{
	magic_t cookie = NULL;
	struct scan_walker *s;

	if (lim->magic) {
		cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_ENCODING |
				    MAGIC_NO_CHECK_TOKENS | MAGIC_NO_CHECK_COMPRESS);
		if (cookie == NULL || magic_load(cookie, NULL) != 0) {
			mg_error_set(err, MG_ERR_INTERNAL, "libmagic: %s",
				     cookie ? magic_error(cookie) : "cannot open");
			if (cookie != NULL)
				magic_close(cookie);
			return NULL;
		}
	}
	s = walker_alloc(lim, cb, ctx, 0, cookie, err);
	if (s == NULL && cookie != NULL)
		magic_close(cookie);
	return s;
}

/* sink_reset - forget a file's bytes and free its lister */
static void
sink_reset(struct sink *k)
{
	k->active = 0;
	k->magic_len = 0;
	k->hlen = 0;
	k->size = 0;
	k->probed = 0;
	k->carrier = SCAN_CARRIER_NONE;
	scan_spool_close(&k->spool);
	scan_zip_lister_free(&k->zip);
	scan_tnef_lister_free(&k->tnef);
	scan_arc_lister_free(&k->arc);
	scan_zip_lister_free(&k->finder);
}

/* walker_destroy - a walker and its children (libmagic is the owner's) */
static void
walker_destroy(struct scan_walker *s)
{
	unsigned i;

	if (s->child != NULL) {
		walker_destroy(s->child);
		s->child = NULL;
	}
	sink_reset(&s->part);
	sink_reset(&s->uu);
	EVP_MD_CTX_free(s->part.md);
	EVP_MD_CTX_free(s->uu.md);
	for (i = 0; s->levels != NULL && i < s->maxlevels; i++)
		free(s->levels[i].boundary);
	free(s->levels);
	free(s->hdr);
	free(s);
}

/* scan_walker_free - a walker, its libmagic, and NULL */
void
scan_walker_free(struct scan_walker **sp)
{
	struct scan_walker *s = *sp;

	if (s == NULL)
		return;
	if (s->cookie != NULL && s->base_depth == 0)
		magic_close(s->cookie);
	walker_destroy(s);
	*sp = NULL;
}

/* entity_reset - a new entity's headers start */
static void
entity_reset(struct scan_walker *s, int digest_default)
{
	s->hlen = 0;
	s->have_ct = s->have_cte = s->hdr_cont = 0;
	s->ct.token[0] = s->ct.boundary[0] = '\0';
	s->ct.n_names = s->cd.n_names = 0;
	s->ct.boundary_conflict = 0;
	s->ct.anomalies = 0;
	s->cte[0] = s->sun_cte[0] = '\0';
	s->sun_binary = 0;
	s->digest_default = digest_default;
}

/* scan_walker_reset - ready for a new message */
void
scan_walker_reset(struct scan_walker *s)
{
	if (s->child != NULL) {
		walker_destroy(s->child);
		s->child = NULL;
	}
	s->llen = 0;
	s->line_cont = 0;
	s->pend_idx = -1;
	s->state = W_HEADERS;
	s->depth = 0;
	s->nlevels = 0;
	s->leaf = s->emit = 0;
	s->inl = INL_NONE;
	s->uu_part = 0;
	sink_reset(&s->part);
	sink_reset(&s->uu);
	entity_reset(s, 0);
	memset(&s->sum, 0, sizeof(s->sum));
	s->sum.parts = 1;
}

/* ---- sinks --------------------------------------------------------------- */

struct inspect_call {               /* one call of the inspector */
	struct scan_walker *s;
	const char *container;
};

/* container_member - report a member of the current part's archive */
static void
container_member(struct scan_walker *s, enum scan_origin origin,
		 const char *name, unsigned long long size, int encrypted)
{
	struct scan_file f;
	char norm[SCAN_MIME_NAME_MAX];
	const char *names[1] = { norm }, *raw[1] = { name };

	scan_name_normalise(name, strlen(name), norm, sizeof(norm));
	memset(&f, 0, sizeof(f));
	f.origin = origin;
	f.depth = s->base_depth + s->depth;
	f.names = names;
	f.raw_names = raw;
	f.n_names = 1;
	f.container = s->n_names > 0 ? s->name_ptrs[0] : "";
	f.mime_type = "";
	f.sha256_hex = "";
	f.format = "";
	f.size = size;
	f.encrypted = encrypted;
	s->sum.files++;
	s->cb(s->ctx, &f);
}

/* zip_member - a file inside a zip */
static void
zip_member(void *ctx, const char *name, unsigned long long size, int encrypted,
	   unsigned zdepth)
{
	(void)zdepth;
	container_member(ctx, SCAN_ORIGIN_ZIP_MEMBER, name, size, encrypted);
}

/* tnef_member - a file inside winmail.dat (or a zip inside it) */
static void
tnef_member(void *ctx, const char *name, unsigned long long size, int encrypted,
	    unsigned depth)
{
	(void)depth;
	container_member(ctx, SCAN_ORIGIN_TNEF_MEMBER, name, size, encrypted);
}

/* arc_member - a file inside a tar, gzip or cabinet */
static void
arc_member(void *ctx, const char *name, unsigned long long size, int encrypted,
	   unsigned depth)
{
	(void)depth;
	container_member(ctx, SCAN_ORIGIN_ARCHIVE_MEMBER, name, size, encrypted);
}

/* sink_start - a file's bytes start: hash from here */
static void
sink_start(struct sink *k)
{
	sink_reset(k);
	k->active = 1;
	EVP_DigestInit_ex(k->md, EVP_sha256(), NULL);
}

/* container_feed - an archive's bytes to its lister */
static void
container_feed(struct sink *k, const unsigned char *d, size_t n)
{
	if (k->zip != NULL)
		scan_zip_lister_feed(k->zip, d, n);
	else if (k->tnef != NULL)
		scan_tnef_lister_feed(k->tnef, d, n);
	else if (k->arc != NULL)
		scan_arc_lister_feed(k->arc, d, n);
}

/* has_container - the file is an archive being listed */
static int
has_container(const struct sink *k)
{
	return k->zip != NULL || k->tnef != NULL || k->arc != NULL;
}

/* new_arc_lister - a tar, gzip or cabinet lister for the current part
 * (instead of the zip finder), told the part's names (a gzip's content
 * is named after them) */
static struct scan_arc_lister *
new_arc_lister(struct scan_walker *s, struct sink *k, enum scan_arc_format f)
{
	size_t i;

	scan_zip_lister_free(&k->finder);
	k->arc = scan_arc_lister_new(f, 1, s->lim.max_zip_depth,
				     s->lim.max_zip_entries, arc_member, s);
	for (i = 0; i < s->n_names; i++)
		scan_arc_lister_set_name(k->arc, s->name_ptrs[i]);
	return k->arc;
}

/* new_zip_finder - a part that starts as no archive: zips are searched
 * for anywhere in it (self-extractors, images with a zip appended); d,
 * n: the chunk being read */
static void
new_zip_finder(struct scan_walker *s, struct sink *k, const unsigned char *d,
	       size_t n)
{
	k->finder = scan_zip_lister_new(1, s->lim.max_zip_depth,
					s->lim.max_zip_entries, zip_member, s);
	if (k->finder == NULL)
		return;
	scan_zip_lister_find_anywhere(k->finder);
	/* it is fed as the bytes are hashed (hashed()): the bytes so far */
	if (k->hlen == k->size + n) {
		scan_zip_lister_feed(k->finder, k->hbuf, k->hlen);
	} else {                /* some went straight to SHA-256 */
		scan_zip_lister_feed(k->finder, k->first, (size_t)k->size);
		scan_zip_lister_feed(k->finder, d, n);
	}
}

/* hashed - bytes of the file to SHA-256, in batches (decoded lines are
 * short), and to the zip finder with them: searching 8 KiB at a time
 * costs a quarter of searching line by line */
static void
hashed(struct sink *k, const unsigned char *d, size_t n)
{
	EVP_DigestUpdate(k->md, d, n);
	if (k->finder != NULL)
		scan_zip_lister_feed(k->finder, d, n);
}

/* sink_take - decoded bytes of a file: hashed, kept for libmagic, and
 * the first ones tell whether it is an archive to list */
static void
sink_take(struct scan_walker *s, struct sink *k, const unsigned char *d, size_t n)
{
	size_t i;
	enum scan_arc_format f;

	if (!k->active || n == 0)
		return;
	if (k->hlen + n > HASH_BATCH) {
		hashed(k, k->hbuf, k->hlen);
		k->hlen = 0;
	}
	if (n >= HASH_BATCH) {
		hashed(k, d, n);
	} else {
		memcpy(k->hbuf + k->hlen, d, n);
		k->hlen += n;
	}
	if (k->magic_len < MAGIC_BYTES) {
		size_t m = n < MAGIC_BYTES - k->magic_len ? n : MAGIC_BYTES - k->magic_len;
		memcpy(k->magic + k->magic_len, d, m);
		k->magic_len += m;
	}
	for (i = 0; k->size + i < 4 && i < n; i++)
		k->first[k->size + i] = d[i];
	if (k->size < 4 && k->size + n >= 4 && k == &s->part) {
		/* the first four bytes, maybe from several chunks: a container? */
		if (memcmp(k->first, "PK\3\4", 4) == 0)
			k->zip = scan_zip_lister_new(1, s->lim.max_zip_depth,
						     s->lim.max_zip_entries,
						     zip_member, s);
		else if (memcmp(k->first, SCAN_TNEF_SIGNATURE, 4) == 0)
			k->tnef = scan_tnef_lister_new(1, s->lim.max_zip_depth,
						       s->lim.max_zip_entries,
						       tnef_member, s);
		else if ((f = scan_arc_detect(k->first, 4)) != SCAN_ARC_NONE)
			new_arc_lister(s, k, f);
		else
			new_zip_finder(s, k, d, n);
		if (has_container(k)) {
			container_feed(k, k->first, 4);
			d += i;
			n -= i;
			k->size += i;
		}
	}
	if (k->size < SCAN_ARC_DETECT_BYTES &&
	    k->size + n >= SCAN_ARC_DETECT_BYTES &&
	    k == &s->part && !has_container(k) &&
	    scan_arc_detect(k->magic, SCAN_ARC_DETECT_BYTES) == SCAN_ARC_TAR &&
	    new_arc_lister(s, k, SCAN_ARC_TAR) != NULL) {
		/* a tar is known from its first 512 bytes (kept for libmagic):
		 * replay them, then the rest of this chunk */
		size_t used = SCAN_ARC_DETECT_BYTES - k->size;

		scan_arc_lister_feed(k->arc, k->magic, SCAN_ARC_DETECT_BYTES);
		k->size += n;
		scan_arc_lister_feed(k->arc, d + used, n - used);
		return;
	}
	k->size += n;
	container_feed(k, d, n);
}

/* sink_probe - with an inspector, once the first bytes are kept (or at
 * the file's end): a carrier, or an archive listed here whose members
 * may be carriers, is spooled from its start; 1 when spooling */
static int
sink_probe(struct scan_walker *s, struct sink *k)
{
	k->probed = 1;
	k->carrier = scan_carrier_detect(k->magic, k->magic_len);
	/* a part searched for zips anywhere (k->finder) is not spooled: that
	 * would copy every file; see sink_report for what the finder may find */
	if (k->carrier == SCAN_CARRIER_NONE &&
	    (k != &s->part || (k->zip == NULL && k->arc == NULL)))
		return 0;
	if (scan_spool_open(&k->spool, s->insp.spool_dir, s->insp.max_bytes) != 0) {
		s->sum.anomalies |= SCAN_ANOM_INSPECT_FAILED;
		return 0;
	}
	scan_spool_write(&k->spool, k->magic, k->magic_len);
	return 1;
}

/* sink_data - a file's bytes to today's sinks, and with an inspector,
 * past the probe window, to the spool of a carrier */
static void
sink_data(struct scan_walker *s, struct sink *k, const unsigned char *d, size_t n)
{
	unsigned long long before = k->size;
	size_t kept;

	sink_take(s, k, d, n);
	if (s->insp.fn == NULL || !k->active || n == 0)
		return;
	if (k->spool.fd >= 0) {
		scan_spool_write(&k->spool, d, n);
		return;
	}
	if (k->probed || k->size < SCAN_CARRIER_PROBE_BYTES)
		return;
	/* the window is full: bytes of this chunk past it follow it */
	kept = before < SCAN_CARRIER_PROBE_BYTES ?
	       (size_t)(SCAN_CARRIER_PROBE_BYTES - before) : 0;
	if (sink_probe(s, k) && kept < n)
		scan_spool_write(&k->spool, d + kept, n - kept);
}

static void split_decoded(struct scan_walker *s, const unsigned char *d,
			  size_t n);

/* part_sink - decoded bytes of the current part (or of its encoded
 * inner message, for the child walker) */
static void
part_sink(void *ctx, const unsigned char *d, size_t n)
{
	struct scan_walker *s = ctx;

	if (s->child != NULL) {
		scan_walker_feed(s->child, (const char *)d, n);
		return;
	}
	if (s->enc != E_ID && s->dsplit >= 0)
		split_decoded(s, d, n);
	sink_data(s, &s->part, d, n);
}

/* uu_sink - decoded bytes of an inline uuencoded file */
static void
uu_sink(void *ctx, const unsigned char *d, size_t n)
{
	struct scan_walker *s = ctx;

	sink_data(s, &s->uu, d, n);
}

/* carrier_member - a member the inspector found */
static void
carrier_member(void *ctx, const struct scan_member *m)
{
	struct inspect_call *c = ctx;
	struct scan_file f;
	char norm[SCAN_MIME_NAME_MAX];
	const char *names[1] = { norm }, *raw[1] = { m->name };

	/* judged as clients save them, like every other name */
	scan_name_normalise(m->name, strlen(m->name), norm, sizeof(norm));
	memset(&f, 0, sizeof(f));
	f.origin = SCAN_ORIGIN_CARRIER_MEMBER;
	f.depth = c->s->base_depth + c->s->depth;
	f.names = names;
	f.raw_names = raw;
	f.n_names = 1;
	f.container = c->container;
	f.mime_type = "";
	f.sha256_hex = "";
	f.format = m->format != NULL ? m->format : "";
	f.size = m->size;
	f.encrypted = m->encrypted;
	c->s->sum.files++;
	c->s->cb(c->s->ctx, &f);
}

/* sink_inspect - the file is spooled whole: the inspector lists it (a
 * spool past max_bytes or not written is a failed inspection) */
static void
sink_inspect(struct scan_walker *s, struct sink *k, const char *name)
{
	struct inspect_call c = { s, name };

	if (scan_spool_flush(&k->spool) != 0 || k->spool.size != k->size) {
		s->sum.anomalies |= SCAN_ANOM_INSPECT_FAILED;
		scan_spool_close(&k->spool);
		return;
	}
	s->sum.anomalies |= s->insp.fn(s->insp.ctx, k->spool.fd, k->spool.size,
				       name, s->lim.max_zip_depth,
				       s->lim.max_zip_entries, carrier_member, &c);
	scan_spool_close(&k->spool);
}

/* sink_report - finish a sink and report a file */
static void
sink_report(struct scan_walker *s, struct sink *k, enum scan_origin origin,
	    const char *const *names, const char *const *raw, size_t n_names)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i, a = 0, fa = 0;
	char sha[65], mime[128] = "";
	struct scan_file f;

	hashed(k, k->hbuf, k->hlen);
	k->hlen = 0;
	EVP_DigestFinal_ex(k->md, md, &mdlen);
	for (i = 0; i < 32 && i < mdlen; i++) {
		sha[2 * i] = hex[md[i] >> 4];
		sha[2 * i + 1] = hex[md[i] & 15];
	}
	sha[64] = '\0';
	if (s->cookie != NULL && k->magic_len > 0) {
		size_t len = k->magic_len;
		const char *t;

		/* text (no NUL in the first TEXT_MAGIC_BYTES): libmagic's text
		 * rules search the whole buffer and cost ~40 us per KiB; what
		 * identifies a text type (#!, <html, <?xml...) is at its start */
		if (len > TEXT_MAGIC_BYTES && memchr(k->magic, 0, TEXT_MAGIC_BYTES) == NULL)
			len = TEXT_MAGIC_BYTES;
		t = magic_buffer(s->cookie, k->magic, len);
		if (t != NULL)
			snprintf(mime, sizeof(mime), "%s", t);
	}
	if (s->insp.fn != NULL && k->active && !k->probed)
		sink_probe(s, k);          /* shorter than the probe window */
	if (has_container(k)) {
		a = k->zip != NULL ? scan_zip_lister_finish(k->zip)
		  : k->tnef != NULL ? scan_tnef_lister_finish(k->tnef)
				    : scan_arc_lister_finish(k->arc);
		if (a & SCAN_LISTER_BROKEN)
			s->sum.anomalies |= SCAN_ANOM_ZIP_BROKEN;
		if (a & SCAN_LISTER_TOO_DEEP)
			s->sum.anomalies |= SCAN_ANOM_ZIP_DEPTH;
		if (a & SCAN_LISTER_TOO_MANY)
			s->sum.anomalies |= SCAN_ANOM_ZIP_ENTRIES;
	}
	/* the finder says no more (no zip is no anomaly) */
	if (k->finder != NULL)
		fa = scan_zip_lister_finish(k->finder);
	if (fa & SCAN_LISTER_TOO_MANY)
		s->sum.anomalies |= SCAN_ANOM_ZIP_ENTRIES;
	if (k->spool.fd >= 0 &&
	    (k->carrier != SCAN_CARRIER_NONE || (a & SCAN_LISTER_NEEDS_INSPECT)))
		sink_inspect(s, k, n_names > 0 ? names[0] : "");
	else if (s->insp.fn != NULL && ((a | fa) & SCAN_LISTER_NEEDS_INSPECT))
		s->sum.anomalies |= SCAN_ANOM_INSPECT_FAILED; /* not spooled (found
							       * by the zip finder) */
	memset(&f, 0, sizeof(f));
	f.origin = origin;
	f.depth = s->base_depth + s->depth;
	f.names = names;
	f.raw_names = raw;
	f.n_names = n_names;
	f.mime_type = mime;
	f.sha256_hex = sha;
	f.format = "";
	f.size = k->size;
	s->sum.files++;
	s->cb(s->ctx, &f);
	sink_reset(k);
}

/* ---- parts --------------------------------------------------------------- */

/* add_part_name - one more name for the current part (normalised as
 * clients save it, name_norm.h), unless known */
static void
add_part_name(struct scan_walker *s, const char *name)
{
	char norm[SCAN_MIME_NAME_MAX];
	size_t i;

	if (name[0] == '\0' || s->n_names == PART_NAMES)
		return;
	scan_name_normalise(name, strlen(name), norm, sizeof(norm));
	for (i = 0; i < s->n_names; i++)
		if (strcmp(s->names[i], norm) == 0)
			return;
	snprintf(s->names[s->n_names], SCAN_MIME_NAME_MAX, "%s", norm);
	snprintf(s->raw_names[s->n_names], SCAN_MIME_NAME_MAX, "%s", name);
	s->name_ptrs[s->n_names] = s->names[s->n_names];
	s->raw_ptrs[s->n_names] = s->raw_names[s->n_names];
	s->n_names++;
}

/* finish_inline - an inline file (uuencode, BinHex, yEnc) ends: report
 * it */
static void
finish_inline(struct scan_walker *s)
{
	static const enum scan_origin origin[] = { SCAN_ORIGIN_UUENCODE,
		SCAN_ORIGIN_UUENCODE, SCAN_ORIGIN_BINHEX, SCAN_ORIGIN_YENC };
	char norm[SCAN_MIME_NAME_MAX];
	const char *names[1] = { norm }, *raw[1] = { s->uu_name };

	if (s->inl == INL_NONE)
		return;
	if (s->inl == INL_BINHEX)
		snprintf(s->uu_name, sizeof(s->uu_name), "%s", s->bh.name);
	scan_name_normalise(s->uu_name, strlen(s->uu_name), norm, sizeof(norm));
	sink_report(s, &s->uu, origin[s->inl], names, raw, s->uu_name[0] ? 1 : 0);
	s->inl = INL_NONE;
}

/* inline_start - a line that opens an inline file: uuencode "begin",
 * yEnc "=ybegin", the BinHex notice (or, in a BinHex part, its ':') */
static int
inline_start(struct scan_walker *s, const char *line, size_t len)
{
	size_t ml = sizeof(SCAN_BINHEX_MARKER) - 1;

	if (scan_uu_begin(line, len, s->uu_name, sizeof(s->uu_name)))
		s->inl = INL_UU;
	else if (scan_yenc_begin(line, len, s->uu_name, sizeof(s->uu_name)))
		s->inl = INL_YENC;
	else if ((len >= ml && memcmp(line, SCAN_BINHEX_MARKER, ml) == 0) ||
		 (s->binhex_part && len > 0 && line[0] == ':'))
		s->inl = INL_BINHEX;
	else
		return 0;
	sink_start(&s->uu);
	scan_binhex_init(&s->bh);
	return 1;
}

/* inline_line - one decoded line of a part that may hold inline files */
static void
inline_line(struct scan_walker *s, const char *line, size_t len)
{
	switch (s->inl) {
	case INL_NONE:
		if (inline_start(s, line, len) && s->inl == INL_BINHEX &&
		    line[0] == ':' && scan_binhex_line(&s->bh, line, len, uu_sink, s))
			finish_inline(s);
		break;
	case INL_UU:
		if (len >= 3 && memcmp(line, "end", 3) == 0 &&
		    (len == 3 || line[3] == ' ' || line[3] == '\t'))
			finish_inline(s);
		else
			(void)scan_uu_line(line, len, uu_sink, s);
		break;
	case INL_BINHEX:
		if (scan_binhex_line(&s->bh, line, len, uu_sink, s))
			finish_inline(s);
		break;
	case INL_YENC:
		if (scan_yenc_line(line, len, uu_sink, s))
			finish_inline(s);
		break;
	}
}

/* inline_marker - the first decoded line of a part that is not text
 * opens an inline file (a .uue, .hqx or yEnc attachment) */
static int
inline_marker(const struct scan_walker *s, const char *line, size_t len)
{
	size_t ml = sizeof(SCAN_BINHEX_MARKER) - 1;

	return (len >= 6 && memcmp(line, "begin ", 6) == 0) ||
	       (len >= 8 && memcmp(line, "=ybegin ", 8) == 0) ||
	       (len >= ml && memcmp(line, SCAN_BINHEX_MARKER, ml) == 0) ||
	       (s->binhex_part && len > 0 && line[0] == ':');
}

/* look_more - a part that is not text has shown n more bytes (and a line
 * end) without a marker: past LOOK_LINES lines or LOOK_BYTES, it holds no
 * inline file (.uue files may open with a few lines of comment) */
#define LOOK_LINES 16
#define LOOK_BYTES 4096
static void
look_more(struct scan_walker *s, size_t n, int eol)
{
	if (s->is_text) {
		s->dsplit = 1;
		return;
	}
	s->dseen += n;
	s->dlines += eol;
	if (s->dlines >= LOOK_LINES || s->dseen >= LOOK_BYTES)
		s->dsplit = -1;
}

/* split_line - a complete decoded line: decide (parts that are not
 * text: by their first lines), then look for inline files */
static void
split_line(struct scan_walker *s, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (s->dsplit == 0) {
		if (!inline_marker(s, line, len)) {
			look_more(s, len + 1, 1);
			if (s->dsplit < 1)
				return;
		}
		s->dsplit = 1;
	}
	inline_line(s, line, len);
}

/* may_open - a decoded line starting with c may open an inline file */
static int
may_open(const struct scan_walker *s, unsigned char c)
{
	return c == 'b' || c == '=' || c == '(' || (s->binhex_part && c == ':');
}

/* skip_rest - the rest of the current line (up to nl, or all n bytes)
 * cannot open an inline file: skipped; returns the bytes used */
static size_t
skip_rest(struct scan_walker *s, const unsigned char *d, size_t n,
	  const unsigned char *nl)
{
	size_t used = nl != NULL ? (size_t)(nl + 1 - d) : n;

	if (s->dsplit == 0)
		look_more(s, used, nl != NULL);
	s->dskip = nl == NULL;
	s->dllen = 0;
	return used;
}

/* split_decoded - decoded bytes of a base64/QP text part, or of a part
 * whose first lines may open an inline file, into lines; outside an
 * inline file only lines starting "begin", "=ybegin", "(This file" (or
 * ":") are gathered: text costs one memchr per line */
static void
split_decoded(struct scan_walker *s, const unsigned char *d, size_t n)
{
	while (n > 0 && s->dsplit >= 0) {
		const unsigned char *nl = memchr(d, '\n', n);
		size_t k = nl ? (size_t)(nl - d) : n, used;

		if (s->dskip || (s->dllen == 0 && s->inl == INL_NONE &&
				 !may_open(s, d[0]))) {
			used = skip_rest(s, d, n, nl);
			d += used;
			n -= used;
			continue;
		}
		if (s->dllen + k > sizeof(s->dline))
			k = sizeof(s->dline) - s->dllen;     /* a piece of a long line */
		memcpy(s->dline + s->dllen, d, k);
		s->dllen += k;
		d += k;
		n -= k;
		if (nl != NULL && d == nl) {
			d++;
			n--;
		} else if (s->dllen < sizeof(s->dline)) {
			if (s->inl == INL_NONE && s->dllen >= 64 &&
			    !inline_marker(s, s->dline, s->dllen)) {
				s->dskip = 1;   /* a long line that opens nothing */
				if (s->dsplit == 0)
					look_more(s, s->dllen, 0);
				s->dllen = 0;
			}
			break;
		}
		split_line(s, s->dline, s->dllen);
		s->dllen = 0;
	}
}

/* finish_part - the current leaf ends */
static void
finish_part(struct scan_walker *s)
{
	if (!s->leaf)
		return;
	if (s->dllen > 0 && s->dsplit >= 0)
		split_line(s, s->dline, s->dllen);
	finish_inline(s);
	if (s->child != NULL) {
		struct scan_summary cs;

		scan_walker_finish(s->child, &cs);
		s->sum.anomalies |= cs.anomalies;
		s->sum.parts += cs.parts;
		s->sum.files += cs.files;
		if (cs.max_depth_seen > s->sum.max_depth_seen)
			s->sum.max_depth_seen = cs.max_depth_seen;
		walker_destroy(s->child);
		s->child = NULL;
	} else if (s->emit) {
		sink_report(s, &s->part, s->external ? SCAN_ORIGIN_EXTERNAL_BODY
			    : s->uu_part ? SCAN_ORIGIN_UUENCODE : SCAN_ORIGIN_PART,
			    s->name_ptrs, s->raw_ptrs, s->n_names);
	}
	sink_reset(&s->part);
	s->leaf = s->emit = 0;
	s->uu_part = s->no_boundary = s->external = 0;
	s->binhex_part = s->dsplit = s->dskip = 0;
	s->dllen = s->dseen = 0;
	s->dlines = 0;
}

/* encoding_of - the decoder for a Content-Transfer-Encoding */
static enum enc
encoding_of(const char *cte)
{
	if (strcasecmp(cte, "base64") == 0)
		return E_B64;
	if (strcasecmp(cte, "quoted-printable") == 0)
		return E_QP;
	if (strcasecmp(cte, "x-uuencode") == 0 || strcasecmp(cte, "uuencode") == 0 ||
	    strcasecmp(cte, "x-uue") == 0)
		return E_UU;
	return E_ID;
}

/* open_multipart - a multipart entity with a boundary: a new level,
 * its preamble follows */
static void
open_multipart(struct scan_walker *s, const char *type)
{
	struct level *l;

	if (s->ct.boundary_conflict)
		s->sum.anomalies |= SCAN_ANOM_AMBIGUOUS;
	if (s->nlevels == s->maxlevels) {
		s->sum.anomalies |= SCAN_ANOM_DEPTH;
		return;
	}
	l = &s->levels[s->nlevels];
	l->blen = strlen(s->ct.boundary);
	if (l->blen + 1 > l->bcap) {
		char *b = realloc(l->boundary, l->blen + 1);
		if (b == NULL) {        /* out of memory: not walked, refused */
			s->sum.anomalies |= SCAN_ANOM_DEPTH;
			return;
		}
		l->boundary = b;
		l->bcap = l->blen + 1;
	}
	memcpy(l->boundary, s->ct.boundary, l->blen + 1);
	s->nlevels++;
	l->digest = strcmp(type, "multipart/digest") == 0;
	l->closed = 0;
	l->depth = s->depth;
}

/* open_message - a message/rfc822 entity: its inner message follows, or
 * when encoded, is decoded into a child walker */
static void
open_message(struct scan_walker *s)
{
	enum enc e = encoding_of(s->cte);
	struct mg_error err;

	if (e == E_ID) {                /* the inner message follows */
		s->depth++;
		s->sum.parts++;
		s->state = W_HEADERS;
		entity_reset(s, 0);
		return;
	}
	/* encoded inner message: decode, then walk it */
	s->child = walker_alloc(&s->lim, s->cb, s->ctx,
				s->base_depth + s->depth + 1, s->cookie, &err);
	if (s->child != NULL)
		s->child->insp = s->insp;
	s->leaf = 1;
	s->emit = 0;
	s->enc = e;
	scan_b64_init(&s->b64);
	s->pending_crlf = 0;
	if (s->child == NULL)
		s->leaf = 0;
}

/* body_start - the headers of the current entity are complete */
static void
body_start(struct scan_walker *s)
{
	const char *type = s->have_ct && s->ct.token[0] ? s->ct.token :
			   s->digest_default ? "message/rfc822" :
			   s->sun_binary ? "application/octet-stream" : "text/plain";
	unsigned i;

	if (s->base_depth + s->depth > s->sum.max_depth_seen)
		s->sum.max_depth_seen = s->base_depth + s->depth;
	s->state = W_BODY;
	if (s->base_depth + s->depth > s->lim.max_depth) {
		s->sum.anomalies |= SCAN_ANOM_DEPTH;
		return;                         /* not walked: data discarded */
	}
	if (strncmp(type, "multipart/", 10) == 0) {
		if (s->ct.boundary[0] != '\0') {
			open_multipart(s, type);
			return;
		}
		/* no boundary: one text part, as Thunderbird shows it; a line
		 * that a guessing client could take for a boundary makes it
		 * ambiguous (body_line) */
		s->sum.anomalies |= SCAN_ANOM_MALFORMED;
		type = "text/plain";
		s->no_boundary = 1;
	}
	if (strcmp(type, "message/partial") == 0)
		s->sum.anomalies |= SCAN_ANOM_MESSAGE_PARTIAL;
	if ((strcmp(type, "message/rfc822") == 0 ||
	     strcmp(type, "message/global") == 0) &&
	    s->base_depth + s->depth + 1 <= s->lim.max_depth) {
		open_message(s);
		return;
	}
	/* a leaf */
	s->leaf = 1;
	s->n_names = 0;
	for (i = 0; i < s->cd.n_names; i++)
		add_part_name(s, s->cd.names[i]);
	for (i = 0; i < s->ct.n_names; i++)
		add_part_name(s, s->ct.names[i]);
	s->is_text = strncmp(type, "text/", 5) == 0;
	s->external = strcmp(type, "message/external-body") == 0;
	s->binhex_part = strcmp(type, "application/mac-binhex40") == 0 ||
			 strcmp(type, "application/x-mac-binhex40") == 0 ||
			 strcmp(type, "application/mac-binhex") == 0;
	s->enc = encoding_of(s->have_cte ? s->cte : s->sun_cte);
	s->emit = s->n_names > 0 || !s->is_text || s->enc == E_UU;
	if (strcmp(type, "message/partial") == 0)
		s->emit = 0;                    /* a fragment, not a file */
	scan_b64_init(&s->b64);
	s->pending_crlf = 0;
	s->uu_part = 0;
	if (s->emit)
		sink_start(&s->part);
}

/* more_names - names from another header into the current entity's
 * list of other names (s->cd) */
static void
more_names(struct scan_walker *s, const struct scan_mime_hdr *h)
{
	unsigned i;

	for (i = 0; i < h->n_names && s->cd.n_names < SCAN_MIME_NAMES_MAX; i++)
		memcpy(s->cd.names[s->cd.n_names++], h->names[i], SCAN_MIME_NAME_MAX);
	s->sum.anomalies |= h->anomalies;
}

/* second_content_type - a Content-Type again: its names count too; a
 * different type or boundary is ambiguous (the first one is walked, as
 * Thunderbird and most clients do) */
static void
second_content_type(struct scan_walker *s, const char *v, size_t len)
{
	static __thread struct scan_mime_hdr h;

	scan_mime_hdr_parse(v, len, "name", &h);
	if (strcmp(h.token, s->ct.token) != 0 ||
	    strcmp(h.boundary, s->ct.boundary) != 0)
		s->sum.anomalies |= SCAN_ANOM_AMBIGUOUS;
	more_names(s, &h);
}

/* set_cte - Content-Transfer-Encoding: the first one is used; another
 * that differs is ambiguous (clients disagree on which one wins) */
static void
set_cte(struct scan_walker *s, const char *v, size_t len)
{
	char cte[sizeof(s->cte)];
	size_t i = 0, o = 0;

	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	while (i < len && v[i] != ' ' && v[i] != '\t' && v[i] != ';' &&
	       o + 1 < sizeof(cte))
		cte[o++] = v[i++];
	cte[o] = '\0';
	if (s->have_cte) {
		if (strcasecmp(cte, s->cte) != 0)
			s->sum.anomalies |= SCAN_ANOM_AMBIGUOUS;
		return;
	}
	s->have_cte = 1;
	memcpy(s->cte, cte, o + 1);
}

/* name_header - Content-Name or X-Sun-Data-Name: a whole value is a
 * name (RFC 2047 decoded), Thunderbird's fallbacks after the parameters */
static void
name_header(struct scan_walker *s, const char *v, size_t len)
{
	char dec[SCAN_MIME_NAME_MAX];
	size_t n;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	n = scan_rfc2047_decode(v, len, dec, sizeof(dec));
	if (n > 0 && s->cd.n_names < SCAN_MIME_NAMES_MAX)
		memcpy(s->cd.names[s->cd.n_names++], dec, n + 1);
}

/* sun_header - Sun Mailtool's parts (multipart/x-sun-attachment), read
 * as Thunderbird's mimesun.cpp does: X-Sun-Encoding-Info's rightmost
 * element is the transfer encoding (uuencode -> x-uuencode) when there is
 * no Content-Transfer-Encoding; an X-Sun-Data-Type other than "text"
 * makes a part without Content-Type a file */
static void
sun_header(struct scan_walker *s, int encoding, const char *v, size_t len)
{
	const char *comma;
	size_t o = 0;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while ((comma = memchr(v, ',', len)) != NULL) {
		len -= (size_t)(comma + 1 - v);
		v = comma + 1;
	}
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (!encoding) {
		s->sun_binary = !(len == 4 && strncasecmp(v, "text", 4) == 0);
		return;
	}
	if (len == 8 && strncasecmp(v, "uuencode", 8) == 0) {
		v = "x-uuencode";
		len = 10;
	}
	for (; o < len && o + 1 < sizeof(s->sun_cte); o++)
		s->sun_cte[o] = v[o];
	s->sun_cte[o] = '\0';
}

/* header_done - an unfolded header is complete: keep what matters */
static void
header_done(struct scan_walker *s)
{
	const char *colon, *v;
	size_t nlen, vlen;

	if (s->hlen == 0)
		return;
	colon = memchr(s->hdr, ':', s->hlen);
	if (colon == NULL) {
		s->hlen = 0;
		return;
	}
	nlen = (size_t)(colon - s->hdr);
	while (nlen > 0 && (s->hdr[nlen - 1] == ' ' || s->hdr[nlen - 1] == '\t'))
		nlen--;
	v = colon + 1;
	vlen = s->hlen - (size_t)(v - s->hdr);
#define HNAME(lit) (nlen == sizeof(lit) - 1 && strncasecmp(s->hdr, lit, nlen) == 0)
	if (HNAME("content-type")) {
		if (!s->have_ct) {      /* the first one is walked */
			scan_mime_hdr_parse(v, vlen, "name", &s->ct);
			s->sum.anomalies |= s->ct.anomalies;
		} else {
			second_content_type(s, v, vlen);
		}
		s->have_ct = 1;
	} else if (HNAME("content-disposition")) {
		static __thread struct scan_mime_hdr cd;
		scan_mime_hdr_parse(v, vlen, "filename", &cd);
		more_names(s, &cd);
	} else if (HNAME("content-transfer-encoding")) {
		set_cte(s, v, vlen);
	} else if (HNAME("content-name") || HNAME("x-sun-data-name")) {
		name_header(s, v, vlen);
	} else if (HNAME("x-sun-encoding-info") || HNAME("x-sun-data-type")) {
		sun_header(s, nlen == 19, v, vlen);
	}
#undef HNAME
	s->hlen = 0;
}

/* header_matters - the header being gathered is one the walker reads:
 * cutting it is an anomaly (others may be cut silently) */
static int
header_matters(const struct scan_walker *s)
{
	return (s->hlen >= 8 && strncasecmp(s->hdr, "content-", 8) == 0) ||
	       (s->hlen >= 11 && strncasecmp(s->hdr, "x-sun-data-", 11) == 0);
}

/* boundary_of - the open level whose boundary the line is, innermost
 * first; *close set for "--boundary--" */
static int
boundary_of(struct scan_walker *s, const char *line, size_t len, int *close)
{
	int i;

	if (len < 3 || line[0] != '-' || line[1] != '-')
		return -1;
	for (i = (int)s->nlevels - 1; i >= 0; i--) {
		struct level *l = &s->levels[i];
		size_t k;
		if (len < 2 + l->blen || memcmp(line + 2, l->boundary, l->blen) != 0)
			continue;
		k = 2 + l->blen;
		*close = len >= k + 2 && line[k] == '-' && line[k + 1] == '-';
		if (*close)
			k += 2;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k == len)
			return i;
	}
	return -1;
}

/* on_boundary - a boundary line of open level idx: the current part
 * ends, a new one starts (or the level closes) */
static void
on_boundary(struct scan_walker *s, int idx, int close)
{
	struct level *l;

	if (s->state == W_HEADERS)
		header_done(s);
	if (s->state == W_HEADERS)
		body_start(s);          /* a part that ended in its headers */
	finish_part(s);
	{
		unsigned k;
		for (k = (unsigned)idx + 1; k < s->nlevels; k++)
			if (!s->levels[k].closed)       /* inner multipart left open */
				s->sum.anomalies |= SCAN_ANOM_MALFORMED;
	}
	s->nlevels = (unsigned)idx + 1;
	l = &s->levels[idx];
	if (close) {
		l->closed = 1;
		s->depth = l->depth;
		s->state = W_BODY;      /* epilogue: discarded */
		return;
	}
	if (l->closed)
		s->sum.anomalies |= SCAN_ANOM_MALFORMED;   /* part after the close */
	l->closed = 0;
	if (++s->sum.parts > s->lim.max_parts) {
		s->sum.anomalies |= SCAN_ANOM_PARTS;
		s->state = W_STOP;
		return;
	}
	s->depth = l->depth + 1;
	s->state = W_HEADERS;
	entity_reset(s, l->digest);
}

/* nb_line - a line of a multipart without boundary (read as text): a
 * client guessing the boundary from a "--" line would find a part; when
 * the headers after such a line name a file, that reading is ambiguous */
static void
nb_line(struct scan_walker *s, const char *line, size_t len)
{
	size_t i;

	if (len > 2 && line[0] == '-' && line[1] == '-') {
		s->no_boundary = 2;
		return;
	}
	if (s->no_boundary != 2)
		return;
	if (len == 0) {
		s->no_boundary = 1;             /* the guessed part's body */
		return;
	}
	for (i = 0; i + 5 <= len; i++)
		if (strncasecmp(line + i, "name", 4) == 0 &&
		    (line[i + 4] == '=' || line[i + 4] == '*' || line[i + 4] == ':'))
			s->sum.anomalies |= SCAN_ANOM_AMBIGUOUS;
}

/* body_line - one body line (or a piece of a long one) of the current
 * part: decoded into its sinks */
static void
body_line(struct scan_walker *s, const char *line, size_t len, int partial)
{
	if (!s->leaf)
		return;
	if (s->no_boundary)
		nb_line(s, line, len);
	/* inline files in a text part, or a part that holds one */
	if (s->enc == E_ID && s->child == NULL && s->dsplit >= 0)
		split_line(s, line, len);
	switch (s->enc) {
	case E_B64:
		scan_b64_line(&s->b64, line, len, part_sink, s);
		break;
	case E_QP:
		(void)scan_qp_line(line, len, part_sink, s);
		break;
	case E_UU: {
		char name[SCAN_MIME_NAME_MAX];
		if (!s->uu_part && scan_uu_begin(line, len, name, sizeof(name))) {
			add_part_name(s, name);
			s->uu_part = 1;
		} else if (s->uu_part && !(len >= 3 && memcmp(line, "end", 3) == 0)) {
			(void)scan_uu_line(line, len, part_sink, s);
		}
		break;
	}
	default:
		if (s->pending_crlf)
			part_sink(s, (const unsigned char *)"\r\n", 2);
		part_sink(s, (const unsigned char *)line, len);
		s->pending_crlf = !partial;
		break;
	}
}

/* header_append - a header's bytes, up to HDR_MAX_LEN */
static void
header_append(struct scan_walker *s, const char *line, size_t len)
{
	if (s->hlen + len > HDR_MAX_LEN) {
		if (header_matters(s))
			s->sum.anomalies |= SCAN_ANOM_HEADER_LONG;
		len = HDR_MAX_LEN - s->hlen;
	}
	memcpy(s->hdr + s->hlen, line, len);
	s->hlen += len;
}

/* header_line - one header line (or a piece of a long one, partial):
 * appended, or the headers end */
static void
header_line(struct scan_walker *s, const char *line, size_t len, int partial)
{
	if (s->hdr_cont) {              /* the rest of a long line */
		header_append(s, line, len);
		s->hdr_cont = partial;
		return;
	}
	if (len == 0) {
		header_done(s);
		body_start(s);
		return;
	}
	if (line[0] != ' ' && line[0] != '\t') {
		header_done(s);
		if (memchr(line, ':', len) == NULL) {
			/* not a header: the body started without an empty line */
			s->sum.anomalies |= SCAN_ANOM_MALFORMED;
			body_start(s);
			body_line(s, line, len, partial);
			return;
		}
	}
	header_append(s, line, len);
	s->hdr_cont = partial;
}

/* strspn_ws - the length of the white space at the start of line */
static size_t
strspn_ws(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i;
}

/* process_line - one line: a boundary, a header or body data; the
 * pieces of a long line that is a boundary followed by more white space
 * than the line buffer holds go where the line would, and the boundary
 * takes effect at its end */
static void
process_line(struct scan_walker *s, const char *line, size_t len, int partial)
{
	int idx, close = 0, at_start = !s->line_cont;

	s->line_cont = partial;
	if (s->state == W_STOP)
		return;
	/* a boundary is a whole line: not the tail of a long one */
	if (at_start && s->nlevels > 0 &&
	    (idx = boundary_of(s, line, len, &close)) >= 0) {
		if (!partial) {
			on_boundary(s, idx, close);
			return;
		}
		s->pend_idx = idx;      /* white space goes on: maybe one */
		s->pend_close = close;
	} else if (!at_start && s->pend_idx >= 0) {
		if (len > strspn_ws(line, len))
			s->pend_idx = -1;
		else if (!partial) {    /* clients strip the white space */
			idx = s->pend_idx;
			s->pend_idx = -1;
			s->sum.anomalies |= SCAN_ANOM_MALFORMED;
			on_boundary(s, idx, s->pend_close);
			return;
		}
	}
	if (s->state == W_HEADERS)
		header_line(s, line, len, partial);
	else
		body_line(s, line, len, partial);
}

/* scan_walker_feed - bytes into lines (long lines in pieces) */
void
scan_walker_feed(struct scan_walker *s, const char *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;

		if (s->llen + n > LINE_MAX_LEN) {
			/* a very long line: pass what we have as a piece */
			size_t take = LINE_MAX_LEN - s->llen;
			memcpy(s->line + s->llen, data + i, take);
			process_line(s, s->line, LINE_MAX_LEN, 1);
			s->llen = 0;
			i += take;
			continue;
		}
		memcpy(s->line + s->llen, data + i, n);
		s->llen += n;
		i += n;
		if (nl == NULL)
			break;
		i++;                    /* the LF */
		if (s->llen > 0 && s->line[s->llen - 1] == '\r')
			s->llen--;
		process_line(s, s->line, s->llen, 0);
		s->llen = 0;
	}
}

/* scan_walker_finish - the last line, the open parts, the summary */
void
scan_walker_finish(struct scan_walker *s, struct scan_summary *sum)
{
	unsigned i;

	if (s->llen > 0) {
		if (s->line[s->llen - 1] == '\r')
			s->llen--;
		process_line(s, s->line, s->llen, 0);
		s->llen = 0;
	}
	if (s->state == W_HEADERS) {
		header_done(s);
		body_start(s);
	}
	finish_part(s);
	for (i = 0; i < s->nlevels && s->state != W_STOP; i++)
		if (!s->levels[i].closed)
			s->sum.anomalies |= SCAN_ANOM_MALFORMED;   /* no closing boundary */
	*sum = s->sum;
}
