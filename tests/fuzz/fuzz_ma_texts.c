/*
 * fuzz_ma_texts.c - libFuzzer target for what milter-attach writes from
 * untrusted input: the SMTP reply naming a file (must stay printable
 * ASCII, <= 980 characters, every '%' doubled) and the notice mail built
 * from a sender, subject and file name (must stay 7-bit with no header
 * injection, CRLF line ends), plus mailguard-ctl's argument checks
 * (both grammars: milter-attach-ctl's and its own).
 *
 * Input: fields separated by NUL bytes: file name, subject, sender, then
 * ctl words separated by spaces.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cmd.h"
#include "ma_decide.h"
#include "ma_notice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ma_config *cfg_g;

/* field - the n-th NUL-separated field, copied and terminated */
static char *
field(const uint8_t *data, size_t size, int n)
{
	size_t i = 0, start;
	char *out;

	for (; n > 0 && i < size; i++)
		if (data[i] == '\0')
			n--;
	start = i;
	while (i < size && data[i] != '\0')
		i++;
	out = malloc(i - start + 1);
	memcpy(out, data + start, i - start);
	out[i - start] = '\0';
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *file = field(data, size, 0), *subject = field(data, size, 1);
	char *sender = field(data, size, 2), *words = field(data, size, 3);
	struct ma_hit hit = { .reason = MA_R_EXT };
	struct ma_facts f = { 10, &hit, 0, 0, 1 };
	struct ma_verdict v;
	struct mg_error err;
	struct ctl_cmd cmd;
	static char out[65536];
	char *argv[8], *p, *save = NULL;
	const char *rcpts[] = { "alice@mailguard.test" };
	struct ma_notice_req req = { "Q1", sender, rcpts, 1, subject, "<m@x>",
				     file, "reason", 1800000000LL };
	size_t k;
	int argc = 0, n;

	if (cfg_g == NULL &&
	    ma_config_parse_text("local_domains = mailguard.test\n", &cfg_g, &err) < 0)
		abort();
	snprintf(hit.name, sizeof(hit.name), "%s", file);
	ma_last_ext(hit.name, hit.ext, sizeof(hit.ext));
	ma_decide_message(cfg_g, &f, &v);
	if (strlen(v.text) > 980)
		__builtin_trap();
	for (k = 0; v.text[k]; k++) {
		unsigned char c = (unsigned char)v.text[k];
		if (c < 0x20 || c > 0x7e)
			__builtin_trap();
		if (c == '%' && v.text[++k] != '%')
			__builtin_trap();
	}
	n = ma_notice_build(cfg_g, &req, rcpts[0], 1800000000LL, "<1.2.3.t@x>",
			    out, sizeof(out), &err);
	if (n >= 0) {
		const char *body = strstr(out, "\r\n\r\n");
		for (k = 0; k < (size_t)n; k++)
			if ((unsigned char)out[k] > 127 || out[k] == '\0' ||
			    (out[k] == '\r' && out[k + 1] != '\n') ||
			    (out[k] == '\n' && (k == 0 || out[k - 1] != '\r')))
				__builtin_trap();
		/* headers: each line starts a known field or is a folded Subject */
		for (p = out; body != NULL && p < body; p = strstr(p, "\r\n") + 2)
			if (*p != ' ' && strncmp(p, "From: ", 6) && strncmp(p, "To: ", 4) &&
			    strncmp(p, "Subject: ", 9) && strncmp(p, "Date: ", 6) &&
			    strncmp(p, "Message-ID: ", 12) && strncmp(p, "Auto-Submitted: ", 16) &&
			    strncmp(p, "X-Mailguard-Notice: ", 20) &&
			    strncmp(p, "MIME-Version: ", 14) && strncmp(p, "Content-", 8))
				__builtin_trap();
	}
	for (p = strtok_r(words, " ", &save); p != NULL && argc < 8;
	     p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	(void)ctl_parse(argc, argv, 0, &cmd, &err);
	(void)ctl_parse(argc, argv, 1, &cmd, &err);
	free(file);
	free(subject);
	free(sender);
	free(words);
	return 0;
}
