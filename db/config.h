/*	config.h - the master configuration file */
#ifndef GREYSPF_CONFIG_H
#define GREYSPF_CONFIG_H

#include <limits.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH	"/etc/greyspf/greyspf.conf"
#define CONFIG_LINE_MAX		199	/* inih's INI_MAX_LINE less NUL */

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
	long long ipv4_prefix;		/* ipv4NetworkPrefix */
	long long ipv6_prefix;		/* ipv6NetworkPrefix */
	int	greylist_null_sender;	/* greylistNullSender */
	int	greylist_no_recipient;	/* greylistNoRecipient */
	char	store_error_action[256];	/* storeErrorAction */
	char	user[64];		/* user: drop to it when root */
	long long idle_timeout;		/* idleTimeout, seconds */
	int	database_sync;		/* databaseSync */
	char	source[PATH_MAX];	/* the file read, or "" */
};

void	config_defaults(struct config *);
int	config_load(const char *, struct config *);
int	config_load_default(const char *, int, struct config *);

#endif
