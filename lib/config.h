/*	config.h - the master configuration file */
#ifndef GREYSPF_CONFIG_H
#define GREYSPF_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"

#define CONFIG_DEFAULT_PATH	"/etc/greyspf/greyspf.conf"
#define CONFIG_LINE_MAX		199	/* inih's INI_MAX_LINE less NUL */
#define CONFIG_FILE_MAX		(1024 * 1024)	/* bytes of one file */

/*
 * The SPF results as the action keys name them (spfMailFromNone ...),
 * in spf/spf.h's order: src/policy_spf.c asserts that the two agree.
 */
enum config_spf_result {
	CONFIG_SPF_NONE, CONFIG_SPF_NEUTRAL, CONFIG_SPF_PASS, CONFIG_SPF_FAIL,
	CONFIG_SPF_SOFTFAIL, CONFIG_SPF_TEMPERROR, CONFIG_SPF_PERMERROR
};
#define CONFIG_SPF_RESULTS	7
/* What greyspf does for each. */
enum config_spf_action {
	SPF_ACT_DUNNO, SPF_ACT_HEADER, SPF_ACT_REJECT,
	SPF_ACT_DEFER
};
#define CONFIG_NETS_MAX		32
/* The variables of greylistText and xGreylistHeaderFormat. */
#define CONFIG_TEXT_VARS	"sarh"
#define CONFIG_HEADER_VARS	"tvhd"

/* storeFallback: what a shared store's outage gets. */
enum config_fallback {
	CONFIG_FALLBACK_DEFER, CONFIG_FALLBACK_DUNNO, CONFIG_FALLBACK_LOCAL
};

struct config {
	int	debug_level;		/* debugLevel */
	int	default_seed_only;	/* defaultSeedOnly */
	long long default_allow_time;	/* defaultAllowTime, seconds */
	char	config_path[PATH_MAX];	/* configPath, file:// removed */
	char	greylist_dir[PATH_MAX];	/* greylistDir (legacy data) */
	char	blackhole_dir[PATH_MAX];	/* blackholeDir */
	char	spfquery_path[PATH_MAX];	/* spfqueryPath (unused) */
	int	ignore_last_byte;	/* ignoreLastByte */
	int	greylist_by_ip_only;	/* greylistByIPOnly */
	int	spf_accept_on_perm_error;	/* spfAcceptOnPermError */
	char	database[PATH_MAX];	/* database: LMDB directory */
	long long map_size_mb;		/* databaseMapSize, MiB */
	long long map_size_max_mb;	/* databaseMapSizeMax, MiB */
	long long lock_wait_s;		/* databaseLockWait, seconds */
	long long retry_window_s;	/* greylistRetryWindow, s; 0: none */
	long long awl_clients;		/* autoWhitelistClients; 0: off */
	long long awl_max_age_days;	/* autoWhitelistMaxAge, days */
	long long counter_days;		/* counterDays; 0: no counting */
	long long ipv4_prefix;		/* ipv4NetworkPrefix */
	long long ipv6_prefix;		/* ipv6NetworkPrefix */
	int	greylist_null_sender;	/* greylistNullSender */
	int	greylist_no_recipient;	/* greylistNoRecipient */
	char	store_error_action[256];	/* storeErrorAction */
	char	config_error_action[256];	/* configErrorAction */
	char	user[64];		/* user: drop to it when root */
	long long idle_timeout;		/* idleTimeout, seconds */
	long long request_timeout;	/* requestTimeout, seconds */
	int	database_sync;		/* databaseSync */
	char	key_prefix[64];		/* databaseKeyPrefix (Redis) */
	char	password_file[PATH_MAX];	/* databasePasswordFile */
	char	sentinel_password_file[PATH_MAX]; /* databaseSentinelPasswordFile */
	long long connect_timeout_ms;	/* databaseConnectTimeout, ms */
	long long command_timeout_ms;	/* databaseCommandTimeout, ms */
	int	store_fallback;		/* storeFallback: CONFIG_FALLBACK_* */
	char	fallback_database[PATH_MAX];	/* storeFallbackDatabase */
	/* spf<Identity><Result>: [0] MAIL FROM, [1] HELO */
	int	spf_action[2][CONFIG_SPF_RESULTS];
	unsigned spf_action_set;	/* bits of the ones in the file */
	int	spf_helo_check;		/* spfHeloCheck */
	int	spf_header_ar;		/* spfHeader = Authentication-Results */
	char	spf_authserv_id[256];	/* spfAuthservId ("": receiver) */
	char	spf_receiver[256];	/* spfReceiver ("": host name) */
	char	spf_trusted_text[1024];	/* spfTrustedRelays */
	struct netaddr spf_trusted[CONFIG_NETS_MAX];
	int	spf_ntrusted;
	int	spf_pass_skips_greylist;	/* spfPassSkipsGreylist */
	long long spf_timeout;		/* spfTimeout, seconds per check */
	long long spf_dns_timeout;	/* spfDnsTimeout, seconds per try */
	long long spf_dns_attempts;	/* spfDnsAttempts */
	long long spf_query_budget;	/* spfQueryBudget */
	char	whitelist_clients[1024];	/* whitelistClients: files */
	char	whitelist_recipients[1024];	/* whitelistRecipients */
	char	greylist_action[64];	/* greylistAction */
	char	greylist_text[256];	/* greylistText ("": the original's) */
	int	x_greylist_header;	/* xGreylistHeader */
	char	x_greylist_format[256];	/* xGreylistHeaderFormat */
	/* Daemon mode; listen, user and database need a restart. */
	char	listen[1024];		/* listen: specs, comma-separated */
	char	socket_owner[64];	/* socketOwner ("": user) */
	char	socket_group[64];	/* socketGroup ("": the owner's) */
	int	socket_mode;		/* socketMode, permission bits */
	long long daemon_processes;	/* daemonProcesses: loop processes */
	long long max_connections;	/* maxConnections, per process */
	long long spf_workers;		/* spfWorkers, per process */
	char	source[PATH_MAX];	/* the file read, or "" */
};

void	config_defaults(struct config *);
const char *config_spf_action_name(int);
const char *config_fallback_name(int);
int	config_load(const char *, struct config *);
int	config_load_stream(FILE *, const char *, struct config *);
int	config_load_default(const char *, int, struct config *);

#endif
