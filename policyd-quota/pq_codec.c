/*
 * pq_codec.c - policy request parser and reply formatter (see pq_codec.h)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pq_codec.h"

/* copy_field - value into a fixed field; -1 when it does not fit */
static int
copy_field(char *dst, size_t dstsz, const char *v, size_t vlen,
	   const char *name, struct mg_error *err)
{
	if (vlen >= dstsz)
		return mg_error_set(err, MG_ERR_LIMIT,
		    "attribute %s: value of %zu bytes is too long", name, vlen);
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return 0;
}

static int
parse_size(const char *v, size_t vlen, long long *out, struct mg_error *err)
{
	long long n = 0;
	size_t i;

	for (i = 0; i < vlen; i++) {
		if (v[i] < '0' || v[i] > '9' || n > (999999999999999LL - 9) / 10)
			return mg_error_set(err, MG_ERR_PARSE,
					    "attribute size: bad number");
		n = n * 10 + (v[i] - '0');
	}
	*out = n;
	return 0;
}

/* attribute - store one name=value pair if we use it */
static int
attribute(struct pq_request *req, const char *name, size_t nlen,
	  const char *v, size_t vlen, int *is_policy, struct mg_error *err)
{
#define IS(lit) (nlen == sizeof(lit) - 1 && memcmp(name, lit, nlen) == 0)
	if (IS("request")) {
		*is_policy = (vlen == 19 && memcmp(v, "smtpd_access_policy", 19) == 0);
		return 0;
	}
	if (IS("protocol_state"))
		return copy_field(req->protocol_state, sizeof(req->protocol_state),
				  v, vlen, "protocol_state", err);
	if (IS("protocol_name"))
		return copy_field(req->protocol_name, sizeof(req->protocol_name),
				  v, vlen, "protocol_name", err);
	if (IS("sender"))
		return copy_field(req->sender, sizeof(req->sender), v, vlen,
				  "sender", err);
	if (IS("recipient"))
		return copy_field(req->recipient, sizeof(req->recipient), v, vlen,
				  "recipient", err);
	if (IS("queue_id"))
		return copy_field(req->queue_id, sizeof(req->queue_id), v, vlen,
				  "queue_id", err);
	if (IS("instance"))
		return copy_field(req->instance, sizeof(req->instance), v, vlen,
				  "instance", err);
	if (IS("client_address"))
		return copy_field(req->client_address,
				  sizeof(req->client_address), v, vlen,
				  "client_address", err);
	if (IS("sasl_username"))
		return copy_field(req->sasl_username, sizeof(req->sasl_username),
				  v, vlen, "sasl_username", err);
	if (IS("size"))
		return parse_size(v, vlen, &req->size, err);
	return 0;
#undef IS
}

int
pq_codec_parse(const char *buf, size_t len, struct pq_request *req,
	       size_t *used, struct mg_error *err)
{
	size_t pos = 0;
	int is_policy = 0;

	memset(req, 0, sizeof(*req));
	for (;;) {
		const char *line = buf + pos, *nl, *eq;
		size_t llen;

		nl = memchr(line, '\n', len - pos);
		if (nl == NULL) {
			if (len - pos > PQ_LINE_MAX)
				return mg_error_set(err, MG_ERR_LIMIT,
				    "line longer than %d bytes", PQ_LINE_MAX);
			if (len > PQ_REQUEST_MAX)
				return mg_error_set(err, MG_ERR_LIMIT,
				    "request larger than %d bytes", PQ_REQUEST_MAX);
			if (memchr(line, '\0', len - pos) != NULL)
				return mg_error_set(err, MG_ERR_PARSE, "NUL byte");
			return 0;
		}
		llen = (size_t)(nl - line);
		pos += llen + 1;
		if (pos > PQ_REQUEST_MAX)
			return mg_error_set(err, MG_ERR_LIMIT,
			    "request larger than %d bytes", PQ_REQUEST_MAX);
		if (llen > PQ_LINE_MAX)
			return mg_error_set(err, MG_ERR_LIMIT,
			    "line longer than %d bytes", PQ_LINE_MAX);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen == 0) {
			if (req->nattrs == 0)
				return mg_error_set(err, MG_ERR_PARSE,
						    "empty request");
			if (!is_policy)
				return mg_error_set(err, MG_ERR_PARSE,
				    "not a request=smtpd_access_policy");
			*used = pos;
			return 1;
		}
		if (memchr(line, '\0', llen) != NULL)
			return mg_error_set(err, MG_ERR_PARSE, "NUL byte");
		if (++req->nattrs > PQ_ATTR_MAX)
			return mg_error_set(err, MG_ERR_LIMIT,
			    "more than %d attributes", PQ_ATTR_MAX);
		eq = memchr(line, '=', llen);
		if (eq == NULL || eq == line)
			return mg_error_set(err, MG_ERR_PARSE,
					    "line without name=value");
		if (attribute(req, line, (size_t)(eq - line), eq + 1,
			      llen - (size_t)(eq - line) - 1, &is_policy, err) < 0)
			return -1;
	}
}

int
pq_codec_reply(const char *action, char *out, size_t outsz)
{
	size_t i, o = 0, alen = strlen(action);

	if (outsz < sizeof("action=\n\n") + alen)
		return -1;
	memcpy(out, "action=", 7);
	o = 7;
	for (i = 0; i < alen; i++)
		out[o++] = (action[i] == '\r' || action[i] == '\n') ? ' ' : action[i];
	out[o++] = '\n';
	out[o++] = '\n';
	out[o] = '\0';
	return (int)o;
}
