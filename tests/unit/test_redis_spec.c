/*
 * NAME
 *	test_redis_spec - unit tests for redis_spec.c
 * DESCRIPTION
 *	Every form of a Redis spec, parsed into its parts, and every
 *	malformed one refused with a reason, one table row each.
 */

#include "testlib.h"

#include "redis_spec.h"

static const struct {
	const char *spec;
	enum redis_kind kind;
	int	nhosts;
	const char *host0, *host1, *path, *master;
	int	port0, port1, db;
} good[] = {
	{"redis://127.0.0.1:6379", REDIS_TCP, 1, "127.0.0.1", NULL, "", "",
	    6379, 0, 0},
	{"redis://redis.example.org:6380/3", REDIS_TCP, 1, "redis.example.org",
	    NULL, "", "", 6380, 0, 3},
	{"redis://[::1]:6379/65535", REDIS_TCP, 1, "::1", NULL, "", "", 6379,
	    0, 65535},
	{"redis+unix:/run/redis/redis.sock", REDIS_UNIX, 0, NULL, NULL,
	    "/run/redis/redis.sock", "", 0, 0, 0},
	{"redis+unix:/r.sock?db=7", REDIS_UNIX, 0, NULL, NULL, "/r.sock", "",
	    0, 0, 7},
	{"redis-sentinel://10.0.0.1:26379/mymaster", REDIS_SENTINEL, 1,
	    "10.0.0.1", NULL, "", "mymaster", 26379, 0, 0},
	{"redis-sentinel://a:1,[2001:db8::1]:26379/grey-list.1/2",
	    REDIS_SENTINEL, 2, "a", "2001:db8::1", "", "grey-list.1", 1, 26379,
	    2},
};

static const struct {
	const char *spec, *why;		/* why: a piece of the reason */
} bad[] = {
	{"lmdb:/var/lib/greyspf/db", "not a Redis spec"},
	{"redis://", "HOST:PORT"},
	{"redis://host", "HOST:PORT"},
	{"redis://host:", "bad port"},
	{"redis://host:0", "out of range"},
	{"redis://host:65536", "out of range"},
	{"redis://host:123456789", "bad port"},
	{"redis://host:6379/", "/DB"},
	{"redis://host:6379/65536", "/DB"},
	{"redis://host:6379/1x", "/DB"},
	{"redis://host:6379/-1", "/DB"},
	{"redis://ho st:6379", "HOST:PORT"},
	{"redis://[::1:6379", "[ADDRESS]:PORT"},
	{"redis://[zz]:6379", "bad IPv6"},
	{"redis://[]:6379", "empty"},
	{"redis+unix:", "absolute"},
	{"redis+unix:r.sock", "absolute"},
	{"redis+unix://host/r.sock", "absolute"},
	{"redis+unix:/r.sock?db=", "?db=N"},
	{"redis+unix:/r.sock?db=99999999", "?db=N"},
	{"redis+unix:/r.sock?user=x", "?db=N"},
	{"redis-sentinel://a:1", "/MASTERNAME"},
	{"redis-sentinel://a:1/", "bad master"},
	{"redis-sentinel://a:1/m/x", "/DB"},
	{"redis-sentinel://a:1,/m", "HOST:PORT"},
	{"redis-sentinel://a:1/m!x", "/DB"},
	{"redis-sentinel://a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9/m",
	    "more than 8"},
};

static void
test_good(void **state)
{
	struct redis_spec sp;
	char err[200];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(good); i++) {
		err[0] = 0;
		if (redis_spec_parse(good[i].spec, &sp, err, sizeof(err)) != 0)
			ROW_FAIL(good[i].spec, "refused: %s", err);
		ROW_CHECK(good[i].spec, redis_spec_is(good[i].spec));
		ROW_CHECK(good[i].spec, sp.kind == good[i].kind);
		ROW_CHECK(good[i].spec, sp.nhosts == good[i].nhosts);
		ROW_CHECK(good[i].spec, sp.db == good[i].db);
		ROW_CHECK(good[i].spec, strcmp(sp.path, good[i].path) == 0);
		ROW_CHECK(good[i].spec, strcmp(sp.master, good[i].master) == 0);
		if (good[i].nhosts > 0) {
			ROW_CHECK(good[i].spec, strcmp(sp.host[0],
			    good[i].host0) == 0);
			ROW_CHECK(good[i].spec, sp.port[0] == good[i].port0);
		}
		if (good[i].nhosts > 1) {
			ROW_CHECK(good[i].spec, strcmp(sp.host[1],
			    good[i].host1) == 0);
			ROW_CHECK(good[i].spec, sp.port[1] == good[i].port1);
		}
	}
}

static void
test_bad(void **state)
{
	struct redis_spec sp;
	char err[200];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(bad); i++) {
		err[0] = 0;
		if (redis_spec_parse(bad[i].spec, &sp, err, sizeof(err)) != -1)
			ROW_FAIL(bad[i].spec, "accepted");
		if (strstr(err, bad[i].why) == NULL)
			ROW_FAIL(bad[i].spec, "reason \"%s\", want \"%s\"",
			    err, bad[i].why);
	}
}

/* test_long - over-long host names and socket paths are refused */
static void
test_long(void **state)
{
	struct redis_spec sp;
	char spec[600], err[200];

	(void)state;
	snprintf(spec, sizeof(spec), "redis://%0256d:1", 0);
	assert_int_equal(redis_spec_parse(spec, &sp, err, sizeof(err)), -1);
	snprintf(spec, sizeof(spec), "redis://%0255d:1", 0);
	assert_int_equal(redis_spec_parse(spec, &sp, err, sizeof(err)), 0);
	snprintf(spec, sizeof(spec), "redis+unix:/%0107d", 0);
	assert_int_equal(redis_spec_parse(spec, &sp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	snprintf(spec, sizeof(spec), "redis+unix:/%0106d", 0);
	assert_int_equal(redis_spec_parse(spec, &sp, err, sizeof(err)), 0);
	snprintf(spec, sizeof(spec), "redis-sentinel://a:1/%064d", 0);
	assert_int_equal(redis_spec_parse(spec, &sp, err, sizeof(err)), -1);
	assert_false(redis_spec_is("/var/lib/greyspf/db"));
	assert_false(redis_spec_is("redisx://a:1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_long),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
