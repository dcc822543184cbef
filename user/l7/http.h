/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/http.h - HTTP/1.x request line and Host from a client stream prefix (RFC 9112 2-3, 5; RFC 9110 7.2). */
#ifndef FT_HTTP_H
#define FT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_METHOD_MAX 32  /* a token this long or longer is not taken for a method */
#define HTTP_TARGET_MAX 512 /* request-target bytes kept (+ NUL); the rest cut, target_truncated set */
#define HTTP_HOST_MAX 256   /* host bytes (+ NUL); a longer host is not kept (host_invalid) */

enum http_form { HTTP_FORM_ORIGIN, HTTP_FORM_ABSOLUTE, HTTP_FORM_AUTHORITY, HTTP_FORM_ASTERISK, HTTP_FORM_OTHER };
enum http_host_src { HTTP_HOST_NONE, HTTP_HOST_HEADER, HTTP_HOST_TARGET };

struct http_request {
	char method[HTTP_METHOD_MAX];	/* as sent: methods are case-sensitive (RFC 9110 9.1) */
	char target[HTTP_TARGET_MAX];	/* request-target as sent */
	bool target_truncated;
	uint8_t form;			/* enum http_form (RFC 9112 3.2) */
	uint8_t version_major, version_minor;
	uint8_t host_source;		/* enum http_host_src: Host header, else the target's authority */
	char host[HTTP_HOST_MAX];	/* lower-cased, port cut off, IPv6 without brackets; "" when none */
	uint16_t port;			/* valid when has_port */
	bool has_port;
	bool host_ipv6;			/* host was an IP-literal [..] */
	bool host_invalid;		/* a malformed or conflicting Host: host left "" (RFC 9112 3.2) */
	int64_t content_length;		/* -1 when absent: no body (RFC 9112 6.3) */
	bool body_unknown;		/* Transfer-Encoding or a bad Content-Length: the body's end is unknown */
};

/*
 * Parse the request at the start of 'data' (leading empty lines skipped, RFC
 * 9112 2.2). Returns the length of its request line and header section, blank
 * line included (> 0); the next pipelined request starts after the body, that
 * is at ret + max(content_length, 0) unless body_unknown. -ENODATA: the header
 * section is not complete yet; -EPROTONOSUPPORT: not an HTTP/1.x request line
 * (decided from the first bytes that cannot start one, nothing guessed);
 * -EBADMSG: an HTTP/1.x request with a malformed header section. Line ends
 * are CRLF or a bare LF. Allocation-free; *req is zeroed first.
 */
int http_parse_request(const uint8_t *data, size_t len, struct http_request *req);

#endif /* FT_HTTP_H */
