/*
 * mg_mail.c - the one notice composer (see mg_mail.h)
 *
 * A bounded writer (struct wbuf) collects the message; any write past
 * the end marks it overflowed and the result is MG_ERR_LIMIT, never a
 * truncated message.  The subject and body encoders work on the bytes
 * as given: a UTF-8 sequence is recognised by its lead byte, so invalid
 * UTF-8 is carried, encoded, rather than refused.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mg_mail.h"

#define HDR_LINE_MAX 998          /* RFC 5322 2.1.1 */
#define FOLD_AT 78                /* RFC 5322: SHOULD */
#define EW_FIRST 39               /* bytes per encoded-word after "Subject: " */
#define EW_NEXT 45                /* bytes per encoded-word on a folded line */
#define CONT(c) (((unsigned char)(c) & 0xc0) == 0x80)  /* UTF-8 continuation */

struct wbuf {
	char *p;
	size_t len, size;
	int over;
};

/* put - append n bytes (always leaves room for the final NUL) */
static void
put(struct wbuf *b, const char *s, size_t n)
{
	if (b->over || b->size - b->len <= n) {
		b->over = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* put_str - append a NUL-terminated string */
static void
put_str(struct wbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* put_hex - "=XX" for one byte */
static void
put_hex(struct wbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char t[3] = { '=', hex[c >> 4], hex[c & 15] };

	put(b, t, 3);
}

/* printable - every byte in 0x20..0x7e */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* put_field - "Name: value" CRLF, value checked */
static int
put_field(struct wbuf *b, const char *name, const char *value,
	  struct mg_error *err)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p > 0x7e || *p == ':')
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad header field name \"%.40s\"", name);
	if (name[0] == '\0')
		return mg_error_set(err, MG_ERR_PARSE, "empty header field name");
	if (value == NULL || !printable(value))
		return mg_error_set(err, MG_ERR_PARSE,
		    "%s: not printable ASCII", name);
	if (strlen(name) + 2 + strlen(value) > HDR_LINE_MAX)
		return mg_error_set(err, MG_ERR_LIMIT, "%s: line too long", name);
	put_str(b, name);
	put(b, ": ", 2);
	put_str(b, value);
	put(b, "\r\n", 2);
	return 0;
}

/* subj_byte - a subject byte with control characters made spaces */
static char
subj_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u == 0x7f ? ' ' : c;
}

/* plain_ok - the subject may be written as it is: printable ASCII that
 * does not look like an encoded-word */
static int
plain_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
		if (s[0] == '=' && s[1] == '?')
			return 0;
	}
	return 1;
}

/* put_subject_plain - folded before a space when a line would pass 78
 * columns; 0, or -1 when a word makes a line longer than 998 */
static int
put_subject_plain(struct wbuf *b, const char *s)
{
	size_t col = 9, start = 9, i = 0, j, k;

	put_str(b, "Subject: ");
	while (s[i] != '\0') {
		j = i;
		while (s[j] != '\0' && subj_byte(s[j]) == ' ')
			j++;
		while (s[j] != '\0' && subj_byte(s[j]) != ' ')
			j++;
		/* fold before a run of spaces, never before trailing ones */
		if (col + (j - i) > FOLD_AT && col > start &&
		    subj_byte(s[j - 1]) != ' ') {
			put(b, "\r\n", 2);
			col = start = 0;
		}
		for (k = i; k < j; k++) {
			char c = subj_byte(s[k]);
			put(b, &c, 1);
		}
		col += j - i;
		if (col > HDR_LINE_MAX)
			return -1;
		i = j;
	}
	put(b, "\r\n", 2);
	return 0;
}

/* put_b64 - base64 of n subject bytes (controls made spaces) */
static void
put_b64(struct wbuf *b, const char *s, size_t n)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)(unsigned char)subj_byte(s[i]) << 16;
		char q[4];
		if (i + 1 < n)
			v |= (unsigned)(unsigned char)subj_byte(s[i + 1]) << 8;
		if (i + 2 < n)
			v |= (unsigned char)subj_byte(s[i + 2]);
		q[0] = t[(v >> 18) & 63];
		q[1] = t[(v >> 12) & 63];
		q[2] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? t[v & 63] : '=';
		put(b, q, 4);
	}
}

/* put_subject_encoded - RFC 2047 "B" words, one per line, each a whole
 * number of UTF-8 characters; every line at most 76 columns */
static void
put_subject_encoded(struct wbuf *b, const char *s)
{
	size_t len = strlen(s), pos = 0, n, cut;

	put_str(b, "Subject: ");
	while (pos < len) {
		n = len - pos;
		if (n > (pos == 0 ? EW_FIRST : EW_NEXT))
			n = pos == 0 ? EW_FIRST : EW_NEXT;
		/* back off to a character boundary; a run of more than
		 * three continuation bytes is not UTF-8: cut anywhere */
		cut = n;
		while (cut > 1 && n - cut < 3 && pos + cut < len &&
		       CONT(s[pos + cut]))
			cut--;
		if (pos + cut < len && CONT(s[pos + cut]))
			cut = n;
		n = cut;
		if (pos > 0)
			put(b, "\r\n ", 3);
		put_str(b, "=?UTF-8?B?");
		put_b64(b, s + pos, n);
		put(b, "?=", 2);
		pos += n;
	}
	put(b, "\r\n", 2);
}

/* put_subject - plain when possible, else encoded */
static void
put_subject(struct wbuf *b, const char *s)
{
	size_t mark = b->len;

	if (plain_ok(s) && put_subject_plain(b, s) == 0)
		return;
	b->len = mark;
	if (!b->over)
		b->p[mark] = '\0';
	put_subject_encoded(b, s);
}

/* line_end - length of the line end at s (LF or CRLF), 0 if none */
static size_t
line_end(const char *s)
{
	if (s[0] == '\n')
		return 1;
	if (s[0] == '\r' && s[1] == '\n')
		return 2;
	return 0;
}

/* qp_unit - bytes in the unit at s (a whole UTF-8 sequence when s holds
 * a lead byte and its continuation bytes) and its encoded width; *enc
 * says whether it is written as =XX triplets */
static size_t
qp_unit(const char *s, int at_line_start, size_t *width, int *enc)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = 1, want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	int eol = s[1] == '\0' || line_end(s + 1) > 0;

	while (n < want && CONT(s[n]))
		n++;
	if (c >= 0x7f || (c < 0x20 && c != '\t') || c == '=')
		*enc = 1;
	else if ((c == ' ' || c == '\t') && eol)
		*enc = 1;                /* trailing white space */
	else if (c == 'F' && at_line_start && strncmp(s, "From ", 5) == 0)
		*enc = 1;                /* an mbox "From " line */
	else
		*enc = 0;
	*width = *enc ? 3 * n : 1;
	return n;
}

/* put_body_qp - quoted-printable, CRLF, lines of at most 76 columns */
static void
put_body_qp(struct wbuf *b, const char *s)
{
	size_t col = 0, i = 0, n, w, k, le;
	int enc;

	while (s[i] != '\0') {
		if ((le = line_end(s + i)) > 0) {
			put(b, "\r\n", 2);
			col = 0;
			i += le;
			continue;
		}
		n = qp_unit(s + i, col == 0, &w, &enc);
		/* room for a soft break "=" unless the line ends here */
		if (col + w > (s[i + n] == '\0' || line_end(s + i + n) ?
			       MG_MAIL_LINE_MAX : MG_MAIL_LINE_MAX - 1)) {
			put(b, "=\r\n", 3);
			col = 0;
			n = qp_unit(s + i, 1, &w, &enc);
		}
		for (k = 0; k < n; k++) {
			if (enc)
				put_hex(b, (unsigned char)s[i + k]);
			else
				put(b, s + i + k, 1);
		}
		col += w;
		i += n;
	}
	if (i > 0 && s[i - 1] != '\n')
		put(b, "\r\n", 2);
}

/* mg_mail_date - RFC 5322 date in UTC with fixed English names */
int
mg_mail_date(long long t, char *out, size_t outsz, struct mg_error *err)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					 "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	int n;

	if (gmtime_r(&tt, &tm) == NULL)
		return mg_error_set(err, MG_ERR_PARSE, "date out of range");
	n = snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		     days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= outsz)
		return mg_error_set(err, MG_ERR_LIMIT, "date buffer too small");
	return 0;
}

/* msgid_ok - "<left@right>", printable ASCII without spaces */
static int
msgid_ok(const char *id)
{
	size_t len = strlen(id), i;

	if (len < 5 || len >= MG_MAIL_MSGID_MAX || id[0] != '<' ||
	    id[len - 1] != '>' || strchr(id, '@') == NULL)
		return 0;
	for (i = 1; i + 1 < len; i++)
		if ((unsigned char)id[i] <= 0x20 || (unsigned char)id[i] > 0x7e ||
		    id[i] == '<' || id[i] == '>')
			return 0;
	return 1;
}

/* put_headers - every header field and the blank line */
static int
put_headers(struct wbuf *b, const struct mg_mail *m, struct mg_error *err)
{
	char date[40];
	size_t i;

	if (!msgid_ok(m->message_id ? m->message_id : ""))
		return mg_error_set(err, MG_ERR_PARSE, "bad Message-ID");
	if (mg_mail_date(m->date, date, sizeof(date), err) < 0 ||
	    put_field(b, "From", m->from, err) < 0 ||
	    put_field(b, "To", m->to, err) < 0)
		return -1;
	put_subject(b, m->subject ? m->subject : "");
	if (put_field(b, "Date", date, err) < 0 ||
	    put_field(b, "Message-ID", m->message_id, err) < 0 ||
	    put_field(b, "Auto-Submitted",
		      m->auto_submitted == MG_MAIL_AUTO_REPLIED ?
		      "auto-replied" : "auto-generated", err) < 0)
		return -1;
	for (i = 0; i < m->n_extra; i++)
		if (put_field(b, m->extra[i].name, m->extra[i].value, err) < 0)
			return -1;
	put_str(b, "MIME-Version: 1.0\r\n"
		 "Content-Type: text/plain; charset=utf-8\r\n"
		 "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	return 0;
}

/* mg_mail_compose - headers, then the quoted-printable body */
int
mg_mail_compose(const struct mg_mail *m, char *out, size_t outsz,
		struct mg_error *err)
{
	struct wbuf b = { out, 0, outsz, 0 };

	if (outsz == 0)
		return mg_error_set(err, MG_ERR_LIMIT, "no room for the message");
	out[0] = '\0';
	if (put_headers(&b, m, err) < 0)
		return -1;
	put_body_qp(&b, m->body ? m->body : "");
	if (b.over || b.len > (size_t)INT32_MAX)
		return mg_error_set(err, MG_ERR_LIMIT, "message larger than %zu bytes",
				    outsz - 1);
	return (int)b.len;
}

/* host_ok - a plain host name: letters, digits, '.', '-' */
static int
host_ok(const char *d)
{
	size_t n;

	for (n = 0; d[n] != '\0'; n++)
		if (!((d[n] >= 'a' && d[n] <= 'z') || (d[n] >= 'A' && d[n] <= 'Z') ||
		      (d[n] >= '0' && d[n] <= '9') || d[n] == '.' || d[n] == '-'))
			return 0;
	return n > 0 && n <= 253;
}

/* mg_msgid_format - "<now.pid.counter.tag@domain>" */
int
mg_msgid_format(long long now, long pid, unsigned long long counter,
		const char *tag, const char *domain, char *out, size_t outsz,
		struct mg_error *err)
{
	const char *p;
	int n;

	for (p = tag; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return mg_error_set(err, MG_ERR_PARSE,
					    "Message-ID tag: letters and digits only");
	if (domain == NULL || !host_ok(domain))
		domain = "localhost";
	n = snprintf(out, outsz, "<%lld.%ld.%llu.%s@%s>", now, pid, counter,
		     tag, domain);
	if (n < 0 || (size_t)n >= outsz)
		return mg_error_set(err, MG_ERR_LIMIT, "Message-ID buffer too small");
	return 0;
}

/* mix - splitmix64's finaliser: spreads the bits of x */
static unsigned long long
mix(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* mg_msgid_init - pid, counter 0, a salt from the clock and &g */
void
mg_msgid_init(struct mg_msgid *g)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	g->counter = 0;
	g->pid = (long)getpid();
	g->salt = mix((unsigned long long)ts.tv_sec * 1000000000ULL +
		      (unsigned long long)ts.tv_nsec) ^
		  mix((unsigned long long)(uintptr_t)g ^
		      ((unsigned long long)g->pid << 32));
}

/* mg_msgid_next - the next id of this context (atomic counter) */
int
mg_msgid_next(struct mg_msgid *g, long long now, const char *domain,
	      char *out, size_t outsz, struct mg_error *err)
{
	unsigned long long c = __atomic_add_fetch(&g->counter, 1,
						  __ATOMIC_RELAXED);
	char tag[20];

	snprintf(tag, sizeof(tag), "%012llx", g->salt & 0xffffffffffffULL);
	return mg_msgid_format(now, g->pid, c, tag, domain, out, outsz, err);
}
