/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/tls_truth.c - dev driver for tools/check_tls_truth.sh: one stream prefix in hex -> one JSON line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l7/tls.h"
#include "l7/tlsrec.h"

/*
 * usage: tls_truth client|server NTH < hex
 * Prints the nth hello of the prefix as JSON with the field names of
 * /work/shared/pcaps/truth.json, plus rc (0 or -errno).
 */

static void put_str(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_hex_list(const char *name, const uint16_t *v, size_t n)
{
	printf(",\"%s\":[", name);
	for (size_t i = 0; i < n; i++)
		printf("%s\"0x%04x\"", i ? "," : "", v[i]);
	putchar(']');
}

/* tshark lists every sig_hash_alg in wire order: signature_algorithms, _cert, delegated_credentials. */
static void put_sig_hash_algs(const struct tls_client_hello *ch)
{
	const char *sep = "";

	printf(",\"sig_hash_algs\":[");
	for (size_t i = 0; i < ch->n_exts; i++) {
		const uint16_t *v = NULL;
		size_t n = 0;

		if (ch->exts[i] == 0x000d)
			v = ch->sig_algs, n = ch->n_sig_algs;
		else if (ch->exts[i] == 0x0032)
			v = ch->sig_algs_cert, n = ch->n_sig_algs_cert;
		else if (ch->exts[i] == 0x0022)
			v = ch->dc_sig_algs, n = ch->n_dc_sig_algs;
		for (size_t j = 0; j < n; j++, sep = ",")
			printf("%s\"0x%04x\"", sep, v[j]);
	}
	putchar(']');
}

static void put_fingerprints(const struct tls_client_hello *ch)
{
	char full[TLS_JA3_FULL_MAX], md5[33], ja4[40], raw[4096];

	if (tls_ja3(ch, full, sizeof(full), md5) == 0) {
		printf(",\"ja3\":\"%s\",\"ja3_full\":", md5);
		put_str(full, strlen(full));
	}
	if (tls_ja4(ch, false, ja4) == 0)
		printf(",\"ja4\":\"%s\"", ja4);
	if (tls_ja4_raw(ch, false, raw, sizeof(raw)) == 0)
		printf(",\"ja4_r\":\"%s\"", raw);
}

static void put_client(const struct tls_client_hello *ch)
{
	printf(",\"sni\":");
	if (ch->has_sni)
		put_str(ch->sni, strlen(ch->sni));
	else
		printf("null");
	printf(",\"alpn\":[");
	for (size_t i = 0; i < ch->n_alpn; i++) {
		if (i)
			putchar(',');
		put_str(ch->alpn_buf + ch->alpn_off[i], ch->alpn_len[i]);
	}
	printf("],\"record_version\":\"0x%04x\",\"legacy_version\":\"0x%04x\"", ch->record_version,
	       ch->legacy_version);
	put_hex_list("supported_versions", ch->versions, ch->n_versions);
	put_hex_list("cipher_suites", ch->suites, ch->n_suites);
	printf(",\"extensions\":[");
	for (size_t i = 0; i < ch->n_exts; i++)
		printf("%s%u", i ? "," : "", ch->exts[i]);
	putchar(']');
	put_hex_list("supported_groups", ch->groups, ch->n_groups);
	printf(",\"ec_point_formats\":[");
	for (size_t i = 0; i < ch->n_point_formats; i++)
		printf("%s\"%u\"", i ? "," : "", ch->point_formats[i]);
	putchar(']');
	put_sig_hash_algs(ch);
	put_hex_list("sig_algs", ch->sig_algs, ch->n_sig_algs);
	printf(",\"ech_extension\":%s,\"truncated\":%s", ch->ech ? "true" : "false",
	       ch->truncated ? "true" : "false");
	put_fingerprints(ch);
}

static void put_server(const struct tls_server_hello *sh)
{
	char full[TLS_JA3_FULL_MAX], md5[33], ja4s[40];

	printf(",\"legacy_version\":\"0x%04x\",\"version\":\"0x%04x\",\"suite\":\"0x%04x\",\"hello_retry\":%s",
	       sh->legacy_version, sh->version, sh->suite, sh->hello_retry ? "true" : "false");
	printf(",\"alpn\":");
	put_str(sh->alpn, sh->alpn_len);
	if (tls_ja3s(sh, full, sizeof(full), md5) == 0) {
		printf(",\"ja3s\":\"%s\",\"ja3s_full\":", md5);
		put_str(full, strlen(full));
	}
	if (tls_ja4s(sh, false, ja4s) == 0)
		printf(",\"ja4s\":\"%s\"", ja4s);
}

static uint8_t *read_hex(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	int hi = -1, c;

	while (buf && (c = getchar()) != EOF) {
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			buf = realloc(buf, cap *= 2);
		if (buf)
			buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	static struct tls_client_hello ch;
	static struct tls_server_hello sh;
	unsigned int nth = argc > 2 ? (unsigned int)atoi(argv[2]) : 0;
	bool server = argc > 1 && !strcmp(argv[1], "server");
	size_t len;
	uint8_t *data = read_hex(&len);
	int rc;

	if (!data)
		return 1;
	rc = server ? tlsrec_server_nth(data, len, nth, &sh) : tlsrec_client_nth(data, len, nth, &ch);
	printf("{\"rc\":%d,\"rc_name\":\"%s\"", rc, rc ? strerror(-rc) : "ok");
	if (!rc && server)
		put_server(&sh);
	else if (!rc)
		put_client(&ch);
	printf("}\n");
	free(data);
	return 0;
}
