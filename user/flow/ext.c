// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/ext.c - a flow's learned attributes: lifetime and hostname precedence. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow/ext.h"
#include "flow/table.h"
#include "reasm/reasm.h"

void flow_ext_free(struct flow_ext *x)
{
	if (!x)
		return;
	reasm_free(x->reasm);
	free(x->quic);
	free(x->tls);
	free(x->tls_json);
	free(x->quic_json);
	free(x->http_json);
	free(x->hostname);
	free(x);
}

/* sni > quic_sni > http_host > dns (DESIGN.md): a weaker source never replaces a stronger one. */
void flow_ext_set_hostname(struct flow_ext *x, const char *name, enum hostname_src src)
{
	char *dup;

	if (!name || !*name || src < x->hostname_src)
		return;
	dup = strdup(name);
	if (!dup)
		return;
	free(x->hostname);
	x->hostname = dup;
	x->hostname_src = (uint8_t)src;
}

const char *flow_ext_hostname_source(const struct flow_ext *x)
{
	static const char *const names[] = { NULL, "dns", "http_host", "quic_sni", "tls_sni" };

	return x->hostname_src < sizeof(names) / sizeof(names[0]) ? names[x->hostname_src] : NULL;
}

static int free_one(void *arg, struct flow_rec *r)
{
	flow_ext_free(r->ext);
	r->ext = NULL;
	return 0;
}

void flow_ext_free_all(struct flow_table *ft)
{
	if (ft)
		flow_table_foreach(ft, free_one, NULL);
}

static void put_hex(FILE *out, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "%02x", b[i]);
}

static int get_hex(const char *s, void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	if (strlen(s) != 2 * n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		b[i] = (uint8_t)v;
	}
	return 0;
}

void flow_ext_write_line(FILE *out, const struct flow_key *k, const struct flow_ext *x)
{
	put_hex(out, k, sizeof(*k));
	fprintf(out, "\t%u\t", x->hostname_src);
	if (x->hostname)
		put_hex(out, x->hostname, strlen(x->hostname));
	else
		fputc('-', out);
	fprintf(out, "\t%s\t%s\t%s\t%u\t", x->http_json ?: "-", x->tls_json ?: "-", x->quic_json ?: "-",
		x->has_mac);
	put_hex(out, x->mac, sizeof(x->mac));
	fputc('\n', out);
}

static char *field(char *s)
{
	return strcmp(s, "-") ? strdup(s) : NULL;
}

int flow_ext_read_line(char *line, struct flow_key *k, struct flow_ext **out)
{
	char *f[8], *save = NULL, *t;
	struct flow_ext *x;
	int n = 0;

	for (t = strtok_r(line, "\t", &save); t && n < 8; t = strtok_r(NULL, "\t", &save))
		f[n++] = t;
	if (n != 8 || t || get_hex(f[0], k, sizeof(*k)))
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->hostname_src = (uint8_t)atoi(f[1]);
	if (strcmp(f[2], "-") && strlen(f[2]) % 2 == 0) {
		x->hostname = calloc(1, strlen(f[2]) / 2 + 1);
		if (x->hostname && get_hex(f[2], x->hostname, strlen(f[2]) / 2)) {
			free(x->hostname);
			x->hostname = NULL;
		}
	}
	x->http_json = field(f[3]);
	x->tls_json = field(f[4]);
	x->quic_json = field(f[5]);
	x->has_mac = (uint8_t)atoi(f[6]);
	if (get_hex(f[7], x->mac, sizeof(x->mac)))
		x->has_mac = 0;
	*out = x;
	return 0;
}
