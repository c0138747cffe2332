/*
 * ma_msg.h - one message going through milter-attach, without libmilter
 *
 * ma_milter.c forwards the SMTP transaction here: the envelope, each
 * header (rebuilt as "Name: value\r\n"), the end of headers, the body
 * chunks.  ma_msg counts the bytes the way RFC 1870 does (the message as
 * sent in DATA: CRLF line ends, before dot-stuffing; the MTA's own
 * Received: header is not counted because Postfix does not show it), feeds
 * the scanner, judges each file as soon as the scanner reports it, and
 * at the end returns the verdict.  The scanner is reused across the
 * messages of a connection and rebuilt when the config changes.
 */
#ifndef MA_MSG_H
#define MA_MSG_H

#include <stddef.h>

#include "ma_bans.h"
#include "ma_config.h"
#include "ma_decide.h"
#include "ma_notifier.h"
#include "scan.h"

struct ma_msg;

struct ma_msg *ma_msg_new(void);
/* ma_msg_set_inspector - carriers go to fn(ctx) (scan.h's inspector hook;
 * ma_inspect.h's pool), spooled in cfg's inspect_spool_dir up to
 * inspect_max_bytes; NULL: none (the default) */
void ma_msg_set_inspector(struct ma_msg *m, scan_inspect_fn *fn, void *ctx);
void ma_msg_free(struct ma_msg **m);

/* ma_msg_file_fn - every file the scanner reports, with its judgement
 * (r == MA_R_NONE: allowed; hit->exec_content may be set), after the
 * message's own bookkeeping; sf and hit are valid during the call only */
typedef void ma_msg_file_fn(void *ctx, const struct scan_file *sf,
			    enum ma_reason r, const struct ma_hit *hit);
/* ma_msg_set_observer - offline tests (-T) list every file; with
 * always_magic, libmagic types are computed even when no decision needs
 * them (a type only matters to magic_action and MIME bans, so the
 * verdict does not change) */
void ma_msg_set_observer(struct ma_msg *m, ma_msg_file_fn *fn, void *ctx,
			 int always_magic);
/* ma_msg_size - the bytes counted so far (RFC 1870 way); ma_msg_anomalies -
 * the scanner's SCAN_ANOM_* bits once ma_msg_end ran */
unsigned long long ma_msg_size(const struct ma_msg *m);
unsigned ma_msg_anomalies(const struct ma_msg *m);
/* ma_msg_origin_name - "part", "zip_member"... as action=file lines say */
const char *ma_msg_origin_name(int origin);

/* ma_msg_size_param - SIZE=n among the MAIL FROM parameters (case-
 * insensitive); 1 found, 0 absent, -1 malformed/overflow */
int ma_msg_size_param(char *const *args, unsigned long long *size_r);

/* ma_msg_begin - start a message; takes the references on cfg and bans
 * (bans may be NULL); from is the envelope sender as given ("<a@b>") */
int ma_msg_begin(struct ma_msg *m, struct ma_config *cfg,
		 struct ma_banset *bans, const char *from, long long now,
		 struct mg_error *err);
int ma_msg_rcpt(struct ma_msg *m, const char *rcpt, struct mg_error *err);
/* ma_msg_header - value as libmilter gives it; leadspc: the space after
 * the colon is included (SMFIP_HDR_LEADSPC negotiated) */
void ma_msg_header(struct ma_msg *m, const char *name, const char *value,
		   int leadspc);
void ma_msg_eoh(struct ma_msg *m);
/* ma_msg_body - count and scan; returns 1 once the message is over the
 * size limit (nothing more is scanned), else 0 */
int ma_msg_body(struct ma_msg *m, const unsigned char *data, size_t len);
/* ma_msg_set_error - an internal error: error_action at the end */
void ma_msg_set_error(struct ma_msg *m);
/* ma_msg_end - finish scanning and decide */
void ma_msg_end(struct ma_msg *m, struct ma_verdict *v);
/* ma_msg_decide_size - the verdict for a size known early (MAIL FROM) */
void ma_msg_decide_size(struct ma_msg *m, unsigned long long size,
			struct ma_verdict *v);
/* ma_msg_log - the one key=value decision line, then one action=file
 * line per scanned file (name, sha256, mime; the first 32) */
void ma_msg_log(struct ma_msg *m, const char *queue_id, const char *stage,
		const struct ma_verdict *v);
/* ma_msg_notify - queue notices for a refused message when due */
void ma_msg_notify(struct ma_msg *m, struct ma_notifier *n,
		   const char *queue_id, const struct ma_verdict *v);
/* ma_msg_header_to_add - the header text when magic_action = header
 * found executable content (NULL otherwise) */
const char *ma_msg_header_to_add(struct ma_msg *m);
const struct ma_config *ma_msg_config(const struct ma_msg *m);
/* ma_msg_clear - drop the message (and its references), keep the scanner */
void ma_msg_clear(struct ma_msg *m);

#endif
