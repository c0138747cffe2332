/*
 * mg_error.h - the one error convention of mailguard
 *
 * Every fallible function in common/ and in the components returns an int:
 *   0 (or 1/0 for found/absent) on success, -1 on failure,
 * and fills a caller-owned struct mg_error with a kind and a message.
 * Filling an error never allocates, so it is safe on error paths and in
 * threads.  Callers map kinds to the admin-chosen action of their
 * component (milter-attach's error_action, policyd-quota's
 * redis_error_action): e.g. every MG_ERR_REDIS_* kind is "backend down".
 */
#ifndef MG_ERROR_H
#define MG_ERROR_H

#include <stddef.h>

enum mg_err_kind {
	MG_ERR_NONE = 0,
	MG_ERR_SYS,          /* a system call failed (errno text in msg) */
	MG_ERR_NOMEM,        /* allocation failed */
	MG_ERR_CONFIG,       /* bad configuration: msg is "file:line: text" */
	MG_ERR_PARSE,        /* malformed input (protocol, MIME, ...) */
	MG_ERR_LIMIT,        /* input exceeds a configured cap */
	MG_ERR_REDIS_DOWN,   /* cannot connect, connection lost, or in backoff */
	MG_ERR_REDIS_TIMEOUT,/* connect or command timed out */
	MG_ERR_REDIS_AUTH,   /* AUTH or SELECT refused */
	MG_ERR_REDIS_REPLY,  /* server answered with an error or a bad type */
	MG_ERR_INTERNAL,     /* a bug: should not happen */
};

#define MG_ERROR_MSG_MAX 256

struct mg_error {
	enum mg_err_kind kind;
	char msg[MG_ERROR_MSG_MAX];
};

/* mg_error_clear - reset to MG_ERR_NONE with an empty message */
void mg_error_clear(struct mg_error *err);

/* mg_error_set - record an error; always returns -1 so callers can
 * "return mg_error_set(err, MG_ERR_PARSE, "bad %s", x);".  err may be NULL. */
int mg_error_set(struct mg_error *err, enum mg_err_kind kind,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* mg_error_sys - like mg_error_set with kind MG_ERR_SYS, appending
 * ": strerror(errno)" (errno is read on entry). */
int mg_error_sys(struct mg_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* mg_error_is_redis - true for the MG_ERR_REDIS_* kinds */
int mg_error_is_redis(const struct mg_error *err);

/* mg_err_kind_name - short stable name ("redis_down", ...) for log lines */
const char *mg_err_kind_name(enum mg_err_kind kind);

#endif
