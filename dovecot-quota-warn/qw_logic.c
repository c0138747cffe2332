/*
 * qw_logic.c - thresholds and hysteresis (see qw_logic.h)
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "qw_logic.h"

int
qw_parse_thresholds(const char *s, struct qw_thresholds *t,
		    struct mg_error *err)
{
	unsigned i;

	memset(t, 0, sizeof(*t));
	while (*s != '\0') {
		unsigned long v = 0;
		const char *start;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		start = s;
		while (isdigit((unsigned char)*s) && s - start < 4)
			v = v * 10 + (unsigned long)(*s++ - '0');
		if (s == start || (*s != '\0' && *s != ' ' && *s != ',' && *s != '\t'))
			return mg_error_set(err, MG_ERR_CONFIG,
			    "bad percentage near \"%.16s\"", start);
		if (v < 1 || v > 100)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "%lu is not within 1..100", v);
		if (t->n == QW_MAX_THRESHOLDS)
			return mg_error_set(err, MG_ERR_CONFIG,
			    "at most %d thresholds", QW_MAX_THRESHOLDS);
		for (i = 0; i < t->n; i++)
			if (t->pct[i] == v)
				return mg_error_set(err, MG_ERR_CONFIG,
				    "%lu given twice", v);
		/* insertion keeps them ascending */
		for (i = t->n; i > 0 && t->pct[i - 1] > v; i--)
			t->pct[i] = t->pct[i - 1];
		t->pct[i] = (unsigned)v;
		t->n++;
	}
	if (t->n == 0)
		return mg_error_set(err, MG_ERR_CONFIG,
				    "empty");
	return 0;
}

int
qw_parse_resource(const char *s, enum qw_resource *r)
{
	if (strcmp(s, "storage") == 0)
		*r = QW_RES_STORAGE;
	else if (strcmp(s, "messages") == 0)
		*r = QW_RES_MESSAGES;
	else if (strcmp(s, "both") == 0)
		*r = QW_RES_BOTH;
	else
		return -1;
	return 0;
}

unsigned
qw_percent(uint64_t used, uint64_t limit)
{
	uint64_t p;

	if (limit == 0)
		return 0;
	if (used <= UINT64_MAX / 100)
		p = used * 100 / limit;
	else
		p = used / (limit / 100 ? limit / 100 : 1);
	return p > 100000 ? 100000 : (unsigned)p;
}

unsigned
qw_usage_percent(const struct qw_usage *u, enum qw_resource res)
{
	unsigned b = 0, m = 0;

	if (res & QW_RES_STORAGE)
		b = qw_percent(u->bytes, u->bytes_limit);
	if (res & QW_RES_MESSAGES)
		m = qw_percent(u->msgs, u->msgs_limit);
	return b > m ? b : m;
}

int
qw_near_limit(const struct qw_thresholds *t, unsigned rearm_pct,
		   const struct qw_usage *u)
{
	unsigned mark = rearm_pct;

	if (t->n > 0 && t->pct[0] < mark)
		mark = t->pct[0];
	return qw_usage_percent(u, QW_RES_BOTH) >= mark;
}

struct qw_action
qw_decide(const struct qw_thresholds *t, unsigned rearm_pct, unsigned percent,
	  unsigned claimed_mask)
{
	struct qw_action a = { 0, 0, 0 };
	unsigned i;

	if (percent < rearm_pct) {
		a.release_mask = claimed_mask;
		return a;
	}
	for (i = 0; i < t->n; i++) {
		if (t->pct[i] > percent)
			break;
		if (!(claimed_mask & (1u << i))) {
			a.claim_mask |= 1u << i;
			a.notify_pct = t->pct[i];    /* the highest wins */
		}
	}
	/* a higher threshold already claimed: the lower one is no news */
	for (; i < t->n; i++)
		if (claimed_mask & (1u << i))
			a.notify_pct = 0;
	return a;
}
