/*
 * mg_keys.h - the Redis key schema: the contract between the components
 *
 * Every key is  <prefix>v<MG_KEYS_VERSION>:<name>  where <prefix> is the
 * configurable redis_prefix (default "mg:").  Keys about one mailbox
 * carry the normalised address (mg_addr.h) as a Redis Cluster hash tag,
 * "{alice@example.org}", so all of one mailbox's keys share a slot.
 * common/README.md documents the same table for admins; the golden unit
 * tests (tests/unit/test_keys.c) pin the exact strings.
 *
 * key (K = "mg:v1:")           type   fields / value              TTL                  writer -> reader
 * K quota:{MB}                 hash   bytes bytes_limit msgs       quota_state_ttl      dovecot-quota-warn ->
 *                                     msgs_limit updated (unix s)  (refreshed on write)  policyd-quota, admins
 *                                     (limits: 0 = unlimited)
 * K quota-changed              channel  message = MB               -                    dovecot-quota-warn -> policyd-quota
 * K warn:{MB}                  hash   <threshold%> = unix s sent   none (HDEL re-arms)  dovecot-quota-warn (HSETNX)
 * K defer:{MB}:<id>            string unix s of first deferral     defer period + 1 d   policyd-quota (SET NX);
 *                                     <id> = mg_keys_id(sender "\n" size)               admins may edit it
 * K deferinfo:{MB}:<id>        hash   sender size rcpt (as given)  as K defer:{MB}:<id>  policyd-quota (HSET, EXPIRE NX,
 *                                                                                       same pipeline) -> mailguard-ctl
 * K alias:{ADDR}               set    target mailboxes (MB)        none                 admins/sync -> policyd-quota
 * K fullnotice:{SENDER}:<id>   string "1"                          1 d                  policyd-quota (SET NX EX)
 *                                     <id> = mg_keys_id(MB)
 * K {ban}:ext                  zset   member ".iso", score=expiry  none (members expire) mailguard-ctl -> milter-attach
 * K {ban}:mime                 zset   "application/x-...", expiry  none                 mailguard-ctl -> milter-attach
 * K {ban}:sha256               zset   64 lowercase hex, expiry     none                 mailguard-ctl -> milter-attach
 * K {ban}:meta                 hash   "<kind>:<value>" = note      none                 mailguard-ctl -> admins
 *                                     "<kind>:<value>:by|at|reason" = who, unix s, reason (0.5)
 * K {ban}:serial               string counter, INCR on change      none                 mailguard-ctl -> milter-attach
 * K notice:{RCPT}:<id>         string "1"                          7 d                  milter-attach (SET NX EX)
 *                                     <id> = mg_keys_id(sender "\n" message id)
 * K noticerate:{RCPT}          string counter (INCR)               1 h (set at 1st INCR) milter-attach
 * K stats:<component>          hash   counter name = integer       none                 (before 0.5: every host summed here)
 * K stats:<component>:<host>   hash   counter name = integer       none                 each daemon/plugin (HINCRBY) -> mailguard-ctl
 *                                     <host>: the host's name (stats_host setting, default gethostname)
 */
#ifndef MG_KEYS_H
#define MG_KEYS_H

#include <stddef.h>

#include "mg_error.h"

#define MG_KEYS_VERSION 1
#define MG_KEYS_PREFIX_DEFAULT "mg:"
#define MG_KEYS_PREFIX_MAX 64
#define MG_KEY_MAX 512         /* every key fits: prefix + name + address */
#define MG_KEYS_ID_LEN 32      /* hex characters of mg_keys_id() */

/* Fields of K quota:{MB} */
#define MG_QF_BYTES       "bytes"
#define MG_QF_BYTES_LIMIT "bytes_limit"
#define MG_QF_MSGS        "msgs"
#define MG_QF_MSGS_LIMIT  "msgs_limit"
#define MG_QF_UPDATED     "updated"

/* Fields of K deferinfo:{MB}:<id> */
#define MG_DF_SENDER "sender"
#define MG_DF_SIZE   "size"
#define MG_DF_RCPT   "rcpt"

/* Suffixes of the structured fields of K {ban}:meta beside the note
 * "<kind>:<value>" (values never contain ':') */
#define MG_BM_BY     ":by"
#define MG_BM_AT     ":at"
#define MG_BM_REASON ":reason"

/* Kinds of bans: also the names used by mailguard-ctl */
enum mg_ban_kind {
	MG_BAN_EXT,
	MG_BAN_MIME,
	MG_BAN_SHA256,
};
#define MG_BAN_KINDS 3

struct mg_keys {
	char base[MG_KEYS_PREFIX_MAX + 8];   /* "<prefix>v1:" */
	size_t base_len;
};

/* mg_keys_init - "mg:" -> base "mg:v1:".  The prefix must be 1..64
 * printable characters without spaces or braces. */
int mg_keys_init(struct mg_keys *k, const char *prefix, struct mg_error *err);

/* Each builder writes a NUL-terminated key into out and returns its
 * length, or -1 (MG_ERR_LIMIT) when it does not fit in outsz.  mailbox
 * arguments must already be normalised (mg_addr_normalize). */
int mg_key_quota(const struct mg_keys *k, const char *mailbox,
		 char *out, size_t outsz, struct mg_error *err);
int mg_key_quota_channel(const struct mg_keys *k, char *out, size_t outsz,
			 struct mg_error *err);
int mg_key_warn(const struct mg_keys *k, const char *mailbox,
		char *out, size_t outsz, struct mg_error *err);
int mg_key_defer(const struct mg_keys *k, const char *mailbox,
		 const char *id, char *out, size_t outsz, struct mg_error *err);
/* mg_key_deferinfo - what policyd-quota knew of a deferred message */
int mg_key_deferinfo(const struct mg_keys *k, const char *mailbox,
		     const char *id, char *out, size_t outsz,
		     struct mg_error *err);
int mg_key_alias(const struct mg_keys *k, const char *address,
		 char *out, size_t outsz, struct mg_error *err);
int mg_key_fullnotice(const struct mg_keys *k, const char *sender,
		      const char *id, char *out, size_t outsz,
		      struct mg_error *err);
int mg_key_ban(const struct mg_keys *k, enum mg_ban_kind kind,
	       char *out, size_t outsz, struct mg_error *err);
int mg_key_ban_meta(const struct mg_keys *k, char *out, size_t outsz,
		    struct mg_error *err);
int mg_key_ban_serial(const struct mg_keys *k, char *out, size_t outsz,
		      struct mg_error *err);
int mg_key_notice(const struct mg_keys *k, const char *rcpt,
		  const char *id, char *out, size_t outsz,
		  struct mg_error *err);
int mg_key_noticerate(const struct mg_keys *k, const char *rcpt,
		      char *out, size_t outsz, struct mg_error *err);
int mg_key_stats(const struct mg_keys *k, const char *component,
		 char *out, size_t outsz, struct mg_error *err);
/* mg_key_stats_host - one host's counters of a component */
int mg_key_stats_host(const struct mg_keys *k, const char *component,
		      const char *host, char *out, size_t outsz,
		      struct mg_error *err);
/* mg_keys_stats_host - the <host> of K stats:<component>:<host>: the
 * setting (stats_host, quota_warn_stats_host), or when it is empty the
 * host's name (gethostname); letters, digits, '.', '-' and '_' only,
 * 1 to MG_KEYS_HOST_MAX - 1 bytes, else MG_ERR_CONFIG naming `what` */
#define MG_KEYS_HOST_MAX 128
int mg_keys_stats_host(const char *setting, const char *what, char *out,
		       size_t outsz, struct mg_error *err);

/* mg_keys_id - MG_KEYS_ID_LEN lowercase hex characters (the first 16
 * bytes of SHA-256(data)) plus NUL into out[MG_KEYS_ID_LEN + 1] */
void mg_keys_id(const void *data, size_t len, char out[MG_KEYS_ID_LEN + 1]);

/* mg_ban_kind_name / mg_ban_kind_parse - "ext", "mime", "sha256" */
const char *mg_ban_kind_name(enum mg_ban_kind kind);
int mg_ban_kind_parse(const char *name, enum mg_ban_kind *kind_r);

#define MG_BAN_VALUE_MAX 128

/* mg_ban_ext_valid - ".iso": a dot then 1..16 of [A-Za-z0-9_-] (also the
 * rule of milter-attach's banned_extensions) */
int mg_ban_ext_valid(const char *ext);
/* mg_ban_value_check - a ban member of a kind, as an admin typed it, into
 * its stored form (lowercase; ext: ".iso" from "iso" or ".ISO"; mime:
 * type/subtype of RFC 2045 token characters; sha256: 64 hex digits).
 * -1 with MG_ERR_PARSE and a message saying what is wanted. */
int mg_ban_value_check(enum mg_ban_kind kind, const char *in, char *out,
		       size_t outsz, struct mg_error *err);

#endif
