/*
 * ma_ctlcmd.h - milter-attach-ctl commands: argument checks and Redis work
 *
 *   ban add ext .iso 48h [reason...]      ban add mime TYPE/SUB 2d [reason]
 *   ban add sha256 <64 hex> 7d [reason]   ban del KIND VALUE
 *   ban list                              stats
 *
 * ma_ctl_parse() only checks and normalises the words (unit-tested);
 * ma_ctl_run() writes/reads the keys of mg_keys.h.  A change is one
 * MULTI/EXEC: the zset member, its note in K {ban}:meta and INCR of
 * K {ban}:serial, so the milters see it at their next refresh.
 */
#ifndef MA_CTLCMD_H
#define MA_CTLCMD_H

#include <stdio.h>

#include "mg_error.h"
#include "mg_keys.h"
#include "mg_redis.h"

enum ma_ctl_op { MA_CTL_BAN_ADD, MA_CTL_BAN_DEL, MA_CTL_BAN_LIST, MA_CTL_STATS };

#define MA_CTL_VALUE_MAX 128
#define MA_CTL_REASON_MAX 256
#define MA_CTL_TTL_MAX (366LL * 86400)

struct ma_ctl_cmd {
	enum ma_ctl_op op;
	enum mg_ban_kind kind;
	char value[MA_CTL_VALUE_MAX];    /* normalised: ".iso", lowercase */
	long long ttl_s;                 /* ban add: seconds, 1 .. 366 days */
	char reason[MA_CTL_REASON_MAX];
	char host[MG_KEYS_HOST_MAX];     /* stats: this host's (stats_host) */
};

/* exit codes of milter-attach-ctl */
#define MA_CTL_EXIT_OK 0
#define MA_CTL_EXIT_FAIL 1     /* Redis error, value not found */
#define MA_CTL_EXIT_USAGE 2    /* bad arguments */

/* ma_ctl_value_check - validate and normalise a ban value of a kind */
int ma_ctl_value_check(enum mg_ban_kind kind, const char *in, char *out,
		       size_t outsz, struct mg_error *err);
/* ma_ctl_parse - the words after the options; MG_ERR_PARSE on bad input */
int ma_ctl_parse(int argc, char *const *argv, struct ma_ctl_cmd *cmd,
		 struct mg_error *err);
/* ma_ctl_run - execute against Redis, printing results on out.  Returns
 * an MA_CTL_EXIT_* code; err explains failures. */
int ma_ctl_run(struct mg_redis *r, const struct mg_keys *k,
	       const struct ma_ctl_cmd *cmd, long long now, FILE *out,
	       struct mg_error *err);

#endif
