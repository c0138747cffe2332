/*
 * milter_null - a libmilter milter that looks at nothing and accepts
 * everything, negotiating the same protocol steps as milter-attach (no
 * replies to RCPT, headers, end of headers and body; only MAIL and end of
 * message answer).  bench_milter_stack.py runs it as the floor: what any
 * libmilter milter costs Postfix on this host, so the bench can tell that
 * cost apart from milter-attach's own work.
 *
 * Usage: milter_null unix:/path | inet:port@host
 */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <string.h>

#define NOREPLY (SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
	       unsigned long f2, unsigned long f3, unsigned long *pf0,
	       unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA |
		     SMFIP_NOCONNECT | SMFIP_HDR_LEADSPC | NOREPLY);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat
null_envfrom(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
null_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_NOREPLY;
}

static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_NOREPLY;
}

static sfsistat
null_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

static sfsistat
null_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return SMFIS_NOREPLY;
}

static sfsistat
null_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

int
main(int argc, char **argv)
{
	struct smfiDesc d;

	if (argc != 2) {
		fprintf(stderr, "usage: milter_null unix:/path | inet:port@host\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "milter-null";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS;
	d.xxfi_envfrom = null_envfrom;
	d.xxfi_envrcpt = null_envrcpt;
	d.xxfi_header = null_header;
	d.xxfi_eoh = null_eoh;
	d.xxfi_body = null_body;
	d.xxfi_eom = null_eom;
	d.xxfi_negotiate = null_negotiate;
	if (smfi_setconn(argv[1]) == MI_FAILURE ||
	    smfi_register(d) == MI_FAILURE) {
		fprintf(stderr, "milter_null: cannot use %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
