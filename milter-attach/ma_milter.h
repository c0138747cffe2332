/*
 * ma_milter.h - the libmilter side of milter-attach
 *
 * One struct ma_ctx holds everything shared between connections: the
 * current config snapshot and ban refresher (swapped on reload under the
 * lock) and the notice worker.  libmilter callbacks take no user pointer,
 * so ma_milter_init() records the context once, before smfi_main().
 * Per-connection and per-message state lives behind smfi_setpriv().
 */
#ifndef MA_MILTER_H
#define MA_MILTER_H

#include <pthread.h>

#include <libmilter/mfapi.h>

#include "ma_bans.h"
#include "ma_config.h"
#include "ma_inspect.h"
#include "ma_notifier.h"
#include "mg_metrics_http.h"

struct ma_ctx {
	pthread_mutex_t lock;
	struct ma_config *cfg;          /* under lock; one reference */
	struct ma_bans *bans;           /* under lock */
	struct ma_notifier *notifier;
	struct ma_inspect *inspect;     /* the inspector pool (fixed at start) */
	struct ma_stats stats;          /* atomic counters */
	struct ma_metrics metrics;      /* the registry stats.metrics points to */
	struct mg_metrics_export *export; /* metrics_listen, metrics_textfile */
};

/* ma_ctx_config - the current config with a reference */
struct ma_config *ma_ctx_config(struct ma_ctx *c);
/* ma_ctx_bans - the current ban snapshot with a reference (may be NULL) */
struct ma_banset *ma_ctx_bans(struct ma_ctx *c);

/* ma_milter_init - remember the context, fill the smfiDesc to register */
void ma_milter_init(struct ma_ctx *c, struct smfiDesc *desc);

#endif
