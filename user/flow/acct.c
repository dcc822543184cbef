// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/acct.c - userspace twin of sensor.bpf.c's accounting, on hash tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowtower/account.h"
#include "flow/acct.h"
#include "util/htab.h"

struct acct {
	struct acct_cfg cfg;
	struct htab *flows;  /* flow_key -> flow_ctr */
	struct htab *frags;  /* frag_key -> frag_val */
	struct htab *dedup;  /* dedup_key -> dedup_val */
	struct htab *tput;   /* minute -> tput_slot */
	struct htab *preamble; /* flow_key -> steer_val, as the kernel's 'preamble' LRU map */
	uint64_t last_minute; /* cache: most packets fall in the minute before */
	struct tput_slot *last_slot;
	uint64_t stats[CTR_MAX];
};

/* Kernel-side limits of the LRU maps they mirror (maps.bpf.h). */
#define ACCT_FRAGS_MAX 16384
#define ACCT_DEDUP_MAX 65536
#define ACCT_PREAMBLE_MAX 262144

int acct_new(struct acct **out, const struct acct_cfg *cfg)
{
	struct acct *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	err = htab_new(&a->flows, sizeof(struct flow_key), sizeof(struct flow_ctr), cfg->max_flows);
	if (!err)
		err = htab_new(&a->frags, sizeof(struct frag_key), sizeof(struct frag_val), ACCT_FRAGS_MAX);
	if (!err)
		err = htab_new(&a->dedup, sizeof(struct dedup_key), sizeof(struct dedup_val), ACCT_DEDUP_MAX);
	if (!err)
		err = htab_new(&a->tput, sizeof(uint64_t), sizeof(struct tput_slot), 1u << 30);
	if (!err)
		err = htab_new(&a->preamble, sizeof(struct flow_key), sizeof(struct steer_val), ACCT_PREAMBLE_MAX);
	if (!a->cfg.tcp_preamble)
		a->cfg.tcp_preamble = FT_PREAMBLE_PKTS;
	if (!a->cfg.udp_preamble)
		a->cfg.udp_preamble = FT_UDP_PREAMBLE_PKTS;
	if (err) {
		acct_free(a);
		return err;
	}
	*out = a;
	return 0;
}

void acct_free(struct acct *a)
{
	if (!a)
		return;
	htab_free(a->flows);
	htab_free(a->frags);
	htab_free(a->dedup);
	htab_free(a->tput);
	htab_free(a->preamble);
	free(a);
}

const uint64_t *acct_stats(const struct acct *a)
{
	return a->stats;
}

void acct_count(struct acct *a, int ctr, uint64_t n)
{
	if (ctr >= 0 && ctr < CTR_MAX)
		a->stats[ctr] += n;
}

size_t acct_nflows(const struct acct *a)
{
	return htab_count(a->flows);
}

/*
 * The kernel's LRU maps evict the least recently used entry when full; these
 * tables are cleared when full instead: fragments and duplicate candidates
 * are short-lived, and the captures that fill them are floods.
 */
static void frag_ports(struct acct *a, struct pkt_info *pi)
{
	struct frag_key fk;
	struct frag_val *fv;
	uint64_t h;
	bool created;

	ft_frag_key(pi, &fk);
	h = htab_hash(&fk, sizeof(fk));
	if (pi->frag == FRAG_FIRST) {
		fv = htab_upsert(a->frags, &fk, h, &created);
		if (!fv) {
			htab_clear(a->frags);
			fv = htab_upsert(a->frags, &fk, h, &created);
		}
		if (fv) {
			fv->sport = pi->sport;
			fv->dport = pi->dport;
		}
		return;
	}
	a->stats[CTR_FRAG_LATER]++;
	fv = htab_lookup(a->frags, &fk, h);
	if (fv) {
		pi->sport = fv->sport;
		pi->dport = fv->dport;
	} else {
		a->stats[CTR_FRAG_NOFIRST]++;
	}
}

static bool is_near_dup(struct acct *a, const struct pkt_info *pi, const uint8_t *frame, uint32_t caplen,
			uint64_t now)
{
	static const uint8_t zero_mac[6];
	const uint8_t *ip6 = frame + pi->l3_off, *mac = zero_mac, *l4 = NULL;
	struct dedup_key dk;
	struct dedup_val *v;
	__be32 vcf;
	__be16 plen;
	uint64_t h;
	bool created;

	if ((uint32_t)pi->l3_off + 40 > caplen)
		return false;
	if (pi->l4_off > pi->l3_off && pi->frag != FRAG_LATER) { /* as the kernel: the ports, past extensions */
		if ((uint32_t)pi->l4_off + 8 <= caplen)
			l4 = frame + pi->l4_off;
	} else if ((uint32_t)pi->l3_off + 48 <= caplen) {
		l4 = ip6 + 40;
	}
	if (pi->mac_off != 0xffff && (uint32_t)pi->mac_off + 12 <= caplen)
		mac = frame + pi->mac_off + 6;
	memcpy(&vcf, ip6, 4);
	memcpy(&plen, ip6 + 4, 2);
	ft_dedup_key(pi, vcf, plen, ip6[6], l4, &dk);
	h = htab_hash(&dk, sizeof(dk));
	v = htab_lookup(a->dedup, &dk, h);
	if (v && ft_dedup_is_dup(v, mac, pi->hop_limit, now))
		return true;
	if (!v) {
		v = htab_upsert(a->dedup, &dk, h, &created);
		if (!v) {
			htab_clear(a->dedup);
			v = htab_upsert(a->dedup, &dk, h, &created);
		}
	}
	if (v) {
		v->ts_ns = now;
		memcpy(v->mac, mac, 6);
		v->hop_limit = pi->hop_limit;
	}
	return false;
}

static uint8_t flow_flags(const struct acct *a, const struct flow_key *k)
{
	uint8_t f = FLOW_F_INIT;

	if (a->cfg.local && prefix_set_match(a->cfg.local, k->addr_a))
		f |= FLOW_F_LOCAL_A;
	if (a->cfg.local && prefix_set_match(a->cfg.local, k->addr_b))
		f |= FLOW_F_LOCAL_B;
	if (a->cfg.skip_own && a->cfg.own && k->ip_version == 4 &&
	    (prefix_set_match(a->cfg.own, k->addr_a) || prefix_set_match(a->cfg.own, k->addr_b)))
		f |= FLOW_F_SKIP;
	return f;
}

static void tput_add(struct acct *a, uint64_t now, int tdir, const struct pkt_info *pi)
{
	uint64_t minute = now / FT_NS_PER_MIN;
	bool created;

	if (!a->last_slot || a->last_minute != minute) {
		a->last_slot = htab_upsert(a->tput, &minute, htab_hash(&minute, sizeof(minute)), &created);
		a->last_minute = minute;
		if (!a->last_slot)
			return;
		if (created)
			a->last_slot->minute = minute;
	}
	ft_tput_add(a->last_slot, minute, tdir, pi->ip_version, pi->l3_len);
}

int acct_frame(struct acct *a, int fate, struct pkt_info *pi, const uint8_t *frame, uint32_t caplen,
	       uint32_t wirelen, uint64_t now, struct flow_key *k, int *side)
{
	struct flow_ctr *c;
	bool dup = false, created;
	int tdir, ctr;

	a->stats[CTR_RX_FRAMES]++;
	a->stats[CTR_RX_FRAME_BYTES] += wirelen;
	if (fate) {
		acct_count(a, fate, 1);
		return fate;
	}
	if (pi->frag)
		frag_ports(a, pi);
	if (pi->ip_version == 6 && a->cfg.dedup)
		dup = is_near_dup(a, pi, frame, caplen, now);
	*side = ft_flow_key(pi, k);
	c = htab_upsert(a->flows, k, htab_hash(k, sizeof(*k)), &created);
	if (!c) {
		a->stats[CTR_FLOW_NOMEM]++;
		return CTR_FLOW_NOMEM;
	}
	if (!(c->flags & FLOW_F_INIT))
		c->flags = flow_flags(a, k);
	if (c->flags & FLOW_F_SKIP) {
		a->stats[CTR_SKIPPED_OWN]++;
		return CTR_SKIPPED_OWN;
	}
	if (dup) {
		c->dups++;
		a->stats[CTR_DUPLICATES]++;
		return CTR_DUPLICATES;
	}
	ft_account(c, pi, *side, now);
	a->stats[CTR_FLOW_PKTS]++;
	if (pi->notes & NOTE_SNAPPED)
		a->stats[CTR_L4_SNAPPED]++;
	if (pi->notes & NOTE_TCP_DOFF)
		a->stats[CTR_BAD_TCP_DOFF]++;
	tdir = ft_tdir(c->flags, *side);
	ctr = ft_dir_ctr(tdir, pi->ip_version);
	a->stats[ctr]++;
	a->stats[ctr + 1] += pi->l3_len;
	tput_add(a, now, tdir, pi);
	return 0;
}

int acct_steer(struct acct *a, int parsed, int fate, const struct pkt_info *pi, const struct flow_key *k, int side,
	       const uint8_t *frame, uint32_t caplen)
{
	int quic = pi->proto == FT_IPPROTO_UDP && pi->l4_off <= 1500 &&
		   ft_quic_initial(frame + pi->l4_off + 8, frame + caplen);
	struct steer_val *sv;
	uint32_t limit;
	bool created;

	if (!parsed)
		return 0;
	if (ft_is_ndp(pi))
		return 1; /* copied to userspace whatever became of its count */
	if (fate || pi->frag == FRAG_LATER)
		return 0;
	limit = ft_preamble_limit(pi, quic, a->cfg.tcp_preamble, a->cfg.udp_preamble);
	if (!limit)
		return 0;
	sv = htab_upsert(a->preamble, k, htab_hash(k, sizeof(*k)), &created);
	if (!sv) {
		htab_clear(a->preamble); /* the kernel's LRU forgets too: those flows start their preamble again */
		sv = htab_upsert(a->preamble, k, htab_hash(k, sizeof(*k)), &created);
		if (!sv)
			return 0;
	}
	if (sv->done)
		return 0;
	return sv->seen[side & 1]++ < limit;
}

void acct_mark_done(struct acct *a, const struct flow_key *k)
{
	bool created;
	struct steer_val *sv = htab_upsert(a->preamble, k, htab_hash(k, sizeof(*k)), &created);

	if (sv)
		sv->done = 1;
}

struct drain_ctx {
	acct_flow_fn fn;
	void *arg;
};

static int drain_one(void *arg, const void *key, void *val)
{
	struct drain_ctx *d = arg;

	d->fn(d->arg, key, val);
	return 0;
}

void acct_drain(struct acct *a, acct_flow_fn fn, void *arg)
{
	struct drain_ctx d = { fn, arg };

	htab_foreach(a->flows, drain_one, &d);
	htab_clear(a->flows);
}

static int cmp_slot(const void *x, const void *y)
{
	const struct tput_slot *a = *(const struct tput_slot *const *)x, *b = *(const struct tput_slot *const *)y;

	return a->minute < b->minute ? -1 : a->minute > b->minute;
}

struct collect_ctx {
	const struct tput_slot **v;
	size_t n;
};

static int collect(void *arg, const void *key, void *val)
{
	struct collect_ctx *c = arg;

	c->v[c->n++] = val;
	return 0;
}

void acct_tput_drain(struct acct *a, acct_tput_fn fn, void *arg)
{
	struct collect_ctx c = { calloc(htab_count(a->tput) + 1, sizeof(*c.v)), 0 };
	size_t i;

	if (c.v) {
		htab_foreach(a->tput, collect, &c);
		qsort(c.v, c.n, sizeof(*c.v), cmp_slot);
		for (i = 0; i < c.n; i++)
			fn(arg, c.v[i]);
		free(c.v);
	}
	htab_clear(a->tput);
	a->last_slot = NULL;
}
