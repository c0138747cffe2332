/*
 * ma_offline.h - milter-attach -T: a message file judged offline
 *
 * The message (a file, or "-" for stdin; CRLF or LF line ends, an mbox
 * "From " line skipped) goes through the milter's own per-message code
 * (ma_msg.c: the scanner, ma_decide.c, the inspector pool of
 * ma_inspect.c with the configured helper), with the bans Redis holds now
 * (read once, as the milter's start-up read).  ma_eml.h hands the
 * headers over one by one as libmilter gives them (folded lines kept, the
 * space after the colon counted), then the body with CRLF line ends, so the
 * size is counted as the milter counts it; reading stops where the milter
 * stops scanning (past size_limit).  Nothing is written to Redis, no
 * notice is sent, no counter moves.
 *
 * Printed on stdout: every file found (origin, names as declared and
 * decoded, archive holding it, size, libmagic type and SHA-256, computed
 * even when no rule needs them, and its judgement), the anomalies, the
 * size, and the verdict: action, reason word, the SMTP reply code,
 * enhanced code and text.  With json, one JSON object instead.
 */
#ifndef MA_OFFLINE_H
#define MA_OFFLINE_H

#include "ma_config.h"

/* exit codes of milter-attach -T (milter-attach(8)) */
enum ma_offline_exit {
	MA_EXIT_ACCEPT = 0,
	MA_EXIT_REJECT = 1,
	MA_EXIT_ERROR = 2,       /* usage, config, the input cannot be read */
	MA_EXIT_TEMPFAIL = 3,
};

/* ma_offline_run - judge the message in input ("-": stdin) with cfg;
 * returns the exit code (errors said on stderr) */
int ma_offline_run(struct ma_config *cfg, const char *input, int json);

#endif
