/*
 * ma_metrics.c - milter-attach's metric families (see ma_metrics.h)
 */
#include <string.h>
#include <time.h>

#include "ma_metrics.h"
#include "mg_keys.h"

/* collect - the bans' age, read at each scrape */
static void
collect(void *arg)
{
	struct ma_metrics *mm = arg;
	long long ok = __atomic_load_n(&mm->bans_ok, __ATOMIC_RELAXED);

	mg_metric_set(mm->bans_age, NULL, NULL, (long long)time(NULL) - ok);
}

/* ma_metrics_init - declare them all, in the order they are rendered */
int
ma_metrics_init(struct ma_metrics *mm, struct mg_error *err)
{
	struct mg_metrics *m;

	memset(mm, 0, sizeof(*mm));
	mm->bans_ok = (long long)time(NULL);
	if ((m = mm->reg = mg_metrics_new()) == NULL)
		return mg_error_set(err, MG_ERR_NOMEM, "metrics: out of memory");
	if ((mm->messages = mg_metrics_counter(m, "mailguard_milter_messages_total",
		"messages given a verdict", NULL, NULL, err)) == NULL ||
	    (mm->verdicts = mg_metrics_counter(m, "mailguard_milter_verdicts_total",
		"verdicts by action (accept, reject, tempfail) and reason", "action",
		"reason", err)) == NULL ||
	    (mm->scan = mg_metrics_histogram(m, "mailguard_milter_scan_seconds",
		"time spent scanning one message", NULL, NULL, MG_METRICS_SECONDS,
		MG_METRICS_SECONDS_N, err)) == NULL ||
	    (mm->bans = mg_metrics_gauge(m, "mailguard_milter_bans",
		"security-alert bans loaded, by kind (ext, mime, sha256)", "kind", NULL,
		err)) == NULL ||
	    (mm->bans_age = mg_metrics_gauge(m, "mailguard_milter_bans_age_seconds",
		"seconds since the last successful ban refresh (since the start if none)",
		NULL, NULL, err)) == NULL ||
	    (mm->notices = mg_metrics_counter(m, "mailguard_notices_total",
		"notices to senders by status (sent, failed, skipped)", "status", NULL,
		err)) == NULL ||
	    (mm->inspect_failed = mg_metrics_counter(m,
		"mailguard_milter_inspect_failures_total",
		"inspector failures by reason (the carrier is tempfailed or flagged)",
		"reason", NULL, err)) == NULL ||
	    mg_redis_metrics_declare(m, &mm->redis, err) < 0) {
		ma_metrics_release(mm);
		return -1;
	}
	mg_metric_add(mm->messages, NULL, NULL, 0);     /* shown from the start */
	mg_metrics_set_collect(m, collect, mm);
	return 0;
}

/* ma_metrics_release - free the registry */
void
ma_metrics_release(struct ma_metrics *mm)
{
	mg_metrics_free(&mm->reg);
	memset(mm, 0, sizeof(*mm));
}

/* ma_metrics_bans_loaded - the counts and the time of a good refresh */
void
ma_metrics_bans_loaded(struct ma_metrics *mm, const size_t *n)
{
	int k;

	if (mm == NULL)
		return;
	for (k = 0; k < MG_BAN_KINDS; k++)
		mg_metric_set(mm->bans, mg_ban_kind_name((enum mg_ban_kind)k), NULL,
			      (long long)n[k]);
	__atomic_store_n(&mm->bans_ok, (long long)time(NULL), __ATOMIC_RELAXED);
}
