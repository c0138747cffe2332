/*
 * insp_proto.c - the messages between milter-attach and its inspectors
 * (see insp_proto.h)
 *
 * Layout (little endian):
 *   request: 'Q' u32 max_depth u32 max_entries u64 max_bytes u64 size
 *            u16 name_len name
 *   member:  'M' u8 encrypted u32 depth u64 size u8 format_len format
 *            u16 name_len name
 *   end:     'E' u32 anomalies
 * A decoder takes exactly one message: every length is checked against
 * what is left and against the field's cap, and a NUL inside a name is
 * refused (the receiver treats names as C strings).
 */
#include <string.h>

#include "insp_proto.h"

#define TAG_REQUEST 'Q'
#define TAG_MEMBER 'M'
#define TAG_END 'E'

/* a bounded writer and reader over one message */
struct wbuf {
	unsigned char *p;
	size_t len, cap;
	int full;
};

struct rbuf {
	const unsigned char *p;
	size_t len, off;
	int bad;
};

static void
put(struct wbuf *w, const void *d, size_t n)
{
	if (w->full || n > w->cap - w->len) {
		w->full = 1;
		return;
	}
	memcpy(w->p + w->len, d, n);
	w->len += n;
}

static void
put_uint(struct wbuf *w, unsigned long long v, unsigned bytes)
{
	unsigned char b[8];
	unsigned i;

	for (i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	put(w, b, bytes);
}

/* put_text - a string of at most max - 1 bytes, length first; a longer
 * string keeps its end (where the extension is), cut at a UTF-8 start */
static void
put_text(struct wbuf *w, const char *s, size_t max, unsigned len_bytes)
{
	size_t n = strnlen(s, max);

	if (n > max - 1) {
		s += n - (max - 1);
		n = max - 1;
		while (n > 0 && ((unsigned char)*s & 0xC0) == 0x80) {
			s++;
			n--;
		}
	}
	put_uint(w, n, len_bytes);
	put(w, s, n);
}

static const unsigned char *
get(struct rbuf *r, size_t n)
{
	const unsigned char *d;

	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	d = r->p + r->off;
	r->off += n;
	return d;
}

static unsigned long long
get_uint(struct rbuf *r, unsigned bytes)
{
	const unsigned char *d = get(r, bytes);
	unsigned long long v = 0;
	unsigned i;

	if (d == NULL)
		return 0;
	for (i = 0; i < bytes; i++)
		v |= (unsigned long long)d[i] << (8 * i);
	return v;
}

/* get_text - a string of at most max - 1 bytes without NUL, into out */
static void
get_text(struct rbuf *r, char *out, size_t max, unsigned len_bytes)
{
	size_t n = (size_t)get_uint(r, len_bytes);
	const unsigned char *d;

	out[0] = '\0';
	if (r->bad || n > max - 1) {
		r->bad = 1;
		return;
	}
	d = get(r, n);
	if (d == NULL || memchr(d, '\0', n) != NULL) {
		r->bad = 1;
		return;
	}
	memcpy(out, d, n);
	out[n] = '\0';
}

/* finish_read - 0 when the message was read whole and exactly */
static int
finish_read(const struct rbuf *r)
{
	return r->bad || r->off != r->len ? -1 : 0;
}

size_t
insp_request_encode(const struct insp_request *q, unsigned char *buf,
		    size_t bufsz)
{
	struct wbuf w = { buf, 0, bufsz < INSP_MSG_MAX ? bufsz : INSP_MSG_MAX, 0 };

	put_uint(&w, TAG_REQUEST, 1);
	put_uint(&w, q->max_depth, 4);
	put_uint(&w, q->max_entries, 4);
	put_uint(&w, q->max_bytes, 8);
	put_uint(&w, q->size, 8);
	put_text(&w, q->name, INSP_NAME_MAX, 2);
	return w.full ? 0 : w.len;
}

size_t
insp_reply_encode(const struct insp_reply *a, unsigned char *buf, size_t bufsz)
{
	struct wbuf w = { buf, 0, bufsz < INSP_MSG_MAX ? bufsz : INSP_MSG_MAX, 0 };

	if (a->kind == INSP_REPLY_END) {
		put_uint(&w, TAG_END, 1);
		put_uint(&w, a->anomalies, 4);
	} else if (a->kind == INSP_REPLY_MEMBER) {
		put_uint(&w, TAG_MEMBER, 1);
		put_uint(&w, a->encrypted ? 1 : 0, 1);
		put_uint(&w, a->depth, 4);
		put_uint(&w, a->size, 8);
		put_text(&w, a->format, INSP_FORMAT_MAX, 1);
		put_text(&w, a->name, INSP_NAME_MAX, 2);
	} else {
		return 0;
	}
	return w.full ? 0 : w.len;
}

int
insp_request_decode(const unsigned char *buf, size_t len,
		    struct insp_request *q)
{
	struct rbuf r = { buf, len, 0, 0 };

	memset(q, 0, sizeof(*q));
	if (len > INSP_MSG_MAX || get_uint(&r, 1) != TAG_REQUEST)
		return -1;
	q->max_depth = (unsigned)get_uint(&r, 4);
	q->max_entries = (unsigned)get_uint(&r, 4);
	q->max_bytes = get_uint(&r, 8);
	q->size = get_uint(&r, 8);
	get_text(&r, q->name, sizeof(q->name), 2);
	return finish_read(&r);
}

int
insp_reply_decode(const unsigned char *buf, size_t len, struct insp_reply *a)
{
	struct rbuf r = { buf, len, 0, 0 };
	unsigned long long tag, enc;

	memset(a, 0, sizeof(*a));
	if (len > INSP_MSG_MAX)
		return -1;
	tag = get_uint(&r, 1);
	if (tag == TAG_END) {
		a->kind = INSP_REPLY_END;
		a->anomalies = (unsigned)get_uint(&r, 4);
		return finish_read(&r);
	}
	if (tag != TAG_MEMBER)
		return -1;
	a->kind = INSP_REPLY_MEMBER;
	enc = get_uint(&r, 1);
	if (enc > 1)
		return -1;
	a->encrypted = (int)enc;
	a->depth = (unsigned)get_uint(&r, 4);
	a->size = get_uint(&r, 8);
	get_text(&r, a->format, sizeof(a->format), 1);
	get_text(&r, a->name, sizeof(a->name), 2);
	return finish_read(&r);
}
