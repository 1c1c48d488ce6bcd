/*
 * NAME
 *	fuzz_config - fuzz the master and per-entity configuration readers
 * DESCRIPTION
 *	The input is read, from memory, as a greyspf.conf and as a
 *	per-entity file. Property: no crash, no sanitizer report, and a
 *	file that loads leaves every number inside its documented range.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "entity.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct config conf;
	struct entity_conf ent;
	FILE *fp;

	/* The readers report every problem: keep the output quiet, but
	 * the fuzzer's own on stderr. */
	if (!quiet++)
		log_init("fuzz", LOG_SINK_NONE);
	/* In memory (no file system call): millions of runs a campaign. */
	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return (0);
	config_defaults(&conf);
	if (config_load_stream(fp, "fuzz.conf", &conf) == 0) {
		if (conf.debug_level < 0 || conf.debug_level > 4
		    || conf.ipv4_prefix < 8 || conf.ipv4_prefix > 32
		    || conf.ipv6_prefix < 16 || conf.ipv6_prefix > 128
		    || conf.map_size_mb > conf.map_size_max_mb
		    || conf.config_path[0] != '/')
			abort();
	}
	rewind(fp);
	memset(&ent, 0, sizeof(ent));
	entity_read_stream(fp, "__default__", &ent);
	fclose(fp);
	if ((ent.set & ENTITY_GREYLISTTIME) && (ent.greylisttime < 0
	    || ent.greylisttime > 31536000))
		abort();
	if ((ent.set & ENTITY_GREYLISTEXPIREDAYS) && !(ent.expiredays >= 0
	    && ent.expiredays <= 36500))
		abort();
	return (0);
}
