/*
 * mg_error.c - the one error convention (see mg_error.h)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mg_error.h"

void
mg_error_clear(struct mg_error *err)
{
	if (err == NULL)
		return;
	err->kind = MG_ERR_NONE;
	err->msg[0] = '\0';
}

int
mg_error_set(struct mg_error *err, enum mg_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
mg_error_sys(struct mg_error *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (err == NULL)
		return -1;
	err->kind = MG_ERR_SYS;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
			 strerror(saved));
	errno = saved;
	return -1;
}

int
mg_error_is_redis(const struct mg_error *err)
{
	switch (err->kind) {
	case MG_ERR_REDIS_DOWN:
	case MG_ERR_REDIS_TIMEOUT:
	case MG_ERR_REDIS_AUTH:
	case MG_ERR_REDIS_REPLY:
		return 1;
	default:
		return 0;
	}
}

const char *
mg_err_kind_name(enum mg_err_kind kind)
{
	switch (kind) {
	case MG_ERR_NONE: return "none";
	case MG_ERR_SYS: return "system";
	case MG_ERR_NOMEM: return "nomem";
	case MG_ERR_CONFIG: return "config";
	case MG_ERR_PARSE: return "parse";
	case MG_ERR_LIMIT: return "limit";
	case MG_ERR_REDIS_DOWN: return "redis_down";
	case MG_ERR_REDIS_TIMEOUT: return "redis_timeout";
	case MG_ERR_REDIS_AUTH: return "redis_auth";
	case MG_ERR_REDIS_REPLY: return "redis_reply";
	case MG_ERR_INTERNAL: return "internal";
	}
	return "unknown";
}
