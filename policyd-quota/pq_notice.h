/*
 * pq_notice.h - the optional notice to a local sender whose message waits
 *
 * When a message is deferred for the first time because the recipient's
 * mailbox is full, and the sender's domain is one of local_domains, the
 * sender gets a short mail (French by default) saying that the message
 * waits and will be refused after the defer period; at most one per
 * (sender, recipient) per day (SET K fullnotice:{sender}:<id> NX EX 1d).
 * Never to external senders (no backscatter), never for the null sender.
 * A worker thread sends them (mg_smtpc, MAIL FROM:<>) so the event loop
 * never waits; the queue is bounded and drops when full.  Local means
 * mg_addr_in_domains(sender, local_domains).
 */
#ifndef PQ_NOTICE_H
#define PQ_NOTICE_H

#include "mg_error.h"
#include "pq_config.h"
#include "pq_metrics.h"

struct pq_notifier;

/* pq_notifier_start - pm (NULL: none) counts the notices by status and
 * the notifier's Redis client (client="notices") */
struct pq_notifier *pq_notifier_start(const struct pq_config *cfg,
				      const struct pq_metrics *pm,
				      struct mg_error *err);
/* pq_notifier_wanted - is this sender (normalised) one we notify? */
int pq_notifier_wanted(const struct pq_config *cfg, const char *sender);
/* pq_notifier_queue - hand over one notice (copied); 0, or -1 when full */
int pq_notifier_queue(struct pq_notifier *n, const char *sender,
		      const char *rcpt, const char *mailbox);
void pq_notifier_stop(struct pq_notifier **n);

/* pq_notice_build - the message for sender about rcpt, composed by
 * mg_mail (RFC 2047 subject, quoted-printable UTF-8 body, CRLF,
 * Auto-Submitted: auto-generated, Precedence: bulk), dated now, with
 * Message-ID message_id ("<...>"); into out, its length or -1 */
int pq_notice_build(const struct pq_config *cfg, const char *sender,
		    const char *rcpt, long long now, const char *message_id,
		    char *out, size_t outsz, struct mg_error *err);

#endif
