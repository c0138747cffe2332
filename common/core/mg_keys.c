/*
 * mg_keys.c - builders for the Redis key schema (see mg_keys.h)
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "mg_keys.h"

int
mg_keys_init(struct mg_keys *k, const char *prefix, struct mg_error *err)
{
	size_t i, len = strlen(prefix);

	if (len == 0 || len > MG_KEYS_PREFIX_MAX)
		return mg_error_set(err, MG_ERR_CONFIG,
		    "redis_prefix must have 1 to %d characters",
		    MG_KEYS_PREFIX_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)prefix[i];
		if (c <= ' ' || c >= 0x7f || c == '{' || c == '}')
			return mg_error_set(err, MG_ERR_CONFIG,
			    "redis_prefix must be printable ASCII without spaces or braces");
	}
	k->base_len = (size_t)snprintf(k->base, sizeof(k->base), "%sv%d:",
				       prefix, MG_KEYS_VERSION);
	return 0;
}

/* build - base + formatted rest, checked against outsz */
static int __attribute__((format(printf, 5, 6)))
build(const struct mg_keys *k, char *out, size_t outsz, struct mg_error *err,
      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (outsz <= k->base_len)
		return mg_error_set(err, MG_ERR_LIMIT, "key buffer too small");
	memcpy(out, k->base, k->base_len);
	va_start(ap, fmt);
	n = vsnprintf(out + k->base_len, outsz - k->base_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outsz - k->base_len) {
		out[0] = '\0';
		return mg_error_set(err, MG_ERR_LIMIT, "key too long");
	}
	return (int)k->base_len + n;
}

int
mg_key_quota(const struct mg_keys *k, const char *mailbox, char *out,
	     size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "quota:{%s}", mailbox);
}

int
mg_key_quota_channel(const struct mg_keys *k, char *out, size_t outsz,
		     struct mg_error *err)
{
	return build(k, out, outsz, err, "quota-changed");
}

int
mg_key_warn(const struct mg_keys *k, const char *mailbox, char *out,
	    size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "warn:{%s}", mailbox);
}

int
mg_key_defer(const struct mg_keys *k, const char *mailbox, const char *id,
	     char *out, size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "defer:{%s}:%s", mailbox, id);
}

int
mg_key_deferinfo(const struct mg_keys *k, const char *mailbox, const char *id,
		 char *out, size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "deferinfo:{%s}:%s", mailbox, id);
}

int
mg_key_alias(const struct mg_keys *k, const char *address, char *out,
	     size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "alias:{%s}", address);
}

int
mg_key_fullnotice(const struct mg_keys *k, const char *sender, const char *id,
		  char *out, size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "fullnotice:{%s}:%s", sender, id);
}

int
mg_key_ban(const struct mg_keys *k, enum mg_ban_kind kind, char *out,
	   size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "{ban}:%s", mg_ban_kind_name(kind));
}

int
mg_key_ban_meta(const struct mg_keys *k, char *out, size_t outsz,
		struct mg_error *err)
{
	return build(k, out, outsz, err, "{ban}:meta");
}

int
mg_key_ban_serial(const struct mg_keys *k, char *out, size_t outsz,
		  struct mg_error *err)
{
	return build(k, out, outsz, err, "{ban}:serial");
}

int
mg_key_notice(const struct mg_keys *k, const char *rcpt, const char *id,
	      char *out, size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "notice:{%s}:%s", rcpt, id);
}

int
mg_key_noticerate(const struct mg_keys *k, const char *rcpt, char *out,
		  size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "noticerate:{%s}", rcpt);
}

int
mg_key_stats(const struct mg_keys *k, const char *component, char *out,
	     size_t outsz, struct mg_error *err)
{
	return build(k, out, outsz, err, "stats:%s", component);
}

int
mg_key_stats_host(const struct mg_keys *k, const char *component,
		  const char *host, char *out, size_t outsz,
		  struct mg_error *err)
{
	return build(k, out, outsz, err, "stats:%s:%s", component, host);
}

/* mg_keys_stats_host - the setting, else the host name; checked */
int
mg_keys_stats_host(const char *setting, const char *what, char *out, size_t outsz,
		   struct mg_error *err)
{
	char name[MG_KEYS_HOST_MAX + 1];
	size_t i, n;

	if (setting != NULL && setting[0] != '\0') {
		snprintf(name, sizeof(name), "%s", setting);
	} else {
		if (gethostname(name, sizeof(name)) < 0)
			return mg_error_sys(err, "%s: gethostname", what);
		name[sizeof(name) - 1] = '\0';
	}
	n = strlen(name);
	if (n == 0 || n >= MG_KEYS_HOST_MAX || n >= outsz)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: a host name of 1 to %d bytes is needed",
				    what, MG_KEYS_HOST_MAX - 1);
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
			return mg_error_set(err, MG_ERR_CONFIG,
			    "%s: \"%.64s\" has a character other than letters, digits, '.', '-', '_'",
			    what, name);
	}
	memcpy(out, name, n + 1);
	return 0;
}

void
mg_keys_id(const void *data, size_t len, char out[MG_KEYS_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t i;

	SHA256(data, len, md);
	for (i = 0; i < MG_KEYS_ID_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[MG_KEYS_ID_LEN] = '\0';
}

const char *
mg_ban_kind_name(enum mg_ban_kind kind)
{
	switch (kind) {
	case MG_BAN_EXT: return "ext";
	case MG_BAN_MIME: return "mime";
	case MG_BAN_SHA256: return "sha256";
	}
	return "?";
}

int
mg_ban_kind_parse(const char *name, enum mg_ban_kind *kind_r)
{
	if (strcmp(name, "ext") == 0)
		*kind_r = MG_BAN_EXT;
	else if (strcmp(name, "mime") == 0)
		*kind_r = MG_BAN_MIME;
	else if (strcmp(name, "sha256") == 0)
		*kind_r = MG_BAN_SHA256;
	else
		return -1;
	return 0;
}

int
mg_ban_ext_valid(const char *ext)
{
	size_t n;

	if (ext[0] != '.')
		return 0;
	for (n = 1; ext[n] != '\0'; n++)
		if (!isalnum((unsigned char)ext[n]) && ext[n] != '_' &&
		    ext[n] != '-')
			return 0;
	return n >= 2 && n <= 17;
}

/* mime_token_char - RFC 2045 token characters we accept in a type */
static int
mime_token_char(int c)
{
	return isalnum(c) || strchr("!#$&^_.+-", c) != NULL;
}

int
mg_ban_value_check(enum mg_ban_kind kind, const char *in, char *out,
		   size_t outsz, struct mg_error *err)
{
	size_t i, len = strlen(in), o = 0, slash = 0;

	if (len == 0 || len + 2 > outsz || len >= MG_BAN_VALUE_MAX - 1)
		return mg_error_set(err, MG_ERR_PARSE, "empty or too long value");
	if (kind == MG_BAN_EXT && in[0] != '.')
		out[o++] = '.';
	for (i = 0; i < len; i++)
		out[o++] = (char)tolower((unsigned char)in[i]);
	out[o] = '\0';
	switch (kind) {
	case MG_BAN_EXT:
		if (!mg_ban_ext_valid(out))
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad extension \"%.40s\": want a dot and 1-16 letters, "
			    "digits, '_' or '-' (e.g. .iso)", in);
		return 0;
	case MG_BAN_MIME:
		for (i = 0; i < o; i++) {
			if (out[i] == '/' && slash == 0 && i > 0)
				slash = i;
			else if (!mime_token_char((unsigned char)out[i]))
				break;
		}
		if (i != o || slash == 0 || slash + 1 == o)
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad MIME type \"%.60s\": want type/subtype "
			    "(e.g. application/x-iso9660-image)", in);
		return 0;
	case MG_BAN_SHA256:
		if (o != 64)
			return mg_error_set(err, MG_ERR_PARSE,
			    "bad sha256: %zu characters, want 64 hex digits", o);
		for (i = 0; i < o; i++)
			if (!isxdigit((unsigned char)out[i]))
				return mg_error_set(err, MG_ERR_PARSE,
				    "bad sha256: '%c' is not a hex digit", out[i]);
		return 0;
	}
	return mg_error_set(err, MG_ERR_INTERNAL, "bad kind");
}
