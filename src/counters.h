/*	counters.h - what the service counts, until it reaches the store */
#ifndef GREYSPF_COUNTERS_H
#define GREYSPF_COUNTERS_H

#include <stdint.h>

#include "counter.h"
#include "store.h"

/* The shortest time between two flushes of a process that lives on. */
#define COUNTERS_FLUSH_US	((int64_t)1000000)

void	counters_init(long long);
void	counters_begin(int64_t);
void	counters_add(enum counter_id);
void	counters_add_set(const struct counter_set *);
void	counters_pass(int64_t);
void	counters_pass_set(struct counter_set *, int64_t);
void	counters_spf(int, int);
int	counters_pending(void);
int	counters_carry(unsigned);
int	counters_fill(struct store_batch *, const struct counter_set *);
void	counters_written(int64_t);
int	counters_due(int64_t);
int	counters_flush(struct store *, int64_t);

#endif
