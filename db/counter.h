/*	counter.h - statistics counters as the store keeps them */
#ifndef GREYSPF_COUNTER_H
#define GREYSPF_COUNTER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Counter ids: fixed, stored in the database, never renumbered; a new
 * counter takes the next free id. The SPF results are in spf/spf.h's
 * order (none, neutral, pass, fail, softfail, temperror, permerror).
 */
enum counter_id {
	CTR_REQUESTS,		/* policy requests */
	CTR_GREYLIST_NEW,	/* a new triplet: deferred */
	CTR_GREYLIST_EARLY,	/* retried before its allow time: deferred */
	CTR_PASS_FIRST,		/* a triplet's first pass after its delay */
	CTR_PASS_KNOWN,		/* a later request of a passed triplet */
	CTR_TRAINING,		/* defaultSeedOnly: recorded, not deferred */
	CTR_NO_KEY,		/* no greylist decision (null sender, ...) */
	CTR_WL_ENTITY,		/* no greylist checker (per-entity tree) */
	CTR_WL_FILE,		/* a whitelist file matched */
	CTR_WL_AWL,		/* the client is auto-whitelisted */
	CTR_WL_SPF_PASS,	/* spfPassSkipsGreylist */
	CTR_WL_TRUSTED,		/* a trusted relay */
	CTR_STORE_ERROR,	/* a request answered storeErrorAction */
	CTR_BLACKHOLE,		/* blackholed */
	CTR_DELAY_0,		/* first passes by delay, the buckets of */
	CTR_DELAY_LAST = CTR_DELAY_0 + 9,	/* counter_delay_le[] */
	CTR_DELAY_SUM_S,	/* the delays of first passes, seconds */
	CTR_SPF_MAILFROM_0,	/* SPF results, MAIL FROM identity */
	CTR_SPF_HELO_0 = CTR_SPF_MAILFROM_0 + 7,	/* HELO identity */
	CTR_KNOWN = CTR_SPF_HELO_0 + 7
};

#define COUNTER_SLOTS		64	/* ids a value may hold */
#define COUNTER_DELAYS		10	/* CTR_DELAY_0 .. CTR_DELAY_LAST */
#define COUNTER_SPF_RESULTS	7
#define COUNTER_VALUE_MAX	(1 + 2 * 10 * COUNTER_SLOTS)	/* bytes */
#define COUNTER_KEY_LEN		7	/* bytes of an encoded key */
#define COUNTER_HOUR_S		3600
#define COUNTER_DAY_S		86400

enum counter_period {
	COUNTER_HOUR = 'H',	/* bucket: hours since the epoch */
	COUNTER_DAY = 'D',	/* bucket: days since the epoch (UTC) */
	COUNTER_TOTAL = 'T'	/* bucket 0: since the database began */
};

struct counter_key {
	enum counter_period period;
	uint32_t bucket;
};

struct counter_set {
	uint64_t v[COUNTER_SLOTS];
};

/* The upper bounds of the delay buckets, seconds; the last is +Inf. */
extern const int64_t counter_delay_le[COUNTER_DELAYS];

int	counter_key_encode(const struct counter_key *, unsigned char *, size_t,
	    size_t *);
int	counter_key_decode(const unsigned char *, size_t, struct counter_key *);
int	counter_is_key(const unsigned char *, size_t);
int	counter_value_encode(const struct counter_set *, unsigned char *,
	    size_t, size_t *);
int	counter_value_decode(const unsigned char *, size_t,
	    struct counter_set *);
int	counter_value_merge(const void *, size_t, const struct counter_set *,
	    unsigned char *, size_t, size_t *, int *);
void	counter_set_add(struct counter_set *, const struct counter_set *);
int	counter_set_empty(const struct counter_set *);
const char *counter_name(int, char *, size_t);
int	counter_id(const char *);
int	counter_delay_bucket(int64_t);
void	counter_key_at(enum counter_period, int64_t, struct counter_key *);
int64_t	counter_key_start_us(const struct counter_key *);
int64_t	counter_expires_at(const struct counter_key *, int64_t);

#endif
