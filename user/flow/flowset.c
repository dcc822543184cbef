// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/flowset.c - sharded flow tables. */
#include <errno.h>
#include <string.h>

#include "flow/ext.h"
#include "flow/flowset.h"
#include "util/htab.h"

int flowset_init(struct flowset *fs, unsigned int n, size_t max_flows)
{
	unsigned int i;
	int err;

	if (!n || n > FLOWSET_MAX)
		return -EINVAL;
	memset(fs, 0, sizeof(*fs));
	fs->n = n;
	for (i = 0; i < n; i++) {
		pthread_mutex_init(&fs->shard[i].mu, NULL);
		/*
		 * Together never more than max_flows: the pinned totals map holds that many, and the
		 * memory bound is the operator's. Shards go by address pair, so many flows spread
		 * evenly; one pair's flows (a port scan) can fill only its shard's share.
		 */
		size_t share = max_flows / n + (i < max_flows % n);

		err = flow_table_new(&fs->shard[i].ft, share ? share : 1);
		if (err) {
			flowset_fini(fs);
			return err;
		}
	}
	return 0;
}

void flowset_fini(struct flowset *fs)
{
	unsigned int i;

	for (i = 0; i < fs->n; i++) {
		flow_ext_free_all(fs->shard[i].ft);
		flow_table_free(fs->shard[i].ft);
		fs->shard[i].ft = NULL;
		pthread_mutex_destroy(&fs->shard[i].mu);
	}
	fs->n = 0;
}

/*
 * By the address pair only: the canonical key already puts both directions
 * together, and leaving the ports out also keeps a datagram's later
 * fragments (which carry none) with their first fragment's flow.
 */
unsigned int flowset_shard_of(const struct flowset *fs, const struct flow_key *k)
{
	return fs->n == 1 ? 0 : (unsigned int)((htab_hash(k->addr_a, 32) >> 32) % fs->n);
}

struct flow_table *flowset_lock(struct flowset *fs, unsigned int shard)
{
	pthread_mutex_lock(&fs->shard[shard].mu);
	return fs->shard[shard].ft;
}

void flowset_unlock(struct flowset *fs, unsigned int shard)
{
	pthread_mutex_unlock(&fs->shard[shard].mu);
}

size_t flowset_count(struct flowset *fs)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < fs->n; i++) {
		flowset_lock(fs, i);
		n += flow_table_count(fs->shard[i].ft);
		flowset_unlock(fs, i);
	}
	return n;
}
