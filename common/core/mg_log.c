/*
 * mg_log.c - syslog/stderr/backend logging and key=value decision lines
 *
 * The only mutable state is the logging context below, set once at
 * start-up (mg_log_init, mg_log_set_backend) before any thread runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <paths.h>
#include <syslog.h>
#include <unistd.h>

#include "mg_log.h"

#define MG_LOG_MSG_MAX 4096

static struct mg_log_context {
	const char *ident;
	int flags;
	int debug;
	mg_log_backend_fn *backend;
	void *backend_ctx;
} mg_logctx = { "mailguard", MG_LOG_TO_STDERR, 0, NULL, NULL };

void
mg_log_init(const char *ident, int flags, int debug)
{
	int no_socket = (flags & MG_LOG_TO_SYSLOG) && (flags & MG_LOG_TO_STDERR) &&
		access(_PATH_LOG, W_OK) != 0;

	/* without a syslog socket, glibc tries to connect again at every
	 * line: when stderr is logged to anyway, leave syslog out */
	if (no_socket)
		flags &= ~MG_LOG_TO_SYSLOG;
	mg_logctx.ident = ident;
	mg_logctx.flags = flags;
	mg_logctx.debug = debug;
	if (flags & MG_LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	if (no_socket)
		mg_info("no syslog socket %s: logging to stderr only", _PATH_LOG);
}

void
mg_log_set_backend(mg_log_backend_fn *fn, void *ctx)
{
	mg_logctx.backend = fn;
	mg_logctx.backend_ctx = ctx;
}

void
mg_log_set_debug(int debug)
{
	mg_logctx.debug = debug;
}

static int
level_to_syslog(enum mg_log_level level)
{
	switch (level) {
	case MG_LOG_DEBUG: return LOG_DEBUG;
	case MG_LOG_INFO: return LOG_INFO;
	case MG_LOG_WARNING: return LOG_WARNING;
	case MG_LOG_ERROR: return LOG_ERR;
	}
	return LOG_ERR;
}

static const char *
level_name(enum mg_log_level level)
{
	switch (level) {
	case MG_LOG_DEBUG: return "debug: ";
	case MG_LOG_INFO: return "";
	case MG_LOG_WARNING: return "warning: ";
	case MG_LOG_ERROR: return "error: ";
	}
	return "";
}

/* emit - send one finished line to wherever logging goes */
static void
emit(enum mg_log_level level, const char *line)
{
	if (level == MG_LOG_DEBUG && !mg_logctx.debug)
		return;
	if (mg_logctx.backend != NULL) {
		mg_logctx.backend(mg_logctx.backend_ctx, level, line);
		return;
	}
	if (mg_logctx.flags & MG_LOG_TO_SYSLOG)
		syslog(level_to_syslog(level), "%s%s", level_name(level), line);
	if (mg_logctx.flags & MG_LOG_TO_STDERR) {
		/* one write(2) per line so threads do not interleave */
		char buf[MG_LOG_MSG_MAX + 128];
		int n = snprintf(buf, sizeof(buf), "%s[%ld]: %s%s\n",
				 mg_logctx.ident, (long)getpid(),
				 level_name(level), line);
		if (n > 0) {
			size_t len = (size_t)n < sizeof(buf) ? (size_t)n
							   : sizeof(buf) - 1;
			ssize_t w = write(STDERR_FILENO, buf, len);
			(void)w;
		}
	}
}

void
mg_vlog(enum mg_log_level level, const char *fmt, va_list ap)
{
	char line[MG_LOG_MSG_MAX];

	if (level == MG_LOG_DEBUG && !mg_logctx.debug)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	emit(level, line);
}

void
mg_log(enum mg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_vlog(level, fmt, ap);
	va_end(ap);
}

#define MG_LOG_WRAPPER(fn, level)             \
	void fn(const char *fmt, ...)         \
	{                                     \
		va_list ap;                   \
		va_start(ap, fmt);            \
		mg_vlog(level, fmt, ap);      \
		va_end(ap);                   \
	}

MG_LOG_WRAPPER(mg_debug, MG_LOG_DEBUG)
MG_LOG_WRAPPER(mg_info, MG_LOG_INFO)
MG_LOG_WRAPPER(mg_warnx, MG_LOG_WARNING)

/* vlog_errno - log fmt followed by ": strerror(saved)" */
static void __attribute__((format(printf, 3, 0)))
vlog_errno(enum mg_log_level level, int saved, const char *fmt, va_list ap)
{
	char line[MG_LOG_MSG_MAX];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	snprintf(line + len, sizeof(line) - len, ": %s", strerror(saved));
	emit(level, line);
}

void
mg_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(MG_LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
mg_fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(MG_LOG_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
mg_fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mg_vlog(MG_LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

/* utf8_seq_len - length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2; cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3; cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4; cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* bidi controls (e.g. RIGHT-TO-LEFT OVERRIDE) would disguise names */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return len;
}

size_t
mg_sanitize(char *out, size_t outsz, const char *in, size_t inlen,
	    size_t maxlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, lim = inlen < maxlen ? inlen : maxlen;
	int cut = inlen > maxlen;

	if (outsz == 0)
		return 0;
	while (i < lim) {
		size_t n = 1;
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\t') {
			if (o + 1 >= outsz) { cut = 1; break; }
			out[o++] = ' ';
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			if (o + 1 >= outsz) { cut = 1; break; }
			out[o++] = (char)s[i];
		} else if (s[i] >= 0x80 && (n = utf8_seq_len(s + i, lim - i)) > 0) {
			if (o + n >= outsz) { cut = 1; break; }
			memcpy(out + o, s + i, n);
			o += n;
		} else {
			n = 1;
			if (o + 1 >= outsz) { cut = 1; break; }
			out[o++] = '?';
		}
		i += n;
	}
	if (cut) {
		/* make room for "..." without leaving half a UTF-8 sequence:
		 * out[o] is only examined when it is a byte we wrote */
		if (o + 3 >= outsz) {
			o = outsz > 4 ? outsz - 4 : 0;
			while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80)
				o--;
		}
		if (o + 3 < outsz) {
			memcpy(out + o, "...", 3);
			o += 3;
		}
	}
	out[o] = '\0';
	return o;
}

void
mg_kv_init(struct mg_kv *kv)
{
	kv->buf[0] = '\0';
	kv->len = 0;
	kv->truncated = 0;
}

/* kv_put - append raw bytes, marking truncation when the line is full */
static void
kv_put(struct mg_kv *kv, const char *s, size_t n)
{
	size_t room = sizeof(kv->buf) - 1 - kv->len;

	if (n > room) {
		n = room;
		kv->truncated = 1;
	}
	memcpy(kv->buf + kv->len, s, n);
	kv->len += n;
	kv->buf[kv->len] = '\0';
}

void
mg_kv_addn(struct mg_kv *kv, const char *key, const char *value, size_t len)
{
	char clean[MG_KV_VALUE_MAX * 4 + 8];
	char quoted[sizeof(clean) * 2 + 3];
	size_t n, i, q = 0;
	int need_quotes;

	if (kv->truncated)
		return;
	if (value == NULL) {
		value = "";
		len = 0;
	}
	n = mg_sanitize(clean, sizeof(clean), value, len, MG_KV_VALUE_MAX);
	need_quotes = (n == 0);
	for (i = 0; i < n; i++)
		if (clean[i] == ' ' || clean[i] == '"' || clean[i] == '\\' ||
		    clean[i] == '=')
			need_quotes = 1;
	if (need_quotes)
		quoted[q++] = '"';
	for (i = 0; i < n; i++) {
		if (need_quotes && (clean[i] == '"' || clean[i] == '\\'))
			quoted[q++] = '\\';
		quoted[q++] = clean[i];
	}
	if (need_quotes)
		quoted[q++] = '"';
	if (kv->len > 0)
		kv_put(kv, " ", 1);
	kv_put(kv, key, strlen(key));
	kv_put(kv, "=", 1);
	kv_put(kv, quoted, q);
}

void
mg_kv_add(struct mg_kv *kv, const char *key, const char *value)
{
	mg_kv_addn(kv, key, value, value == NULL ? 0 : strlen(value));
}

void
mg_kv_addf(struct mg_kv *kv, const char *key, const char *fmt, ...)
{
	char value[MG_KV_VALUE_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	mg_kv_add(kv, key, value);
}

const char *
mg_kv_str(const struct mg_kv *kv)
{
	return kv->buf;
}

void
mg_log_kv(enum mg_log_level level, const struct mg_kv *kv)
{
	mg_log(level, "%s%s", kv->buf, kv->truncated ? " truncated=yes" : "");
}
