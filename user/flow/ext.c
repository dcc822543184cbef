// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/ext.c - a flow's learned attributes: lifetime and hostname precedence. */
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
