/*	blackhole.h - tumgreyspf's blackhole checker, read side */
#ifndef GREYSPF_BLACKHOLE_H
#define GREYSPF_BLACKHOLE_H

enum blackhole_hit {
	BLACKHOLE_NONE,
	BLACKHOLE_IP,		/* blackholeDir/ips/<client> exists */
	BLACKHOLE_TRAP		/* the recipient is a trap address */
};

enum blackhole_hit blackhole_lookup(const char *, const char *,
	    const char *);

#endif
