/*
 * qw_known.c - a quota root's last known usage (see qw_known.h)
 */
#include <string.h>

#include "qw_known.h"

void
qw_known_read(struct qw_known *k, enum qw_known_res r, uint64_t value,
	      long long now_ms)
{
	k->have[r] = 1;
	k->value[r] = value;
	k->read_ms[r] = now_ms;
}

static void
apply_one(struct qw_known *k, enum qw_known_res r, int64_t delta)
{
	uint64_t d;

	if (!k->have[r])
		return;
	if (delta < 0) {
		d = delta == INT64_MIN ? (uint64_t)INT64_MAX + 1 : (uint64_t)-delta;
		if (d > k->value[r])
			k->have[r] = 0;          /* the reading was wrong */
		else
			k->value[r] -= d;
	} else if (k->value[r] > UINT64_MAX - (uint64_t)delta) {
		k->have[r] = 0;
	} else {
		k->value[r] += (uint64_t)delta;
	}
}

void
qw_known_apply(struct qw_known *k, int64_t bytes_delta, int64_t msgs_delta)
{
	apply_one(k, QW_KNOWN_BYTES, bytes_delta);
	apply_one(k, QW_KNOWN_MSGS, msgs_delta);
}

void
qw_known_forget(struct qw_known *k)
{
	memset(k, 0, sizeof(*k));
}

int
qw_known_fresh(const struct qw_known *k, long long now_ms, long long max_age_ms)
{
	int r;

	for (r = QW_KNOWN_BYTES; r <= QW_KNOWN_MSGS; r++)
		if (!k->have[r] || now_ms - k->read_ms[r] > max_age_ms ||
		    now_ms < k->read_ms[r])
			return 0;
	return 1;
}
