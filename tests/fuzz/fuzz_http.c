/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_http.c - libFuzzer target: HTTP/1.x request heads, pipelined, and their prefixes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l7/http.h"

/*
 * The input is a client stream prefix, walked request by request as a caller
 * would. Beyond sanitizer findings, abort() on a broken contract: an
 * undocumented return, a length past the input, strings not terminated or
 * over their bounds, a host said to be absent but present, or a prefix whose
 * answer disagrees with the whole input's (-ENODATA before the head is
 * complete, the same answer after).
 */

static void check_request(const struct http_request *r, int ret, size_t n)
{
	if ((size_t)ret > n || !r->method[0] || strnlen(r->method, HTTP_METHOD_MAX) >= HTTP_METHOD_MAX)
		abort();
	if (!r->target[0] || strnlen(r->target, HTTP_TARGET_MAX) >= HTTP_TARGET_MAX)
		abort();
	if (strnlen(r->host, HTTP_HOST_MAX) >= HTTP_HOST_MAX || r->version_major != 1 || r->version_minor > 9)
		abort();
	if ((r->host_source == HTTP_HOST_NONE) != !r->host[0] || (r->host_invalid && r->host[0]))
		abort();
	if ((r->has_port || r->host_ipv6) && !r->host[0])
		abort();
	if (r->content_length < -1 || r->form > HTTP_FORM_OTHER)
		abort();
}

static int parse(const uint8_t *d, size_t n)
{
	static struct http_request r;
	int ret = http_parse_request(d, n, &r);

	if (ret > 0)
		check_request(&r, ret, n);
	else if (ret != -ENODATA && ret != -EBADMSG && ret != -EPROTONOSUPPORT)
		abort();
	return ret;
}

/* An exact-size copy of the first k bytes, so ASan sees any read past them. */
static void prefix_agrees(const uint8_t *d, size_t k, int whole)
{
	uint8_t *copy = malloc(k ? k : 1);
	int r;

	memcpy(copy, d, k);
	r = parse(k ? copy : NULL, k);
	free(copy);
	if (whole > 0 ? (k < (size_t)whole ? r != -ENODATA : r != whole) : (r != -ENODATA && r != whole))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_request r;
	size_t off = 0, k = size ? data[size - 1] * size / 256 : 0;
	int whole = parse(size ? data : NULL, size);

	prefix_agrees(data, k, whole);
	for (int i = 0; i < 64 && off < size; i++) {	/* pipelined, as a caller walks them */
		int ret = http_parse_request(data + off, size - off, &r);

		if (ret <= 0 || r.body_unknown)
			break;
		check_request(&r, ret, size - off);
		if (r.content_length > 0 && (uint64_t)r.content_length >= size - off - (size_t)ret)
			break;
		off += (size_t)ret + (size_t)(r.content_length > 0 ? r.content_length : 0);
	}
	return 0;
}
