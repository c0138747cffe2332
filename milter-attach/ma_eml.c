/*
 * ma_eml.c - a message file as libmilter hands it over (see ma_eml.h)
 */
#include <stdlib.h>
#include <string.h>

#include "ma_eml.h"

struct ma_eml {
	const struct ma_eml_ops *ops;
	void *ctx;
	int in_body, stopped, lines;
	int cr_pending;          /* body: a CR ended the last chunk */
	int mid_line;            /* body: bytes sent since the last line end */
	char hdr[MA_EML_HEADER_MAX + 1];    /* the header being gathered */
	size_t hlen;
	int have_hdr;
	char line[MA_EML_HEADER_MAX + 1];   /* header section: the line being read */
	size_t llen;
};

/* ma_eml_new - an empty splitter */
struct ma_eml *
ma_eml_new(const struct ma_eml_ops *ops, void *ctx)
{
	struct ma_eml *e = calloc(1, sizeof(*e));

	if (e != NULL) {
		e->ops = ops;
		e->ctx = ctx;
	}
	return e;
}

/* ma_eml_free - and NULL */
void
ma_eml_free(struct ma_eml **e)
{
	free(*e);
	*e = NULL;
}

/* body_out - body bytes to the caller */
static void
body_out(struct ma_eml *e, const char *p, size_t n)
{
	if (n > 0 && !e->stopped && e->ops->body(e->ctx, p, n))
		e->stopped = 1;
}

/* start_body - the end of the headers */
static void
start_body(struct ma_eml *e)
{
	e->ops->eoh(e->ctx);
	e->in_body = 1;
}

/* flush_header - the gathered header, split at its colon */
static void
flush_header(struct ma_eml *e)
{
	char *colon;

	if (!e->have_hdr)
		return;
	e->hdr[e->hlen] = '\0';
	colon = strchr(e->hdr, ':');
	if (colon != NULL) {                  /* is_header() saw one */
		*colon = '\0';
		e->ops->header(e->ctx, e->hdr, colon + 1);
	}
	e->have_hdr = 0;
	e->hlen = 0;
}

/* is_header - "Name:" with a name of printable ASCII but no space */
static int
is_header(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == ':')
			return i > 0;
		if (c <= 32 || c >= 127)
			return 0;
	}
	return 0;
}

/* gather - append to the header, cut at the cap */
static void
gather(struct ma_eml *e, const char *p, size_t n)
{
	if (n > MA_EML_HEADER_MAX - e->hlen)
		n = MA_EML_HEADER_MAX - e->hlen;
	memcpy(e->hdr + e->hlen, p, n);
	e->hlen += n;
}

/* header_line - one line of the header section, its line end removed */
static void
header_line(struct ma_eml *e, const char *line, size_t len)
{
	if (e->lines++ == 0 && len >= 5 && memcmp(line, "From ", 5) == 0)
		return;                         /* an mbox separator */
	if (len == 0) {
		flush_header(e);
		start_body(e);
		return;
	}
	if ((line[0] == ' ' || line[0] == '\t') && e->have_hdr) {
		gather(e, "\n", 1);             /* folded: libmilter keeps the LF */
		gather(e, line, len);
		return;
	}
	flush_header(e);
	if (is_header(line, len)) {
		e->have_hdr = 1;
		gather(e, line, len);
		return;
	}
	start_body(e);                      /* not a header: the body */
	body_out(e, line, len);
	body_out(e, "\r\n", 2);
}

/* feed_headers - bytes of the header section; returns how many it took
 * (it stops after the line that ends the section) */
static size_t
feed_headers(struct ma_eml *e, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len && !e->in_body; i++) {
		if (data[i] != '\n') {
			if (e->llen < MA_EML_HEADER_MAX)
				e->line[e->llen++] = data[i];
			continue;
		}
		if (e->llen > 0 && e->line[e->llen - 1] == '\r')
			e->llen--;
		header_line(e, e->line, e->llen);
		e->llen = 0;
	}
	return i;
}

/* feed_body - bytes of the body, LF or CRLF line ends made CRLF */
static void
feed_body(struct ma_eml *e, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;

	if (e->cr_pending && len > 0) {
		e->cr_pending = 0;
		if (*p != '\n')
			body_out(e, "\r", 1);   /* a lone CR is data */
	}
	while (p < end && !e->stopped) {
		size_t n;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			n = (size_t)(end - p);
			if (p[n - 1] == '\r') {   /* maybe the CR of a CRLF */
				e->cr_pending = 1;
				n--;
			}
			body_out(e, p, n);
			e->mid_line = n > 0 || e->mid_line;
			return;
		}
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		body_out(e, p, n);
		body_out(e, "\r\n", 2);
		e->mid_line = 0;
		p = nl + 1;
	}
}

/* ma_eml_feed - headers first, then the body */
int
ma_eml_feed(struct ma_eml *e, const char *data, size_t len)
{
	size_t used = 0;

	if (e->stopped)
		return 1;
	if (!e->in_body)
		used = feed_headers(e, data, len);
	if (e->in_body && used < len)
		feed_body(e, data + used, len - used);
	return e->stopped;
}

/* ma_eml_finish - a last line without its end, a message without body */
void
ma_eml_finish(struct ma_eml *e)
{
	if (e->stopped)
		return;
	if (!e->in_body) {
		if (e->llen > 0) {
			if (e->line[e->llen - 1] == '\r')
				e->llen--;
			header_line(e, e->line, e->llen);
			e->llen = 0;
		}
		if (!e->in_body) {
			flush_header(e);
			start_body(e);
		}
		return;
	}
	if (e->cr_pending || e->mid_line)
		body_out(e, "\r\n", 2);     /* DATA ends the last line */
	e->cr_pending = e->mid_line = 0;
}
