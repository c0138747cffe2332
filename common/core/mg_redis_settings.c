/*
 * mg_redis_settings.c - checks of the Redis settings (see mg_redis_settings.h)
 */
#include <stdio.h>
#include <string.h>

#include "mg_redis_settings.h"

/* mg_redis_parse_server - the endpoint syntax, unix sockets allowed,
 * port 6379 by default */
int
mg_redis_parse_server(const char *what, const char *s, struct mg_endpoint *ep,
		      struct mg_error *err)
{
	struct mg_error e;

	if (mg_endpoint_parse(s, MG_EP_UNIX, MG_REDIS_DEFAULT_PORT, ep, &e) < 0)
		return mg_error_set(err, MG_ERR_CONFIG, "%s: %s", what, e.msg);
	return 0;
}

/* mg_redis_uses_sentinels - redis_sentinels holds more than separators */
int
mg_redis_uses_sentinels(const struct mg_redis_settings *set)
{
	return set->sentinels != NULL &&
	       set->sentinels[strspn(set->sentinels, " \t,")] != '\0';
}

/* mg_redis_parse_sentinels - each word of s through mg_redis_parse_server */
int
mg_redis_parse_sentinels(const char *s, struct mg_endpoint *eps, int *n_r,
			 struct mg_error *err)
{
	char word[272];
	int rc = 0;
	size_t len;

	*n_r = 0;
	for (s += strspn(s, " \t,"); *s != '\0'; s += strspn(s, " \t,")) {
		len = strcspn(s, " \t,");
		if (*n_r == MG_SENTINELS_MAX)
			return rc < 0 ? rc : mg_error_set(err, MG_ERR_CONFIG,
			    "redis_sentinels: more than %d", MG_SENTINELS_MAX);
		snprintf(word, sizeof(word), "%.*s", (int)len, s);
		s += len;
		if (mg_redis_parse_server("redis_sentinels", word, &eps[*n_r],
					  rc < 0 ? NULL : err) < 0)
			rc = -1;
		else
			++*n_r;
	}
	return rc;
}

/* mg_redis_settings_check - what mg_redis_new() relies on */
int
mg_redis_settings_check(const struct mg_redis_settings *set,
			struct mg_error *err)
{
	struct mg_endpoint ep, eps[MG_SENTINELS_MAX];
	int n;

	if (set->user != NULL && set->user[0] != '\0' &&
	    (set->password == NULL || set->password[0] == '\0'))
		return mg_error_set(err, MG_ERR_CONFIG,
		    "redis_user needs redis_password");
	if (mg_redis_uses_sentinels(set)) {
		if (set->sentinel_master == NULL || set->sentinel_master[0] == '\0')
			return mg_error_set(err, MG_ERR_CONFIG,
			    "redis_sentinels needs redis_sentinel_master");
		return mg_redis_parse_sentinels(set->sentinels, eps, &n, err);
	}
	if (set->server == NULL || set->server[0] == '\0')
		return mg_error_set(err, MG_ERR_CONFIG, "redis_server is empty");
	return mg_redis_parse_server("redis_server", set->server, &ep, err);
}
