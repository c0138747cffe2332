/*
 * ma_probe.h - milter-attach -t --probe: Redis as the milter finds it
 *
 * After the configuration check: connect as the milter does
 * (mg_redis_probe.h: server or sentinel, AUTH, SELECT, ROLE, version,
 * PING), then read the bans as the milter's start-up read does
 * (ma_bans_read) and list them per kind (live ones with their expiry,
 * the number of expired ones still stored) and the ban serial.
 */
#ifndef MA_PROBE_H
#define MA_PROBE_H

#include <stdio.h>

#include "ma_config.h"

/* ma_probe_run - print on fp (NULL: nothing, as -q asks); 0 when Redis is usable, -1 (the reason on
 * stderr) when not */
int ma_probe_run(const struct ma_config *cfg, FILE *fp);

#endif
