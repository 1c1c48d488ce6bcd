/*
 * NAME
 *	test_addr - unit tests for addr.c
 * DESCRIPTION
 *	Parsing of client addresses (IPv4, IPv6 in any spelling, mapped),
 *	networks with their canonical form, masking and printing.
 */

#include "testlib.h"

#include "addr.h"

static const struct {
	const char *in;
	int	ok;
	const char *out;	/* addr_format_net */
} parse_rows[] = {
	{"203.0.113.5", 1, "203.0.113.5/32"},
	{"0.0.0.0", 1, "0.0.0.0/32"},
	{"255.255.255.255", 1, "255.255.255.255/32"},
	{"2001:db8::1", 1, "2001:db8::1/128"},
	{"2001:DB8:0:0:0:0:0:1", 1, "2001:db8::1/128"},
	{"2001:0db8:0000::0001", 1, "2001:db8::1/128"},
	{"::ffff:203.0.113.50", 1, "203.0.113.50/32"},
	{"::FFFF:cb00:7132", 1, "203.0.113.50/32"},
	{"::1", 1, "::1/128"},
	{"::", 1, "::/128"},
	{"256.0.0.1", 0, NULL},
	{"1.2.3", 0, NULL},
	{"01.2.3.4", 0, NULL},
	{"1.2.3.4 ", 0, NULL},
	{"", 0, NULL},
	{"2001:db8::1::2", 0, NULL},
	{"2001:db8::g", 0, NULL},
	{"../etc", 0, NULL},
	{"1.2.3.4/24", 0, NULL},
};

static void
test_parse(void **state)
{
	struct netaddr a;
	char buf[ADDR_TEXT_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(parse_rows); i++) {
		int rc = addr_parse(parse_rows[i].in, &a);

		ROW_CHECK(parse_rows[i].in, (rc == 0) == parse_rows[i].ok);
		if (rc != 0)
			continue;
		addr_format_net(&a, buf, sizeof(buf));
		if (strcmp(buf, parse_rows[i].out) != 0)
			ROW_FAIL(parse_rows[i].in, "got %s", buf);
	}
}

static const struct {
	const char *in;
	int	ok;
} net_rows[] = {
	{"203.0.113.0/24", 1},
	{"203.0.113.5/24", 0},		/* host bits set */
	{"203.0.113.5/32", 1},
	{"0.0.0.0/0", 1},
	{"2001:db8::/64", 1},
	{"2001:db8::1/64", 0},
	{"::/0", 1},
	{"::/129", 0},
	{"1.2.3.0/33", 0},
	{"1.2.3.0/024", 0},		/* leading zero */
	{"1.2.3.0/+24", 0},
	{"1.2.3.0/", 0},
	{"1.2.3.0", 0},
	{"::ffff:1.2.3.0/120", 0},	/* mapped: family would change */
	{"::102:304/128", 1},		/* IPv4-compatible stays IPv6 */
};

static void
test_parse_net(void **state)
{
	struct netaddr a;
	size_t i;

	(void)state;
	for (i = 0; i < NROWS(net_rows); i++)
		ROW_CHECK(net_rows[i].in,
		    (addr_parse_net(net_rows[i].in, &a) == 0) == net_rows[i].ok);
}

static void
test_mask(void **state)
{
	struct netaddr a;
	char buf[ADDR_TEXT_MAX];

	(void)state;
	assert_int_equal(addr_parse("203.0.113.77", &a), 0);
	addr_mask(&a, 24);
	addr_format_net(&a, buf, sizeof(buf));
	assert_string_equal(buf, "203.0.113.0/24");
	addr_mask(&a, 0);
	addr_format_net(&a, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0/0");
	assert_int_equal(addr_parse("2001:db8:1:2:3:4:5:6", &a), 0);
	addr_mask(&a, 64);
	addr_format_net(&a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:1:2::/64");
	addr_mask(&a, 61);
	addr_format_net(&a, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:1::/61");
	assert_true(addr_host_bits_clear(&a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_net),
		cmocka_unit_test(test_mask),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
