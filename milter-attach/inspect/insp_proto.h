/*
 * insp_proto.h - the messages between milter-attach and its inspector
 * processes (milter-attach-inspect(8)), over a SOCK_SEQPACKET socketpair
 *
 * The milter sends one request, with the spooled carrier's file
 * descriptor attached (SCM_RIGHTS); the inspector answers with one
 * message per member and ends with an END message carrying the anomaly
 * bits.  One message is at most INSP_MSG_MAX bytes; integers are little
 * endian; names are cut to INSP_NAME_MAX - 1 bytes (their end kept, where
 * the extension is).  Encoding and decoding are pure and check every
 * length: a peer's bytes are never trusted.
 */
#ifndef INSP_PROTO_H
#define INSP_PROTO_H

#include <stddef.h>

#define INSP_MSG_MAX 8192
#define INSP_NAME_MAX 2048
#define INSP_FORMAT_MAX 32

struct insp_request {
	unsigned max_depth, max_entries;
	unsigned long long max_bytes;
	unsigned long long size;         /* bytes of the carrier */
	char name[INSP_NAME_MAX];        /* the attachment's name */
};

enum insp_reply_kind { INSP_REPLY_MEMBER = 1, INSP_REPLY_END = 2 };

struct insp_reply {
	enum insp_reply_kind kind;
	/* MEMBER */
	char name[INSP_NAME_MAX];
	char format[INSP_FORMAT_MAX];
	unsigned long long size;
	int encrypted;
	unsigned depth;
	/* END */
	unsigned anomalies;
};

/* the encoders return the message's length, or 0 when buf is too small */
size_t insp_request_encode(const struct insp_request *r, unsigned char *buf,
			   size_t bufsz);
size_t insp_reply_encode(const struct insp_reply *r, unsigned char *buf,
			 size_t bufsz);
/* the decoders return 0, or -1 for a message that is not one */
int insp_request_decode(const unsigned char *buf, size_t len,
			struct insp_request *r);
int insp_reply_decode(const unsigned char *buf, size_t len,
		      struct insp_reply *r);

#endif
