/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_tls.c - libFuzzer target: TLS record walk, hello parsers, JA3/JA3S/JA4/JA4S. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l7/tls.h"
#include "l7/tlsrec.h"

/*
 * The input is one stream prefix, read as a client stream (1st and 2nd
 * ClientHello), as a server stream (1st and 2nd ServerHello), and as bare
 * hello bodies. Beyond sanitizer findings, abort() on a broken contract:
 * an undocumented return, a fingerprint of the wrong shape, or a prefix whose
 * answer disagrees with the whole input's (it must be -ENODATA or the same).
 */

static void fingerprints_client(const struct tls_client_hello *ch)
{
	char full[TLS_JA3_FULL_MAX], md5[33], ja4[40], raw[4096];
	int r;

	r = tls_ja3(ch, full, sizeof(full), md5);
	if (r == -E2BIG && ch->truncated)
		return;
	if (r || strlen(md5) != 32 || strlen(full) < 5 || !strchr(full, ','))
		abort();
	if (tls_ja4(ch, false, ja4) || strlen(ja4) != 36 || ja4[0] != 't' || ja4[10] != '_' || ja4[23] != '_')
		abort();
	if (tls_ja4(ch, true, ja4) || ja4[0] != 'q')
		abort();
	if (tls_ja4_raw(ch, false, raw, sizeof(raw)) || raw[0] != 't' || memcmp(raw + 1, ja4 + 1, 9))
		abort();
}

static void fingerprints_server(const struct tls_server_hello *sh)
{
	char full[TLS_JA3_FULL_MAX], md5[33], ja4s[40];

	if (sh->truncated) {
		if (tls_ja3s(sh, full, sizeof(full), md5) != -E2BIG)
			abort();
		return;
	}
	if (tls_ja3s(sh, full, sizeof(full), md5) || strlen(md5) != 32)
		abort();
	if (tls_ja4s(sh, false, ja4s) || strlen(ja4s) != 25 || ja4s[7] != '_' || ja4s[12] != '_')
		abort();
}

static bool known(int r, bool nth)
{
	return r == 0 || r == -ENODATA || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EMSGSIZE ||
	       (nth && r == -ENOENT);
}

static int walk(const uint8_t *d, size_t n, bool server, unsigned int nth)
{
	static struct tls_client_hello ch;
	static struct tls_server_hello sh;
	int r = server ? tlsrec_server_nth(d, n, nth, &sh) : tlsrec_client_nth(d, n, nth, &ch);

	if (!known(r, nth))
		abort();
	if (!r && server)
		fingerprints_server(&sh);
	else if (!r)
		fingerprints_client(&ch);
	return r;
}

/* The same walk over an exact-size copy of a prefix: -ENODATA, or what the whole input gave. */
static void prefix_agrees(const uint8_t *d, size_t n, size_t k, bool server, unsigned int nth, int whole)
{
	uint8_t *copy = malloc(k ? k : 1);
	int r;

	memcpy(copy, d, k);
	r = walk(k ? copy : NULL, k, server, nth);
	free(copy);
	if (r != -ENODATA && r != whole)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_client_hello ch;
	static struct tls_server_hello sh;
	size_t k = size ? data[size - 1] * size / 256 : 0;	/* a prefix length the fuzzer steers */

	for (unsigned int nth = 0; nth < 2; nth++) {
		for (int server = 0; server < 2; server++) {
			int whole = walk(size ? data : NULL, size, server, nth);

			prefix_agrees(data, size, k, server, nth, whole);
		}
	}
	if (tls_parse_client_hello(data, size, &ch) == 0)
		fingerprints_client(&ch);
	if (tls_parse_server_hello(data, size, &sh) == 0)
		fingerprints_server(&sh);
	return 0;
}
