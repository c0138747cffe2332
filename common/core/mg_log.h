/*
 * mg_log.h - logging: syslog facility mail, stderr in the foreground,
 * or a backend supplied by the host (the Dovecot plugin routes to i_*()).
 *
 * Conventions (OpenSMTPD style): *_warn appends ": strerror(errno)",
 * *_warnx does not; mg_fatal exits(1) for environment errors.
 *
 * Decisions are logged as one key=value line built with struct mg_kv:
 *   struct mg_kv kv; mg_kv_init(&kv);
 *   mg_kv_add(&kv, "queue_id", qid); mg_kv_addf(&kv, "size", "%zu", n);
 *   mg_log_kv(MG_LOG_INFO, &kv);
 * Values are sanitised by mg_sanitize() (below: CR, LF and TAB become
 * spaces; other control bytes, invalid UTF-8 and bidi controls become
 * '?') and cut at MG_KV_VALUE_MAX bytes (marked with "..."); a value that
 * is empty or holds a space, a double quote, a backslash or '=' is
 * written in double quotes, its double quotes and backslashes escaped
 * with a backslash.  The line is bounded (MG_KV_LINE_MAX; " truncated=yes"
 * is appended when it was cut).
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum mg_log_level {
	MG_LOG_DEBUG,
	MG_LOG_INFO,
	MG_LOG_WARNING,
	MG_LOG_ERROR,
};

#define MG_LOG_TO_SYSLOG 0x1
#define MG_LOG_TO_STDERR 0x2

typedef void mg_log_backend_fn(void *ctx, enum mg_log_level level,
			       const char *line);

/* mg_log_init - ident for syslog/stderr, MG_LOG_TO_* flags, and whether
 * debug lines are emitted.  Call once at start-up, before threads.  With
 * both syslog and stderr asked for and no syslog socket (a container
 * without syslogd), logs go to stderr only (said once there). */
void mg_log_init(const char *ident, int flags, int debug);
/* mg_log_set_backend - send every line to fn instead (NULL: back to the
 * flags given to mg_log_init) */
void mg_log_set_backend(mg_log_backend_fn *fn, void *ctx);
void mg_log_set_debug(int debug);

void mg_log(enum mg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mg_vlog(enum mg_log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void mg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mg_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mg_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void mg_fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define MG_KV_LINE_MAX  2048
#define MG_KV_VALUE_MAX 200

struct mg_kv {
	char buf[MG_KV_LINE_MAX];
	size_t len;
	int truncated;
};

void mg_kv_init(struct mg_kv *kv);
/* mg_kv_add - append key=value; value NULL is logged as "" */
void mg_kv_add(struct mg_kv *kv, const char *key, const char *value);
/* mg_kv_addn - same for a value of known length (may contain NULs) */
void mg_kv_addn(struct mg_kv *kv, const char *key, const char *value,
		size_t len);
void mg_kv_addf(struct mg_kv *kv, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *mg_kv_str(const struct mg_kv *kv);
void mg_log_kv(enum mg_log_level level, const struct mg_kv *kv);

/* mg_sanitize - copy untrusted text into out (size outsz > 0) for a log
 * line or an SMTP reply: printable ASCII and valid UTF-8 are kept, other
 * bytes become '?', CR/LF/TAB become ' ', and at most maxlen input bytes
 * are used ("..." marks a cut).  Returns strlen(out). */
size_t mg_sanitize(char *out, size_t outsz, const char *in, size_t inlen,
		   size_t maxlen);

#endif
