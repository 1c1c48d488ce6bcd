/*	policy.h - the pure decision core */
#ifndef GREYSPF_POLICY_H
#define GREYSPF_POLICY_H

#include <stdint.h>

#include "config.h"
#include "key.h"
#include "record.h"

#define POLICY_TEXT_MAX		1024
#define POLICY_HEADER_MAX	998	/* a header line (RFC 5322 2.1.1) */
/* What policy_reply() puts before a text; the longest sizes its output. */
#define POLICY_PREFIX_REJECT	"550 "
#define POLICY_PREFIX_DEFER	"defer_if_permit "
#define POLICY_PREFIX_PREPEND	"prepend "
/* The longest action policy_reply() writes, NUL included: the reply
 * buffer's size (proto_write_reply() takes any length). */
#define POLICY_ACTION_MAX	(sizeof(POLICY_PREFIX_DEFER) - 1 + \
				    POLICY_TEXT_MAX)
#define POLICY_CHECKERS_MAX	16
#define POLICY_INSTANCES	16	/* messages remembered for the header */
#define POLICY_INSTANCE_MAX	64	/* bytes of an instance, NUL included */
/* An unchanged entry's last-seen is rewritten at most this often. */
#define POLICY_TOUCH_US		((int64_t)60 * 1000000)

#define POLICY_TEXT_NEW	"Service unavailable, greylisted " \
	"(http://projects.puremagic.com/greylisting/)."
#define POLICY_TEXT_PENDING	"Service unavailable, greylisted."
#define POLICY_TEXT_BLACKHOLE	"Service unavailable, blackholed."

enum policy_value {
	POLICY_NONE,		/* no decision: action=dunno */
	POLICY_REJECT,		/* action=550 text */
	POLICY_DEFER,		/* action=defer_if_permit text */
	POLICY_PREPEND,		/* action=prepend header */
	POLICY_RAW		/* action=text (a configured action) */
};

struct policy_result {
	enum policy_value value;
	char	text[POLICY_TEXT_MAX];
};

enum checker {
	CHECKER_GREYLIST,
	CHECKER_SPF,
	CHECKER_BLACKHOLE
};

enum grey_event {
	GREY_INITIAL,		/* new entry: deferred */
	GREY_PENDING,		/* before the allow time: deferred */
	GREY_ALLOWED,		/* at or after the allow time */
	GREY_TRAINING		/* defaultSeedOnly: recorded, not deferred */
};

struct grey_facts {
	int	have;		/* a (decodable) record exists */
	struct greyrec old;
	int64_t	now;		/* microseconds */
	int64_t	greylist_us;	/* GREYLISTTIME for a new entry */
	int	seed_only;	/* defaultSeedOnly */
	int64_t	retry_window_us;	/* greylistRetryWindow; 0: none */
	int64_t	expire_us;	/* GREYLISTEXPIREDAYS (entity_expire_us) */
};

struct grey_decision {
	enum grey_event event;
	int	write;		/* rec must be stored */
	struct greyrec rec;
	struct policy_result result;
	int64_t	left_us;	/* deferred: until the allow time */
	int	first_pass;	/* allowed, for the first time */
	int64_t	delay_us;	/* first pass: since first seen */
};

/* What an spf checker's run says for spfPassSkipsGreylist. */
enum policy_spf_outcome {
	POLICY_SPF_UNCHECKED,	/* no identity checked (skipped) */
	POLICY_SPF_OTHER,	/* the last identity checked did not pass */
	POLICY_SPF_PASSED	/* the last identity checked passed */
};

/* How far one request's checker chain has got. */
struct policy_state {
	struct policy_result cur;	/* the reply so far */
	int	seed_only;	/* SPFSEEDONLY: spf decides nothing */
	int	pass_skips;	/* spfPassSkipsGreylist */
	int	spf_passed;	/* an SPF pass that counts */
	int	done;		/* the chain has stopped */
	char	xgrey[POLICY_TEXT_MAX];	/* an X-Greylist header, or "" */
};

/* The messages of one connection already given an SPF header; and
 * one message's X-Greylist header, waiting for a request of it that
 * carries no other header, then given. */
struct policy_seen {
	char	instance[POLICY_INSTANCES][POLICY_INSTANCE_MAX];
	int	next;		/* the slot to fill next */
	char	xg_instance[POLICY_INSTANCE_MAX];
	char	xg_text[POLICY_TEXT_MAX];
	int	xg_state;	/* POLICY_XG_* */
};
#define POLICY_XG_NONE	0
#define POLICY_XG_WAITING 1
#define POLICY_XG_GIVEN	2

int	policy_checkers(const char *, enum checker *, int);
int	policy_chain(struct policy_result *, enum checker,
	    const struct policy_result *, int);
void	policy_state_init(struct policy_state *, const struct config *, int);
int	policy_state_runs(const struct policy_state *, enum checker);
void	policy_state_add(struct policy_state *, enum checker,
	    const struct policy_result *, enum policy_spf_outcome);
void	policy_state_fail(struct policy_state *, const char *);
void	policy_state_finish(struct policy_state *, struct policy_seen *,
	    const char *);
int	policy_header_once(struct policy_seen *, const char *);
void	policy_greylist(const struct grey_facts *, struct grey_decision *);
int	policy_greylist_key(const struct config *, const char *, const char *,
	    const char *, struct greykey *, const char **);
void	policy_reply(const struct policy_result *, char *, size_t);
void	policy_set(struct policy_result *, enum policy_value, const char *);
const char *policy_event_name(enum grey_event);

#endif
