// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* l7/l7.c - the L7 stage: which parser a flow's start goes to, and what is kept of the answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l7/dns.h"
#include "l7/dnscache.h"
#include "l7/http.h"
#include "l7/l7.h"
#include "l7/quic.h"
#include "l7/tlsrec.h"
#include "reasm/reasm.h"
#include "util/json.h"

static void put_list16(struct jw *w, const char *key, const uint16_t *v, unsigned int n)
{
	unsigned int i;

	jw_arr_begin(w, key);
	for (i = 0; i < n; i++)
		jw_u64(w, NULL, v[i]);
	jw_arr_end(w);
}

static void put_alpn(struct jw *w, const struct tls_client_hello *ch)
{
	unsigned int i;

	jw_arr_begin(w, "alpn");
	for (i = 0; i < ch->n_alpn; i++)
		jw_str(w, NULL, ch->alpn_buf + ch->alpn_off[i]);
	jw_arr_end(w);
}

static bool any_grease(const struct tls_client_hello *ch)
{
	unsigned int i;

	for (i = 0; i < ch->n_suites; i++)
		if (tls_is_grease(ch->suites[i]))
			return true;
	for (i = 0; i < ch->n_exts; i++)
		if (tls_is_grease(ch->exts[i]))
			return true;
	for (i = 0; i < ch->n_groups; i++)
		if (tls_is_grease(ch->groups[i]))
			return true;
	for (i = 0; i < ch->n_versions; i++)
		if (tls_is_grease(ch->versions[i]))
			return true;
	return false;
}

/* The ClientHello's fields, GREASE values as sent (tls_is_grease tells them apart; fingerprints drop them). */
static void put_hello(struct jw *w, const struct tls_client_hello *ch, bool quic)
{
	char full[4096], md5[33], ja4[40];

	jw_str(w, "sni", ch->has_sni ? ch->sni : NULL);
	put_alpn(w, ch);
	if (ch->record_version)
		jw_u64(w, "record_version", ch->record_version);
	jw_u64(w, "legacy_version", ch->legacy_version);
	put_list16(w, "supported_versions", ch->versions, ch->n_versions);
	put_list16(w, "cipher_suites", ch->suites, ch->n_suites);
	put_list16(w, "extensions", ch->exts, ch->n_exts);
	put_list16(w, "supported_groups", ch->groups, ch->n_groups);
	put_list16(w, "signature_algorithms", ch->sig_algs, ch->n_sig_algs);
	put_list16(w, "key_share_groups", ch->key_shares, ch->n_key_shares);
	if (!tls_ja3(ch, full, sizeof(full), md5)) {
		jw_str(w, "ja3", md5);
		jw_str(w, "ja3_full", full);
	}
	jw_str(w, "ja4", tls_ja4(ch, quic, ja4) ? NULL : ja4);
	jw_bool(w, "ech", ch->ech);
	jw_bool(w, "grease", any_grease(ch));
}

static void put_server(struct jw *w, const struct tls_server_hello *sh)
{
	char full[1024], md5[33], ja4s[40];

	jw_obj_begin(w, "server");
	jw_u64(w, "version", sh->version);
	jw_u64(w, "cipher_suite", sh->suite);
	jw_str(w, "alpn", sh->alpn[0] ? sh->alpn : NULL);
	put_list16(w, "extensions", sh->exts, sh->n_exts);
	if (!tls_ja3s(sh, full, sizeof(full), md5))
		jw_str(w, "ja3s", md5);
	jw_str(w, "ja4s", tls_ja4s(sh, false, ja4s) ? NULL : ja4s);
	jw_obj_end(w);
}

static char *render_tls(const struct l7_tls_state *t, bool hrr)
{
	char *buf = NULL;
	size_t len = 0;
	struct jw w;

	if (jw_render_begin(&w, &buf, &len))
		return NULL;
	jw_obj_begin(&w, NULL);
	put_hello(&w, &t->ch, false);
	jw_bool(&w, "hello_retry", hrr);
	if (t->has_sh)
		put_server(&w, &t->sh);
	jw_obj_end(&w);
	return jw_render_end(&w, &buf, &len);
}

static bool dir_done(const struct reasm *r, int dir)
{
	struct reasm_stats st;

	return reasm_stats(r, dir, &st) == 0 && (st.done || st.gap);
}

static void http_client(struct flow_ext *x, const uint8_t *data, size_t len, bool client_over, struct l7_stats *st)
{
	struct http_request req;
	char *buf = NULL;
	size_t blen = 0;
	struct jw w;
	int rc = http_parse_request(data, len, &req);

	if (rc == -ENODATA && !client_over)
		return; /* headers not complete yet */
	x->l7_flags |= L7_CLIENT_DONE | L7_SERVER_DONE;
	if (rc < 0) { /* >= 0: the request's length */
		if (rc != -EPROTONOSUPPORT && rc != -ENODATA)
			st->http_errors++;
		return;
	}
	st->http_requests++;
	if (jw_render_begin(&w, &buf, &blen))
		return;
	jw_obj_begin(&w, NULL);
	jw_str(&w, "host", req.host[0] ? req.host : NULL);
	if (req.has_port)
		jw_u64(&w, "port", req.port);
	else
		jw_null(&w, "port");
	jw_str(&w, "method", req.method);
	jw_obj_end(&w);
	free(x->http_json);
	x->http_json = jw_render_end(&w, &buf, &blen);
	if (req.host[0])
		flow_ext_set_hostname(x, req.host, HOST_HTTP);
}

/* 3.5 KiB of hellos; the parsers fill what they return, so only the flags need zeroing. */
static struct l7_tls_state *tls_state(struct flow_ext *x)
{
	if (!x->tls) {
		x->tls = malloc(sizeof(*x->tls));
		if (x->tls)
			x->tls->has_ch = x->tls->has_sh = x->tls->sh_seen = 0;
	}
	return x->tls;
}

static void tls_client(struct flow_ext *x, const uint8_t *data, size_t len, bool client_over, struct l7_stats *st)
{
	struct l7_tls_state *t;
	int rc;

	if (len && data[0] != 0x16 && !x->tls_ch_seen) { /* not a handshake record: TLS is out */
		http_client(x, data, len, client_over, st);
		return;
	}
	t = tls_state(x);
	if (!t)
		return;
	if (x->tls_ch_seen) {
		/* the second ClientHello (after a HelloRetryRequest): the first stays until it is whole */
		struct tls_client_hello ch2;

		rc = tlsrec_client_nth(data, len, x->tls_ch_seen, &ch2);
		if (!rc)
			t->ch = ch2;
	} else {
		rc = tlsrec_client_nth(data, len, 0, &t->ch);
	}
	if (rc == -EPROTONOSUPPORT && !x->tls_ch_seen) {
		t->has_ch = 0;
		http_client(x, data, len, client_over, st);
	} else if (rc == 0) {
		st->tls_client_hellos++;
		t->has_ch = 1;
		x->tls_ch_seen++;
		x->l7_flags |= L7_TLS;
		if (t->ch.has_sni)
			flow_ext_set_hostname(x, t->ch.sni, HOST_TLS);
		if (!(x->l7_flags & L7_HRR) || x->tls_ch_seen > 1)
			x->l7_flags |= L7_CLIENT_DONE;
	} else if (rc == -ENODATA && client_over) {
		x->l7_flags |= L7_CLIENT_DONE | (x->l7_flags & L7_TLS ? 0 : L7_SERVER_DONE);
	} else if (rc && rc != -ENODATA) {
		st->tls_errors++;
		x->l7_flags |= L7_CLIENT_DONE | (x->l7_flags & L7_TLS ? 0 : L7_SERVER_DONE);
	}
}

static void tls_server(struct flow_ext *x, const uint8_t *data, size_t len, bool server_over, struct l7_stats *st)
{
	struct l7_tls_state *t = tls_state(x);
	int rc;

	if (!t)
		return;
	rc = tlsrec_server_nth(data, len, t->sh_seen, &t->sh);
	if (rc == 0) {
		st->tls_server_hellos++;
		t->sh_seen++;
		t->has_sh = 1;
		if (t->sh.hello_retry && t->sh_seen == 1) {
			/* RFC 8446 4.1.4: the client sends a second ClientHello; read that one too */
			x->l7_flags |= L7_HRR;
			x->l7_flags &= (uint8_t)~L7_CLIENT_DONE;
			t->has_sh = 0;
			return;
		}
		x->l7_flags |= L7_SERVER_DONE;
	} else if ((rc == -ENODATA && server_over) || (rc && rc != -ENODATA)) {
		if (rc != -ENODATA)
			st->tls_errors++;
		x->l7_flags |= L7_SERVER_DONE;
	}
}

void l7_finish(struct flow_ext *x)
{
	if (x->tls && x->tls->has_ch && !x->tls_json) {
		char *j = render_tls(x->tls, x->l7_flags & L7_HRR);

		if (j) {
			free(x->tls_json);
			x->tls_json = j;
		}
	}
	free(x->tls); /* 3 KiB of hellos: only the rendered object stays with the flow */
	x->tls = NULL;
}

void l7_tcp_update(struct flow_ext *x, const struct reasm *r, struct l7_stats *st)
{
	const uint8_t *c = NULL, *s = NULL;
	size_t cl = 0, sl = 0;
	uint8_t before = x->l7_flags;

	reasm_prefix(r, 0, &c, &cl);
	reasm_prefix(r, 1, &s, &sl);
	if (!(x->l7_flags & L7_CLIENT_DONE) && cl)
		tls_client(x, c, cl, dir_done(r, 0), st);
	else if (!(x->l7_flags & L7_CLIENT_DONE) && dir_done(r, 0))
		x->l7_flags |= L7_CLIENT_DONE | L7_SERVER_DONE;
	if ((x->l7_flags & L7_TLS) && !(x->l7_flags & L7_SERVER_DONE) && (sl || dir_done(r, 1)))
		tls_server(x, s, sl, dir_done(r, 1), st);
	if (x->l7_flags & L7_HRR && !(x->l7_flags & L7_CLIENT_DONE) && cl)
		tls_client(x, c, cl, dir_done(r, 0), st); /* the second ClientHello may be here already */
	if ((x->l7_flags & (L7_CLIENT_DONE | L7_SERVER_DONE)) == (L7_CLIENT_DONE | L7_SERVER_DONE) &&
	    (before & (L7_CLIENT_DONE | L7_SERVER_DONE)) != (L7_CLIENT_DONE | L7_SERVER_DONE))
		l7_finish(x);
}

static char *render_quic(const struct tls_client_hello *ch, uint32_t version)
{
	char *buf = NULL;
	size_t len = 0;
	struct jw w;

	if (jw_render_begin(&w, &buf, &len))
		return NULL;
	jw_obj_begin(&w, NULL);
	jw_u64(&w, "version", version);
	put_hello(&w, ch, true);
	jw_obj_end(&w);
	return jw_render_end(&w, &buf, &len);
}

void l7_quic_datagram(struct flow_ext *x, const uint8_t *payload, size_t len, struct l7_stats *st)
{
	struct tls_client_hello *ch;
	uint32_t version;
	int rc;

	if (x->l7_flags & L7_CLIENT_DONE)
		return;
	if (!x->quic) {
		x->quic = malloc(sizeof(*x->quic));
		if (!x->quic)
			return;
		quic_asm_init(x->quic);
	}
	rc = quic_asm_feed(x->quic, payload, len);
	if (rc < 0 && rc != -EPROTONOSUPPORT)
		st->quic_errors++;
	if (rc != 1)
		return;
	ch = malloc(sizeof(*ch));
	if (ch && !quic_asm_client_hello(x->quic, ch, &version)) {
		st->quic_client_hellos++;
		free(x->quic_json);
		x->quic_json = render_quic(ch, version);
		if (ch->has_sni)
			flow_ext_set_hostname(x, ch->sni, HOST_QUIC);
	} else {
		st->quic_errors++;
	}
	free(ch);
	free(x->quic);
	x->quic = NULL;
	x->l7_flags |= L7_CLIENT_DONE | L7_SERVER_DONE;
}

struct dns_ctx {
	struct dnscache *dc;
	const uint8_t *client;
	uint64_t now;
	struct l7_stats *st;
};

static void on_answer(void *arg, const struct dns_answer *a)
{
	struct dns_ctx *d = arg;
	uint8_t addr[16];

	dnscache_addr(a->family, a->addr, addr);
	d->st->dns_answers++;
	dnscache_put(d->dc, d->client, addr, a->name, a->ttl, d->now);
}

void l7_dns_response(struct dnscache *dc, const uint8_t *payload, size_t len, const uint8_t client[16],
		     uint64_t now_ns, struct l7_stats *st)
{
	struct dns_ctx d = { dc, client, now_ns, st };

	if (!dc)
		return;
	if (dns_parse_response(payload, len, on_answer, &d) < 0)
		st->dns_errors++;
	else
		st->dns_responses++;
}

void l7_dns_name(struct flow_ext *x, struct dnscache *dc, const uint8_t client[16], const uint8_t server[16],
		 uint64_t now_ns)
{
	char name[DNSCACHE_NAME_MAX];

	if (dc && x->hostname_src < HOST_DNS && !dnscache_get(dc, client, server, now_ns, name, sizeof(name)))
		flow_ext_set_hostname(x, name, HOST_DNS);
}

char *l7_tls_json(const struct flow_ext *x)
{
	if (x->tls_json)
		return strdup(x->tls_json);
	if (x->tls && x->tls->has_ch)
		return render_tls(x->tls, x->l7_flags & L7_HRR);
	return NULL;
}

void l7_json(struct jw *w, const struct flow_ext *x)
{
	char *tls = NULL;

	if (!x) {
		jw_null(w, "hostname");
		jw_null(w, "hostname_source");
		jw_null(w, "http");
		jw_null(w, "tls");
		jw_null(w, "quic");
		return;
	}
	if (!x->tls_json && x->tls && x->tls->has_ch)
		tls = render_tls(x->tls, x->l7_flags & L7_HRR); /* still reading: what we have so far */
	jw_str(w, "hostname", x->hostname);
	jw_str(w, "hostname_source", flow_ext_hostname_source(x));
	jw_raw(w, "http", x->http_json);
	jw_raw(w, "tls", x->tls_json ? x->tls_json : tls);
	jw_raw(w, "quic", x->quic_json);
	free(tls);
}
