// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ndp/catalog.c - the neighbor catalog: learning (NDP, probes, netlink, leases), history, aging, snapshots. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flowtower/abi.h"
#include "flowtower/parse.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "ndp/ndp_decode.h"
#include "flow/prefix.h"
#include "util/clock.h"
#include "util/htab.h"
#include "util/json.h"

#define HIST_MAX 16			  /* MACs remembered per address; the oldest beyond go */
#define PROBE_WINDOW_NS (5 * NS_PER_SEC) /* an answer this soon after catalog_probing() is the probe's */

static const char *const src_names[CATALOG_SRC_MAX] = { "ndp", "probe", "netlink", "lease" };

struct hist {
	struct catalog_entry e;
	uint64_t gen; /* catalog generation of its last change */
};

/* One address: its MACs in the order learned, and the current one. Held by pointer: htab values move. */
struct slot {
	uint64_t probed_ns; /* catalog_probing(); 0 when no answer is awaited */
	uint16_t n, cur;
	struct hist h[HIST_MAX];
};

struct catalog {
	pthread_mutex_t mu;
	struct htab *addrs; /* addr[16] -> struct slot * */
	uint64_t max_age_ns;
	size_t max_entries, n_entries;
	uint64_t gen;	    /* bumped by every change, removals included */
	uint64_t saved_gen; /* gen written by the last catalog_save() */
	uint64_t saved_mono;
	struct catalog_stats st;
};

int catalog_new(struct catalog **out, uint64_t max_age_ns, size_t max_entries)
{
	struct catalog *cat;
	int err;

	if (!max_entries)
		return -EINVAL;
	cat = calloc(1, sizeof(*cat));
	if (!cat)
		return -ENOMEM;
	err = htab_new(&cat->addrs, 16, sizeof(struct slot *), max_entries);
	if (err) {
		free(cat);
		return err;
	}
	pthread_mutex_init(&cat->mu, NULL);
	cat->max_age_ns = max_age_ns;
	cat->max_entries = max_entries;
	*out = cat;
	return 0;
}

static int free_slot(void *arg, const void *key, void *val)
{
	free(*(struct slot **)val);
	return 0;
}

void catalog_free(struct catalog *cat)
{
	if (!cat)
		return;
	htab_foreach(cat->addrs, free_slot, NULL);
	htab_free(cat->addrs);
	pthread_mutex_destroy(&cat->mu);
	free(cat);
}

static bool mac_ok(const uint8_t m[6])
{
	return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* A unicast host address: IPv6 neither unspecified, loopback nor multicast; IPv4 (v4-mapped) likewise. */
static bool addr_ok(const uint8_t a[16])
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[15];

	if (!memcmp(a, v4mapped, 12))
		return a[12] != 0 && a[12] != 127 && a[12] < 224;
	if (a[0] == 0xff || (!memcmp(a, zero, 15) && a[15] <= 1))
		return false;
	return true;
}

static struct slot *slot_get(struct catalog *cat, const uint8_t addr[16], bool create)
{
	uint64_t hash = htab_hash(addr, 16);
	struct slot **sp;
	bool created;

	if (!create) {
		sp = htab_lookup(cat->addrs, addr, hash);
		return sp ? *sp : NULL;
	}
	sp = htab_upsert(cat->addrs, addr, hash, &created);
	if (!sp)
		return NULL;
	if (created) {
		*sp = calloc(1, sizeof(struct slot));
		if (!*sp) {
			htab_delete(cat->addrs, addr, hash);
			return NULL;
		}
	}
	return *sp;
}

/* The current MAC is the one seen last; on a tie the one learned last. */
static void pick_current(struct slot *s)
{
	uint16_t i;

	s->cur = 0;
	for (i = 1; i < s->n; i++)
		if (s->h[i].e.last_seen >= s->h[s->cur].e.last_seen)
			s->cur = i;
}

static void drop_entry(struct slot *s, uint16_t i)
{
	memmove(&s->h[i], &s->h[i + 1], (size_t)(s->n - i - 1) * sizeof(s->h[0]));
	s->n--;
	pick_current(s);
}

/* Make room in a full history: the pair seen longest ago goes, never the current one. */
static void evict_oldest(struct catalog *cat, struct slot *s)
{
	uint16_t i, old = s->cur == 0 ? 1 : 0;

	for (i = 0; i < s->n; i++)
		if (i != s->cur && s->h[i].e.last_seen < s->h[old].e.last_seen)
			old = i;
	drop_entry(s, old);
	cat->n_entries--;
}

static int learn_locked(struct catalog *cat, const uint8_t addr[16], const uint8_t mac[6], enum catalog_src src,
			uint64_t ts)
{
	struct slot *s;
	struct hist *h;
	bool probed;
	uint16_t i;

	s = slot_get(cat, addr, true);
	if (!s) {
		cat->st.full++;
		return -ENOSPC;
	}
	probed = s->probed_ns && src != CATALOG_LEASE && ts + PROBE_WINDOW_NS >= s->probed_ns &&
		 ts <= s->probed_ns + PROBE_WINDOW_NS;
	if (probed)
		s->probed_ns = 0; /* answered */
	cat->st.learned++;
	for (i = 0; i < s->n; i++) {
		h = &s->h[i];
		if (memcmp(h->e.mac, mac, 6))
			continue;
		if (ts >= h->e.first_seen && ts <= h->e.last_seen)
			return 0; /* nothing new: no write, no churn */
		if (ts < h->e.first_seen)
			h->e.first_seen = ts;
		if (ts > h->e.last_seen)
			h->e.last_seen = ts;
		h->gen = ++cat->gen;
		pick_current(s);
		return 0;
	}
	if (cat->n_entries >= cat->max_entries && s->n < HIST_MAX) {
		cat->st.full++;
		return -ENOSPC;
	}
	if (s->n == HIST_MAX)
		evict_oldest(cat, s);
	if (s->n)
		cat->st.mac_changes++;
	h = &s->h[s->n++];
	memset(h, 0, sizeof(*h));
	memcpy(h->e.addr, addr, 16);
	memcpy(h->e.mac, mac, 6);
	h->e.source = probed ? CATALOG_PROBE : (uint8_t)src;
	h->e.first_seen = h->e.last_seen = ts;
	h->gen = ++cat->gen;
	cat->n_entries++;
	cat->st.added++;
	pick_current(s);
	return 1;
}

int catalog_learn(struct catalog *cat, const uint8_t addr[16], const uint8_t mac[6], enum catalog_src src, uint64_t ts)
{
	int rc;

	if (!cat || !addr_ok(addr) || !mac_ok(mac) || (unsigned int)src >= CATALOG_SRC_MAX)
		return -EINVAL;
	pthread_mutex_lock(&cat->mu);
	rc = learn_locked(cat, addr, mac, src, ts);
	pthread_mutex_unlock(&cat->mu);
	return rc;
}

/*
 * An NA without a Target Link-Layer Address option (Linux leaves it out when answering a unicast
 * NS, RFC 4861 7.2.4) about the sender's own address: the frame's Ethernet source is the target's
 * MAC, since NDP never crosses a router (hop limit 255, 7.1.2).
 */
static int na_sender(const struct ndp_msg *m, const uint8_t *frame, uint32_t caplen, const struct pkt_info *pi,
		     uint8_t addr[16], uint8_t mac[6])
{
	if (m->type != NDP_NA || m->has_tgt_lla || memcmp(m->target, m->src, 16) || pi->mac_off == 0xffff ||
	    (uint32_t)pi->mac_off + 12 > caplen || !mac_ok(frame + pi->mac_off + 6) || !addr_ok(m->target))
		return 0;
	memcpy(addr, m->target, 16);
	memcpy(mac, frame + pi->mac_off + 6, 6);
	return 1;
}

static void count(struct catalog *cat, uint64_t *ctr)
{
	pthread_mutex_lock(&cat->mu);
	(*ctr)++;
	pthread_mutex_unlock(&cat->mu);
}

int catalog_ndp_frame(struct catalog *cat, const uint8_t *frame, uint32_t caplen, const struct pkt_info *pi,
		      uint64_t ts)
{
	uint8_t addr[16], mac[6];
	struct pkt_cursor c;
	struct ndp_msg m;
	struct ndp_ip ip;
	int rc;

	if (!cat)
		return -EINVAL;
	count(cat, &cat->st.ndp_frames);
	/* RFC 6980 5: NDP in fragments is ignored (an atomic fragment is a whole message, RFC 6946) */
	if (pi->ip_version != 6 || pi->proto != FT_IPPROTO_ICMPV6 || pi->frag != FRAG_NONE) {
		count(cat, &cat->st.ndp_invalid);
		return -EPROTONOSUPPORT;
	}
	if (pi->l4_off > caplen || pi->l4_len > caplen - pi->l4_off) {
		count(cat, &cat->st.ndp_invalid);
		return -ENODATA; /* checksummed over the whole message: a cut copy cannot be checked */
	}
	memcpy(ip.src, pi->saddr, 16);
	memcpy(ip.dst, pi->daddr, 16);
	ip.hop_limit = pi->hop_limit;
	c = cur_make(frame + pi->l4_off, pi->l4_len);
	rc = ndp_decode(&c, &ip, &m);
	if (rc) {
		count(cat, &cat->st.ndp_invalid);
		return rc;
	}
	if (!ndp_learned(&m, addr, mac) && !na_sender(&m, frame, caplen, pi, addr, mac)) {
		count(cat, &cat->st.ndp_silent);
		return 0;
	}
	return catalog_learn(cat, addr, mac, CATALOG_NDP, ts);
}

int catalog_add_leases(struct catalog *cat, const struct leases *l, uint64_t now)
{
	uint8_t addr[16] = { [10] = 0xff, [11] = 0xff };
	const struct lease *e;
	size_t i;
	int n = 0, rc;

	for (i = 0; (e = leases_get(l, i)); i++) {
		if (!e->has_ipv4)
			continue;
		memcpy(addr + 12, e->ipv4, 4);
		rc = catalog_learn(cat, addr, e->mac, CATALOG_LEASE, now);
		if (rc < 0)
			return rc;
		n += rc;
	}
	return n;
}

void catalog_probing(struct catalog *cat, const uint8_t addr[16], uint64_t now)
{
	struct slot *s;

	if (!cat || !addr_ok(addr))
		return;
	pthread_mutex_lock(&cat->mu);
	s = slot_get(cat, addr, true);
	if (s)
		s->probed_ns = now;
	pthread_mutex_unlock(&cat->mu);
}

static bool aged(const struct catalog *cat, const struct catalog_entry *e, uint64_t now)
{
	return cat->max_age_ns && e->source != CATALOG_LEASE && now > e->last_seen &&
	       now - e->last_seen > cat->max_age_ns;
}

int catalog_lookup(struct catalog *cat, const uint8_t addr[16], uint64_t now, uint8_t mac[6])
{
	struct slot *s;
	int found = 0;

	if (!cat)
		return 0;
	pthread_mutex_lock(&cat->mu);
	s = slot_get(cat, addr, false);
	if (s && s->n && !aged(cat, &s->h[s->cur].e, now)) {
		memcpy(mac, s->h[s->cur].e.mac, 6);
		found = 1;
	}
	pthread_mutex_unlock(&cat->mu);
	return found;
}

int catalog_flow_side(struct catalog *cat, const struct leases *l, const struct flow_key *k, int side, uint64_t now,
		      uint8_t mac[6], const char **device)
{
	const __be32 *a = side == SIDE_A ? k->addr_a : k->addr_b;
	uint8_t addr[16];

	if (device)
		*device = NULL;
	if (k->ip_version == 4 && leases_match(l, k, side, mac, device))
		return 1;
	memcpy(addr, a, 16);
	if (!catalog_lookup(cat, addr, now, mac))
		return 0;
	if (device)
		*device = leases_name(l, mac);
	return 1;
}

struct expire_ctx {
	struct catalog *cat;
	uint64_t now;
	size_t removed;
};

static bool expire_slot(void *arg, const void *key, void *val)
{
	struct expire_ctx *x = arg;
	struct slot *s = *(struct slot **)val;
	uint16_t i = 0;

	while (i < s->n) {
		if (aged(x->cat, &s->h[i].e, x->now)) {
			drop_entry(s, i);
			x->cat->n_entries--;
			x->removed++;
		} else {
			i++;
		}
	}
	if (s->probed_ns && x->now > s->probed_ns + PROBE_WINDOW_NS)
		s->probed_ns = 0;
	if (s->n || s->probed_ns)
		return false;
	free(s);
	return true;
}

size_t catalog_expire(struct catalog *cat, uint64_t now)
{
	struct expire_ctx x = { cat, now, 0 };

	if (!cat)
		return 0;
	pthread_mutex_lock(&cat->mu);
	htab_delete_if(cat->addrs, expire_slot, &x);
	if (x.removed) {
		cat->st.expired += x.removed;
		cat->gen++;
	}
	pthread_mutex_unlock(&cat->mu);
	return x.removed;
}

struct snap {
	struct catalog_entry *v;
	size_t n;
	uint64_t since;
};

static int snap_slot(void *arg, const void *key, void *val)
{
	struct snap *sn = arg;
	struct slot *s = *(struct slot **)val;
	uint16_t i;

	for (i = 0; i < s->n; i++) {
		if (s->h[i].gen <= sn->since)
			continue;
		sn->v[sn->n] = s->h[i].e;
		sn->v[sn->n++].current = i == s->cur;
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct catalog_entry *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	if (c)
		return c;
	if (x->first_seen != y->first_seen)
		return x->first_seen < y->first_seen ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

/* Copy the entries changed after since, sorted (address, first seen), so output diffs cleanly. */
static int snapshot(struct catalog *cat, uint64_t since, struct snap *sn, uint64_t *gen)
{
	sn->since = since;
	sn->n = 0;
	pthread_mutex_lock(&cat->mu);
	sn->v = malloc((cat->n_entries ? cat->n_entries : 1) * sizeof(*sn->v));
	if (sn->v)
		htab_foreach(cat->addrs, snap_slot, sn);
	*gen = cat->gen;
	pthread_mutex_unlock(&cat->mu);
	if (!sn->v)
		return -ENOMEM;
	qsort(sn->v, sn->n, sizeof(*sn->v), entry_cmp);
	return 0;
}

int catalog_changed(struct catalog *cat, uint64_t *since, catalog_fn fn, void *arg)
{
	struct snap sn;
	uint64_t gen;
	size_t i;
	int rc;

	if (!cat)
		return -EINVAL;
	rc = snapshot(cat, *since, &sn, &gen);
	if (rc)
		return rc;
	for (i = 0; i < sn.n && !rc; i++)
		rc = fn(arg, &sn.v[i]);
	free(sn.v);
	if (rc)
		return rc;
	*since = gen;
	return (int)i;
}

void catalog_json(struct jw *w, const struct catalog_entry *e, const char *device)
{
	const uint8_t *m = e->mac;
	char buf[64];
	__be32 a[4];

	memcpy(a, e->addr, 16);
	jw_obj_begin(w, NULL);
	jw_str(w, "type", "neighbor");
	jw_str(w, "addr", addr_format(a, buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	jw_str(w, "mac", buf);
	jw_str(w, "first_seen", clock_rfc3339(e->first_seen, buf, sizeof(buf)));
	jw_str(w, "last_seen", clock_rfc3339(e->last_seen, buf, sizeof(buf)));
	jw_str(w, "source", e->source < CATALOG_SRC_MAX ? src_names[e->source] : NULL);
	jw_str(w, "device", device);
	jw_obj_end(w);
}

void catalog_stats(struct catalog *cat, struct catalog_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!cat)
		return;
	pthread_mutex_lock(&cat->mu);
	*out = cat->st;
	pthread_mutex_unlock(&cat->mu);
}

/* ---- the file: catalog_save() writes it, catalog_load() and `flowtower neighbors` read it ---- */

#define SAVE_GAP_NS (2 * NS_PER_SEC) /* at most one rewrite per this, unless forced */

static int write_snap(FILE *f, const struct snap *sn, const struct leases *l)
{
	struct jw w;
	size_t i;

	jw_init(&w, f);
	for (i = 0; i < sn->n; i++)
		catalog_json(&w, &sn->v[i], leases_name(l, sn->v[i].mac));
	return ferror(f) ? -EIO : (int)i;
}

int catalog_write(struct catalog *cat, FILE *f, const struct leases *l)
{
	struct snap sn;
	uint64_t gen;
	int err;

	if (!cat || !f)
		return -EINVAL;
	err = snapshot(cat, 0, &sn, &gen);
	if (err)
		return err;
	err = write_snap(f, &sn, l);
	free(sn.v);
	return err;
}

int catalog_save(struct catalog *cat, const char *path, const struct leases *l, bool force)
{
	uint64_t gen, mono = clock_mono_ns();
	struct snap sn;
	char *tmp;
	FILE *f;
	int fd, err;

	if (!cat || !path)
		return -EINVAL;
	pthread_mutex_lock(&cat->mu);
	err = force || (cat->gen != cat->saved_gen && (!cat->saved_mono || mono - cat->saved_mono >= SAVE_GAP_NS));
	pthread_mutex_unlock(&cat->mu);
	if (!err)
		return 0;
	err = snapshot(cat, 0, &sn, &gen);
	if (err)
		return err;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		err = -ENOMEM;
		goto err_snap;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 && errno == EACCES) {
		/*
		 * A daemon that dropped privileges may not create files in the directory; it owns
		 * the file itself (made before the drop), so it is rewritten in place (a torn file
		 * only loses neighbor lines, which catalog_load() skips).
		 */
		free(tmp);
		tmp = NULL;
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	}
	if (fd < 0) {
		err = -errno;
		goto err_tmp;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto err_unlink;
	}
	fchmod(fd, 0644); /* the catalog is no secret: `neighbors` needs no root */
	err = write_snap(f, &sn, l);
	err = err < 0 ? err : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && tmp && rename(tmp, path))
		err = -errno;
	if (err)
		goto err_unlink;
	free(tmp);
	free(sn.v);
	pthread_mutex_lock(&cat->mu);
	cat->saved_gen = gen;
	cat->saved_mono = mono ? mono : 1;
	pthread_mutex_unlock(&cat->mu);
	return 1;

err_unlink:
	if (tmp)
		unlink(tmp);
err_tmp:
	free(tmp);
err_snap:
	free(sn.v);
	return err;
}

/* A JSON string value at p (after the opening quote) into out; returns the char after the closing quote. */
static const char *json_str(const char *p, char *out, size_t cap)
{
	size_t n = 0;

	while (*p && *p != '"') {
		char c = *p++;

		if (c == '\\') {
			unsigned int u;

			c = *p++;
			if (c == 'u') {
				if (sscanf(p, "%4x", &u) != 1 || u >= 0x80 || !u)
					return NULL; /* only what jw_str writes: escaped control bytes */
				c = (char)u;
				p += 4;
			} else if (c != '"' && c != '\\' && c != '/') {
				return NULL;
			}
		}
		if (n + 1 >= cap)
			return NULL;
		out[n++] = c;
	}
	if (*p != '"')
		return NULL;
	out[n] = '\0';
	return p + 1;
}

/* "2026-11-29T03:38:00.123456789Z" (fraction optional, 1..9 digits) to wall-clock ns. */
static int parse_time(const char *s, uint64_t *ns)
{
	struct tm tm = {};
	uint64_t frac = 0;
	int n = 0, digits = 0;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &n) != 6 || n != 19)
		return -EINVAL;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && digits < 9; s++, digits++)
			frac = frac * 10 + (uint64_t)(*s - '0');
	if (*s != 'Z' || s[1] || (s[-1] == '.') || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	while (digits++ < 9)
		frac *= 10;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*ns = (uint64_t)t * NS_PER_SEC + frac;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i, n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 || n != 17 ||
	    s[17])
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_addr(const char *s, uint8_t addr[16])
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (inet_pton(AF_INET6, s, addr) == 1)
		return 0;
	memcpy(addr, v4mapped, 12);
	return inet_pton(AF_INET, s, addr + 12) == 1 ? 0 : -EINVAL;
}

/* One field of a neighbor line; unknown keys are skipped, missing required ones fail the line. */
static int put_field(const char *key, const char *val, struct catalog_entry *e, char *device, size_t devlen,
		     unsigned int *have)
{
	unsigned int i;

	if (!strcmp(key, "type"))
		return val && !strcmp(val, "neighbor") ? (*have |= 1, 0) : -EPROTONOSUPPORT;
	if (!strcmp(key, "addr"))
		return val && !parse_addr(val, e->addr) ? (*have |= 2, 0) : -EBADMSG;
	if (!strcmp(key, "mac"))
		return val && !parse_mac(val, e->mac) ? (*have |= 4, 0) : -EBADMSG;
	if (!strcmp(key, "first_seen"))
		return val && !parse_time(val, &e->first_seen) ? (*have |= 8, 0) : -EBADMSG;
	if (!strcmp(key, "last_seen"))
		return val && !parse_time(val, &e->last_seen) ? (*have |= 16, 0) : -EBADMSG;
	if (!strcmp(key, "source")) {
		for (i = 0; val && i < CATALOG_SRC_MAX; i++)
			if (!strcmp(val, src_names[i])) {
				e->source = (uint8_t)i;
				*have |= 32;
				return 0;
			}
		return -EBADMSG;
	}
	if (!strcmp(key, "device") && device && devlen) {
		if (val && strlen(val) >= devlen)
			return -EBADMSG;
		strcpy(device, val ? val : "");
	}
	return 0;
}

int catalog_parse_line(const char *line, struct catalog_entry *e, char *device, size_t devlen)
{
	char key[32], val[128];
	unsigned int have = 0;
	const char *p = line;
	int err;

	memset(e, 0, sizeof(*e));
	if (device && devlen)
		device[0] = '\0';
	while (*p == ' ')
		p++;
	if (*p++ != '{')
		return -EBADMSG;
	for (;;) {
		const char *v = NULL;

		if (*p++ != '"' || !(p = json_str(p, key, sizeof(key))) || *p++ != ':')
			return -EBADMSG;
		if (*p == '"') {
			p = json_str(p + 1, val, sizeof(val));
			if (!p)
				return -EBADMSG;
			v = val;
		} else if (!strncmp(p, "null", 4)) {
			p += 4;
		} else {
			return -EBADMSG; /* our lines hold only strings and nulls */
		}
		err = put_field(key, v, e, device, devlen, &have);
		if (err)
			return err;
		if (*p == '}')
			break;
		if (*p++ != ',')
			return -EBADMSG;
	}
	p++;
	if ((*p && *p != '\n') || (*p == '\n' && p[1]))
		return -EBADMSG;
	if (have != 63 || e->first_seen > e->last_seen)
		return -EBADMSG;
	return 0;
}

int catalog_load(struct catalog *cat, const char *path)
{
	struct catalog_entry e;
	char *line = NULL;
	size_t cap = 0;
	int n = 0, err = 0;
	FILE *f;

	if (!cat || !path)
		return -EINVAL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (catalog_parse_line(line, &e, NULL, 0))
			continue; /* another kind of line, or damaged: the rest still loads */
		pthread_mutex_lock(&cat->mu);
		err = learn_locked(cat, e.addr, e.mac, (enum catalog_src)e.source, e.first_seen);
		if (err >= 0)
			err = learn_locked(cat, e.addr, e.mac, (enum catalog_src)e.source, e.last_seen);
		pthread_mutex_unlock(&cat->mu);
		if (err < 0)
			break;
		n++;
	}
	free(line);
	fclose(f);
	return err < 0 ? err : n;
}
