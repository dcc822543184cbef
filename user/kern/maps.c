// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kern/maps.c - batched reads of per-CPU maps; shared by the daemon's drain and `status`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flow/table.h"
#include "kern/maps.h"

#define BATCH 1024

int maps_ncpu(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

int maps_read_stats(int fd, uint64_t out[CTR_MAX])
{
	int ncpu = maps_ncpu(), c;
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v));
	__u32 i;

	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(uint64_t) * CTR_MAX);
	for (i = 0; i < CTR_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, v)) {
			free(v);
			return -errno;
		}
		for (c = 0; c < ncpu; c++)
			out[i] += v[c];
	}
	free(v);
	return 0;
}

int maps_read_percpu_u64(int fd, uint32_t key, uint64_t *sum)
{
	int ncpu = maps_ncpu(), c, err = 0;
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v));

	if (!v)
		return -ENOMEM;
	*sum = 0;
	if (bpf_map_lookup_elem(fd, &key, v))
		err = -errno;
	for (c = 0; !err && c < ncpu; c++)
		*sum += v[c];
	free(v);
	return err;
}

static int cmp_minute(const void *a, const void *b)
{
	const struct tput_slot *x = a, *y = b;

	return x->minute < y->minute ? -1 : x->minute > y->minute;
}

static void add_slot(struct tput_slot *out, size_t cap, size_t *n, const struct tput_slot *s)
{
	size_t i;
	int d, v;

	for (i = 0; i < *n && out[i].minute != s->minute; i++)
		;
	if (i == *n) {
		if (*n == cap)
			return;
		memset(&out[i], 0, sizeof(out[i]));
		out[i].minute = s->minute;
		(*n)++;
	}
	for (d = 0; d < TDIR_MAX; d++)
		for (v = 0; v < 2; v++) {
			out[i].cell[d][v].pkts += s->cell[d][v].pkts;
			out[i].cell[d][v].bytes += s->cell[d][v].bytes;
		}
}

int maps_read_tput(int fd, struct tput_slot *out, size_t cap, size_t *n)
{
	int ncpu = maps_ncpu(), c;
	struct tput_slot *v = calloc((size_t)ncpu, sizeof(*v));
	__u32 i;

	if (!v)
		return -ENOMEM;
	*n = 0;
	for (i = 0; i < FT_TPUT_SLOTS; i++) {
		if (bpf_map_lookup_elem(fd, &i, v)) {
			free(v);
			return -errno;
		}
		for (c = 0; c < ncpu; c++)
			if (v[c].minute)
				add_slot(out, cap, n, &v[c]);
	}
	free(v);
	qsort(out, *n, sizeof(*out), cmp_minute);
	return 0;
}

int maps_walk_buffer(int fd, int del, maps_flow_fn fn, void *arg)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	int ncpu = maps_ncpu(), err = 0, total = 0, done = 0;
	size_t cap = BATCH;
	struct flow_key *keys = NULL, tok_in, tok_out;
	struct flow_ctr *vals = NULL;
	void *in = NULL;

	while (!done) {
		__u32 count = (__u32)cap, i;
		int c, rc;

		if (!keys) {
			keys = calloc(cap, sizeof(*keys));
			vals = calloc(cap * (size_t)ncpu, sizeof(*vals));
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		rc = bpf_map_lookup_batch(fd, in, &tok_out, keys, vals, &count, &bo);
		if (rc && errno == ENOSPC && count == 0) { /* a bucket holds more than cap entries */
			free(keys);
			free(vals);
			keys = NULL;
			vals = NULL;
			cap *= 2;
			continue;
		}
		if (rc && errno != ENOENT) {
			err = -errno;
			break;
		}
		done = rc != 0; /* ENOENT: this was the last batch */
		for (i = 0; i < count; i++) {
			struct flow_total sum = {};

			for (c = 0; c < ncpu; c++)
				flow_total_merge(&sum, &vals[(size_t)i * ncpu + c]);
			err = fn(arg, &keys[i], &sum);
			if (err)
				goto out;
		}
		if (del && count && bpf_map_delete_batch(fd, keys, &count, &bo)) {
			err = -errno;
			break;
		}
		total += (int)count;
		tok_in = tok_out;
		in = &tok_in;
	}
out:
	free(keys);
	free(vals);
	return err ? err : total;
}

int maps_walk_totals(int fd, maps_total_fn fn, void *arg)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	struct flow_key *keys = calloc(BATCH, sizeof(*keys)), tok_in, tok_out;
	struct flow_total *vals = calloc(BATCH, sizeof(*vals));
	int err = 0, total = 0, done = 0;
	void *in = NULL;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (!done) {
		__u32 count = BATCH, i;
		int rc = bpf_map_lookup_batch(fd, in, &tok_out, keys, vals, &count, &bo);

		if (rc && errno != ENOENT) {
			err = -errno;
			break;
		}
		done = rc != 0;
		for (i = 0; i < count; i++) {
			err = fn(arg, &keys[i], &vals[i]);
			if (err)
				goto out;
		}
		total += (int)count;
		tok_in = tok_out;
		in = &tok_in;
	}
out:
	free(keys);
	free(vals);
	return err ? err : total;
}

int maps_read_ctl(int fd, struct ft_ctl *ctl)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(fd, &zero, ctl) ? -errno : 0;
}

int maps_write_ctl(int fd, const struct ft_ctl *ctl)
{
	__u32 zero = 0;

	return bpf_map_update_elem(fd, &zero, ctl, BPF_ANY) ? -errno : 0;
}
