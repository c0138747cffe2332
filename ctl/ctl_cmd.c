/*
 * ctl_cmd.c - mailguard-ctl's command words (see ctl_cmd.h)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"
#include "mg_config.h"

#define WORDS_MAX 64

static int
usage_err(struct mg_error *err, const char *synopsis)
{
	return mg_error_set(err, MG_ERR_PARSE, "usage: %s", synopsis);
}

int
ctl_by_check(const char *name, struct mg_error *err)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= CTL_BY_MAX)
		return mg_error_set(err, MG_ERR_PARSE,
		    "--by: want a name of 1 to %d characters", CTL_BY_MAX - 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || (unsigned char)name[i] >= 0x7f)
			return mg_error_set(err, MG_ERR_PARSE,
			    "--by: printable ASCII without blanks, please");
	return 0;
}

/* split - options out of argv, the other words into w (at most
 * WORDS_MAX); legacy: every word is a word */
static int
split(int argc, char *const *argv, int legacy, struct ctl_cmd *cmd,
      const char **w, int *nw, struct mg_error *err)
{
	int i, opts = !legacy;

	*nw = 0;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = 0;
			continue;
		}
		if (opts && strncmp(a, "--", 2) == 0) {
			if (strcmp(a, "--json") == 0 || strcmp(a, "--prometheus") == 0) {
				enum ctl_format f = a[2] == 'j' ? CTL_JSON : CTL_PROMETHEUS;
				if (cmd->format != CTL_HUMAN && cmd->format != f)
					return mg_error_set(err, MG_ERR_PARSE,
					    "--json and --prometheus exclude each other");
				cmd->format = f;
			} else if (strcmp(a, "--all") == 0) {
				cmd->all = 1;
			} else if (strcmp(a, "--by") == 0) {
				if (i + 1 >= argc)
					return mg_error_set(err, MG_ERR_PARSE,
							    "--by needs a name");
				if (ctl_by_check(argv[++i], err) < 0)
					return -1;
				snprintf(cmd->by, sizeof(cmd->by), "%s", argv[i]);
			} else if (strcmp(a, "--output") == 0) {
				/* "-x" is more likely a forgotten name than a file */
				if (i + 1 >= argc || argv[i + 1][0] == '\0' ||
				    argv[i + 1][0] == '-' ||
				    strlen(argv[i + 1]) >= sizeof(cmd->output))
					return mg_error_set(err, MG_ERR_PARSE,
					    "--output needs a file name (1 to %d bytes, "
					    "not starting with -)", CTL_OUTPUT_MAX - 1);
				snprintf(cmd->output, sizeof(cmd->output), "%s", argv[++i]);
			} else {
				return mg_error_set(err, MG_ERR_PARSE,
				    "unknown option \"%.30s\"", a);
			}
			continue;
		}
		if (*nw == WORDS_MAX)
			return mg_error_set(err, MG_ERR_PARSE, "too many words");
		w[(*nw)++] = a;
	}
	return 0;
}

/* mailbox - a mailbox word as typed (normalised later) */
static int
mailbox(struct ctl_cmd *cmd, const char *in, struct mg_error *err)
{
	size_t n = strlen(in);

	if (n == 0 || n >= sizeof(cmd->mailbox))
		return mg_error_set(err, MG_ERR_PARSE,
		    "bad mailbox: want an address of 1 to %d characters",
		    MG_ADDR_MAX);
	memcpy(cmd->mailbox, in, n + 1);
	return 0;
}

/* parse_defer - defer list [MAILBOX] | defer lift MAILBOX ID|--all */
static int
parse_defer(struct ctl_cmd *cmd, const char **w, int nw, struct mg_error *err)
{
	size_t i;

	if (nw >= 2 && strcmp(w[1], "list") == 0) {
		cmd->op = CTL_DEFER_LIST;
		if (nw > 3 || cmd->all)
			return usage_err(err, "defer list [MAILBOX] [--json]");
		return nw == 3 ? mailbox(cmd, w[2], err) : 0;
	}
	if (nw < 2 || strcmp(w[1], "lift") != 0)
		return mg_error_set(err, MG_ERR_PARSE,
		    "unknown defer command: want list or lift");
	cmd->op = CTL_DEFER_LIFT;
	if (nw != (cmd->all ? 3 : 4))
		return usage_err(err, "defer lift MAILBOX ID|--all");
	if (mailbox(cmd, w[2], err) < 0)
		return -1;
	if (cmd->all)
		return 0;
	for (i = 0; w[3][i] != '\0'; i++)
		if (!isxdigit((unsigned char)w[3][i]))
			break;
	if (i != MG_KEYS_ID_LEN || w[3][i] != '\0')
		return mg_error_set(err, MG_ERR_PARSE,
		    "bad deferral id \"%.40s\": want the %d hex digits shown by "
		    "defer list", w[3], MG_KEYS_ID_LEN);
	for (i = 0; i < MG_KEYS_ID_LEN; i++)
		cmd->id[i] = (char)tolower((unsigned char)w[3][i]);
	cmd->id[MG_KEYS_ID_LEN] = '\0';
	return 0;
}

/* parse_quota - quota show MAILBOX | warn rearm MAILBOX THRESHOLD|--all */
static int
parse_quota(struct ctl_cmd *cmd, const char **w, int nw, struct mg_error *err)
{
	char *end;

	if (strcmp(w[0], "quota") == 0) {
		cmd->op = CTL_QUOTA_SHOW;
		if (nw != 3 || strcmp(w[1], "show") != 0 || cmd->all)
			return usage_err(err, "quota show MAILBOX [--json]");
		return mailbox(cmd, w[2], err);
	}
	cmd->op = CTL_WARN_REARM;
	if (nw != (cmd->all ? 3 : 4) || strcmp(w[1], "rearm") != 0)
		return usage_err(err, "warn rearm MAILBOX THRESHOLD|--all");
	if (mailbox(cmd, w[2], err) < 0 || cmd->all)
		return cmd->all ? 0 : -1;
	cmd->threshold = strtoll(w[3], &end, 10);
	if (!isdigit((unsigned char)w[3][0]) || (*end != '\0' && strcmp(end, "%") != 0) ||
	    cmd->threshold < 1 || cmd->threshold > CTL_THRESHOLD_MAX)
		return mg_error_set(err, MG_ERR_PARSE,
		    "bad threshold \"%.20s\": want a percentage such as 90 or 100",
		    w[3]);
	return 0;
}

/* parse_ban - ban add|del|list|purge */
static int
parse_ban(struct ctl_cmd *cmd, const char **w, int nw, struct mg_error *err)
{
	long long ms;
	size_t len = 0;
	int i;

	if (nw >= 2 && (strcmp(w[1], "list") == 0 ||
			(!cmd->legacy && strcmp(w[1], "purge") == 0))) {
		cmd->op = w[1][0] == 'l' ? CTL_BAN_LIST : CTL_BAN_PURGE;
		if (nw != 2)
			return mg_error_set(err, MG_ERR_PARSE, "ban %s takes no argument",
					    w[1]);
		return 0;
	}
	if (nw >= 2 && strcmp(w[1], "add") == 0)
		cmd->op = CTL_BAN_ADD;
	else if (nw >= 2 && strcmp(w[1], "del") == 0)
		cmd->op = CTL_BAN_DEL;
	else
		return mg_error_set(err, MG_ERR_PARSE,
		    "unknown ban command \"%.20s\"", nw >= 2 ? w[1] : "");
	if (cmd->op == CTL_BAN_ADD ? nw < 5 : nw != 4)
		return usage_err(err, cmd->op == CTL_BAN_ADD
		    ? "ban add ext|mime|sha256 VALUE DURATION [reason]"
		    : "ban del ext|mime|sha256 VALUE");
	if (mg_ban_kind_parse(w[2], &cmd->kind) < 0)
		return mg_error_set(err, MG_ERR_PARSE,
		    "unknown kind \"%.20s\": want ext, mime or sha256", w[2]);
	if (mg_ban_value_check(cmd->kind, w[3], cmd->value, sizeof(cmd->value),
			       err) < 0)
		return -1;
	if (cmd->op == CTL_BAN_DEL)
		return 0;
	if (mg_config_parse_duration(w[4], &ms) < 0 || ms < 1000 ||
	    ms / 1000 > CTL_TTL_MAX)
		return mg_error_set(err, MG_ERR_PARSE,
		    "bad duration \"%.20s\": want e.g. 30m, 48h, 7d (1s .. 366d)",
		    w[4]);
	cmd->ttl_s = ms / 1000;
	for (i = 5; i < nw; i++) {
		int n = snprintf(cmd->reason + len, sizeof(cmd->reason) - len,
				 "%s%s", i > 5 ? " " : "", w[i]);
		if (n < 0 || (size_t)n >= sizeof(cmd->reason) - len)
			return mg_error_set(err, MG_ERR_PARSE, "reason too long "
			    "(max %d bytes)", CTL_REASON_MAX - 1);
		len += (size_t)n;
	}
	return 0;
}

int
ctl_parse(int argc, char *const *argv, int legacy, struct ctl_cmd *cmd,
	  struct mg_error *err)
{
	const char *w[WORDS_MAX];
	int nw, rc;

	memset(cmd, 0, sizeof(*cmd));
	cmd->legacy = legacy;
	if (split(argc, argv, legacy, cmd, w, &nw, err) < 0)
		return -1;
	if (nw == 0)
		return mg_error_set(err, MG_ERR_PARSE, "no command given");
	if (strcmp(w[0], "stats") == 0) {
		cmd->op = CTL_STATS;
		if (nw != 1)
			return mg_error_set(err, MG_ERR_PARSE, "stats takes no argument");
		rc = 0;
	} else if (strcmp(w[0], "ban") == 0) {
		rc = parse_ban(cmd, w, nw, err);
	} else if (legacy) {
		return mg_error_set(err, MG_ERR_PARSE, "unknown command");
	} else if (strcmp(w[0], "defer") == 0) {
		rc = parse_defer(cmd, w, nw, err);
	} else if (nw >= 1 && (strcmp(w[0], "quota") == 0 ||
			       strcmp(w[0], "warn") == 0)) {
		rc = parse_quota(cmd, w, nw, err);
	} else {
		return mg_error_set(err, MG_ERR_PARSE,
		    "unknown command \"%.20s\": want defer, quota, warn, ban or stats",
		    w[0]);
	}
	if (rc < 0)
		return -1;
	if (cmd->all && cmd->op != CTL_DEFER_LIFT && cmd->op != CTL_WARN_REARM)
		return mg_error_set(err, MG_ERR_PARSE,
				    "--all goes with defer lift and warn rearm");
	if (cmd->by[0] != '\0' && cmd->op != CTL_BAN_ADD)
		return mg_error_set(err, MG_ERR_PARSE, "--by goes with ban add");
	if (cmd->output[0] != '\0' && cmd->op != CTL_STATS)
		return mg_error_set(err, MG_ERR_PARSE, "--output goes with stats");
	if (cmd->format == CTL_PROMETHEUS && cmd->op != CTL_STATS)
		return mg_error_set(err, MG_ERR_PARSE,
				    "--prometheus goes with stats");
	return 0;
}

int
ctl_exit_code(const struct mg_error *err)
{
	if (mg_error_is_redis(err))
		return CTL_EXIT_REDIS;
	return err->kind == MG_ERR_PARSE || err->kind == MG_ERR_CONFIG ||
	       err->kind == MG_ERR_LIMIT ? CTL_EXIT_USAGE : CTL_EXIT_REDIS;
}
