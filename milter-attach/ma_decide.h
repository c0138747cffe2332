/*
 * ma_decide.h - milter-attach decisions: pure functions, no I/O
 *
 * parse (scanner) -> decide (here) -> act (ma_milter.c: reply, log,
 * notice).  Each scanned file is judged with ma_decide_file() against the
 * static rules (banned extensions on every declared name, zip members and
 * uuencoded names included), the security-alert bans (extension, libmagic
 * type, SHA-256; expiry compared with the decision time) and the libmagic
 * policy.  ma_decide_message() combines the size, the first offending
 * file, the structural anomalies and internal errors into one action and
 * builds the SMTP reply (ASCII, '%' doubled for libmilter).
 */
#ifndef MA_DECIDE_H
#define MA_DECIDE_H

#include <stddef.h>

#include "ma_banset.h"
#include "ma_config.h"

enum ma_action { MA_ACT_ACCEPT, MA_ACT_REJECT, MA_ACT_TEMPFAIL };

enum ma_reason {
	MA_R_NONE,
	MA_R_SIZE,        /* larger than size_limit */
	MA_R_EXT,         /* static banned extension */
	MA_R_BAN_EXT,     /* security-alert ban: extension */
	MA_R_BAN_MIME,    /* security-alert ban: libmagic type */
	MA_R_BAN_SHA256,  /* security-alert ban: content hash */
	MA_R_MAGIC,       /* executable content under another name (reject) */
	MA_R_STRUCTURE,   /* structural anomaly chosen by structure_anomalies */
	MA_R_ERROR,       /* internal error (scanner) or no ban list known */
};

/* What the decision needs of a scanned file (a view of struct scan_file) */
struct ma_file {
	const char *const *names;
	size_t n_names;
	const char *container;    /* zip members: the archive's name */
	const char *mime_type;    /* "" when unknown */
	const char *sha256_hex;   /* "" when unknown (zip members) */
};

struct ma_rules {
	const struct ma_config *cfg;
	const struct ma_banset *bans;   /* may be NULL */
	long long now;                  /* unix seconds */
};

#define MA_NAME_MAX 256
#define MA_EXT_MAX 24

/* One judged file: the reason and what to name in replies and logs */
struct ma_hit {
	enum ma_reason reason;
	int exec_content;            /* mime_type is one of magic_types */
	char name[MA_NAME_MAX];      /* offending name (raw bytes, bounded) */
	char ext[MA_EXT_MAX];        /* its last extension, lowercased */
	char mime[80];
	char sha256[65];
};

/* ma_last_ext - last extension of name after stripping trailing dots and
 * spaces (Windows), lowercased into out (".exe"); "" when none.  */
const char *ma_last_ext(const char *name, char *out, size_t outsz);

/* ma_decide_size - 1 when size is over limit (exactly limit is fine) */
int ma_decide_size(unsigned long long size, unsigned long long limit);

/* ma_decide_file - judge one file; MA_R_NONE when allowed (hit->
 * exec_content may still be set for magic_action log/header) */
enum ma_reason ma_decide_file(const struct ma_rules *rules,
			      const struct ma_file *f, struct ma_hit *hit);

/* Facts about one message at its end */
struct ma_facts {
	unsigned long long size;
	const struct ma_hit *hit;    /* first offending file, or NULL */
	unsigned anomalies;          /* SCAN_ANOM_* bits */
	int scan_error;              /* scanner internal error */
	int bans_known;              /* a ban snapshot was ever read */
};

struct ma_verdict {
	enum ma_action action;
	enum ma_reason reason;
	char code[4];
	char xcode[8];
	char text[981];              /* for smfi_setreply: <= 980, % doubled */
};

/* ma_decide_message - the final action and its reply */
void ma_decide_message(const struct ma_config *cfg, const struct ma_facts *f,
		       struct ma_verdict *v);

/* ma_reason_name - stable word for log lines ("banned_ext", ...) */
const char *ma_reason_name(enum ma_reason r);
/* ma_reply_escape - ASCII-only, control bytes to '?', '%' doubled */
size_t ma_reply_escape(char *out, size_t outsz, const char *in, size_t maxin);

#endif
