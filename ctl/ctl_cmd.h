/*
 * ctl_cmd.h - mailguard-ctl's command words: checked and normalised by a
 * pure function (no Redis, no config, unit-tested in test_ctl_cmd.c)
 *
 *   defer list [MAILBOX]              defer lift MAILBOX ID|--all
 *   quota show MAILBOX                warn rearm MAILBOX THRESHOLD|--all
 *   ban add ext|mime|sha256 VALUE DURATION [reason...] [--by NAME]
 *   ban del ext|mime|sha256 VALUE     ban list        ban purge
 *   stats [--prometheus] [--output FILE]
 * and --json after any of them (not with --prometheus); --output only
 * with stats (the file is written by ctl_main.c, see mg_file.h).  Options may
 * stand anywhere after the first word; "--" ends them.
 *
 * The alias milter-attach-ctl (CTL_LEGACY) accepts exactly what
 * milter-attach-ctl 0.4 accepted: ban add/del/list and stats, no options.
 *
 * Mailboxes are kept as typed: normalising needs the settings
 * (recipient_delimiter, default_domain), see ctl_config.h.
 */
#ifndef CTL_CMD_H
#define CTL_CMD_H

#include "mg_addr.h"
#include "mg_error.h"
#include "mg_keys.h"

enum ctl_op {
	CTL_DEFER_LIST, CTL_DEFER_LIFT,
	CTL_QUOTA_SHOW, CTL_WARN_REARM,
	CTL_BAN_ADD, CTL_BAN_DEL, CTL_BAN_LIST, CTL_BAN_PURGE,
	CTL_STATS,
};

enum ctl_format { CTL_HUMAN, CTL_JSON, CTL_PROMETHEUS };

#define CTL_REASON_MAX 256
#define CTL_BY_MAX 64
#define CTL_TTL_MAX (366LL * 86400)
#define CTL_THRESHOLD_MAX 1000
#define CTL_OUTPUT_MAX 1024

/* exit codes (mailguard-ctl(8)) */
#define CTL_EXIT_OK 0
#define CTL_EXIT_NOTFOUND 1    /* not found, nothing matched */
#define CTL_EXIT_USAGE 2       /* usage or configuration error */
#define CTL_EXIT_REDIS 3       /* Redis unavailable or answered an error */

struct ctl_cmd {
	enum ctl_op op;
	enum ctl_format format;
	int legacy;                          /* invoked as milter-attach-ctl */
	int all;                             /* --all */
	char mailbox[MG_ADDR_MAX + 3];       /* as typed ("" = none) */
	char id[MG_KEYS_ID_LEN + 1];         /* defer lift: "" = --all */
	long long threshold;                 /* warn rearm: 0 = --all */
	enum mg_ban_kind kind;
	char value[MG_BAN_VALUE_MAX];        /* normalised: ".iso", lowercase */
	long long ttl_s;                     /* ban add: 1 s .. 366 d */
	char reason[CTL_REASON_MAX];         /* "" = keep the old one */
	char by[CTL_BY_MAX];                 /* --by ("" = the login user) */
	char output[CTL_OUTPUT_MAX];         /* --output ("" = stdout) */
};

/* ctl_parse - the words after the global options (-c FILE); legacy:
 * milter-attach-ctl's grammar.  MG_ERR_PARSE with a message on bad
 * input. */
int ctl_parse(int argc, char *const *argv, int legacy, struct ctl_cmd *cmd,
	      struct mg_error *err);

/* ctl_by_check - a name for --by: 1..63 printable ASCII, no blanks */
int ctl_by_check(const char *name, struct mg_error *err);

/* ctl_exit_code - the exit code for a failure described by err (Redis
 * kinds: CTL_EXIT_REDIS; parse/config: CTL_EXIT_USAGE) */
int ctl_exit_code(const struct mg_error *err);

#endif
