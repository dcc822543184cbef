// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kern/drain.c - buffer swap, merge into totals with crash-safe generations. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "kern/drain.h"
#include "kern/maps.h"
#include "util/clock.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/uuid.h"

static int load_one(void *arg, const struct flow_key *k, const struct flow_total *t)
{
	struct flowset *fs = arg;
	unsigned int s = flowset_shard_of(fs, k);
	struct flow_table *ft = flowset_lock(fs, s);
	struct flow_rec *r;
	bool created;

	r = flow_table_upsert(ft, k, &created);
	if (r) {
		r->tot = *t;
		r->dirty_gen = FLOW_DIRTY_EXT; /* a new run: not in its store yet */
	}
	flowset_unlock(fs, s);
	return r ? 0 : -ENOSPC;
}

int drain_load_totals(const struct loader *ld, struct flowset *fs)
{
	return maps_walk_totals(ld->fd_flows, load_one, fs);
}

struct merge_ctx {
	struct flowset *fs;
	int fd_flows;
	uint64_t gen;
	uint64_t now; /* wall clock of this drain */
	struct drain_stats *st;
	drain_new_fn on_new;
	void *arg;
};

/* Called with the flow's shard locked. */
static int merge_locked(struct merge_ctx *m, struct flow_table *ft, const struct flow_key *k,
			const struct flow_total *sum)
{
	struct flow_total t;
	struct flow_rec *r;
	bool created;

	r = flow_table_upsert(ft, k, &created);
	if (!r) {
		m->st->flows_lost++;
		return 0;
	}
	if (created)
		uuid_v7(r->tot.uuid, sum->first_ns);
	if (r->tot.applied_gen == m->gen)
		return 0; /* added before a crash cut this drain short */
	t = r->tot;
	flow_total_add(&t, sum);
	t.applied_gen = m->gen;
	if (bpf_map_update_elem(m->fd_flows, k, &t, BPF_ANY)) {
		int err = -errno;

		/* the buffer entry stays and the next drain retries it: nothing is lost */
		pr_warn("writing flow totals: %s\n", strerror(-err));
		if (created)
			flow_table_remove(ft, r);
		return err;
	}
	r->tot = t;
	r->dirty_gen = m->gen;
	/* a flow of near-duplicates only has no packet times: the drain that saw it is its idle start */
	if (m->now > r->touched_ns)
		r->touched_ns = m->now;
	fault_kill_if("drain-mid"); /* crash test: totals written, buffer entry not yet deleted */
	m->st->flows_merged++;
	if (created && m->on_new)
		m->on_new(m->arg, r);
	return 0;
}

static int merge_one(void *arg, const struct flow_key *k, const struct flow_total *sum)
{
	struct merge_ctx *m = arg;
	unsigned int s;
	int err;

	if (!flow_total_pkts(sum) && !sum->dups)
		return 0; /* an own-address flow: its packets are in CTR_SKIPPED_OWN */
	s = flowset_shard_of(m->fs, k);
	err = merge_locked(m, flowset_lock(m->fs, s), k, sum);
	flowset_unlock(m->fs, s);
	return err;
}

int drain_once(struct loader *ld, struct flowset *fs, struct drain_stats *st, drain_new_fn on_new, void *arg)
{
	struct merge_ctx m = { .fs = fs, .fd_flows = ld->fd_flows, .st = st, .on_new = on_new, .arg = arg };
	uint64_t t0 = clock_mono_ns(), created;
	struct ft_ctl ctl;
	int err, quiet;

	err = maps_read_ctl(ld->fd_ctl, &ctl);
	if (err)
		return err;
	if (ctl.drain_state != DRAIN_BUSY) {
		ctl.gen++;
		ctl.draining = ctl.active & 1;
		ctl.active = !ctl.draining;
		ctl.drain_state = DRAIN_BUSY;
		err = maps_write_ctl(ld->fd_ctl, &ctl);
		if (err)
			return err;
	}
	quiet = ctl.draining & 1;
	/* idempotent when recovering; returns only after programs using the old buffer are done */
	err = loader_flip(ld, !quiet);
	if (err)
		return err;
	m.gen = ctl.gen;
	m.now = clock_wall_ns();
	if (maps_read_percpu_u64(ld->fd_created, (uint32_t)quiet, &created))
		created = 0;
	err = maps_walk_buffer(ld->fd_buf[quiet], 1, merge_one, &m);
	if (err < 0)
		return err;
	/* created since this buffer's last drain, minus what is still there: what the LRU evicted */
	if (created >= ld->created_base[quiet] + (uint64_t)err) {
		uint64_t ev = created - ld->created_base[quiet] - (uint64_t)err;

		if (ev && (!st->evict_warned_ns || clock_mono_ns() - st->evict_warned_ns >= 3600 * NS_PER_SEC)) {
			st->evict_warned_ns = clock_mono_ns();
			pr_warn("kernel flow buffer overflowed: %llu flows' counts evicted before a drain; raise "
				"--kernel-flows (%s) or lower --drain-interval\n", (unsigned long long)ev,
				"the peak of new flows per drain interval");
		}
		st->evicted += ev;
	}
	if (created)
		ld->created_base[quiet] = created;
	ctl.drain_state = DRAIN_IDLE;
	err = maps_write_ctl(ld->fd_ctl, &ctl);
	if (err)
		return err;
	ld->ctl = ctl;
	st->drains++;
	st->last_ns = clock_mono_ns() - t0;
	return 0;
}
