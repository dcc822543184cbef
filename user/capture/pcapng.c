// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* capture/pcapng.c - pcapng blocks written in host byte order (the byte-order magic says which). */
#include <errno.h>
#include <string.h>

#include "capture/pcapng.h"

static int put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

static int put32(FILE *f, uint32_t v)
{
	return put(f, &v, 4);
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

/* An option: code, length, value padded to 4 bytes. */
static int opt(FILE *f, uint16_t code, const void *v, uint16_t len)
{
	static const uint8_t zeros[4];
	int err = put(f, &code, 2);

	err = err ?: put(f, &len, 2);
	err = err ?: put(f, v, len);
	return err ?: put(f, zeros, pad4(len) - len);
}

int pcapng_begin(FILE *f, const char *ifname, uint32_t snaplen)
{
	static const char app[] = "flowtower dump";
	uint16_t ver[2] = { 1, 0 };
	uint16_t lt[2] = { 1, 0 }; /* LINKTYPE_ETHERNET, reserved */
	int64_t seclen = -1;
	uint8_t tsresol = 9;
	uint32_t nlen = (uint32_t)strlen(ifname), shb, idb;
	int err;

	shb = 4 + 4 + 4 + 4 + 8 + (4 + pad4(sizeof(app) - 1)) + 4 + 4;
	err = put32(f, 0x0A0D0D0A);
	err = err ?: put32(f, shb);
	err = err ?: put32(f, 0x1A2B3C4D);
	err = err ?: put(f, ver, 4);
	err = err ?: put(f, &seclen, 8);
	err = err ?: opt(f, 4, app, sizeof(app) - 1); /* shb_userappl */
	err = err ?: put32(f, 0);		       /* opt_endofopt */
	err = err ?: put32(f, shb);

	idb = 4 + 4 + 4 + 4 + (4 + pad4(nlen)) + (4 + 4) + 4 + 4;
	err = err ?: put32(f, 1);
	err = err ?: put32(f, idb);
	err = err ?: put(f, lt, 4);
	err = err ?: put32(f, snaplen);
	err = err ?: opt(f, 2, ifname, (uint16_t)nlen); /* if_name */
	err = err ?: opt(f, 9, &tsresol, 1);	      /* if_tsresol: 10^-9 */
	err = err ?: put32(f, 0);
	err = err ?: put32(f, idb);
	return err;
}

int pcapng_packet(FILE *f, uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len)
{
	static const uint8_t zeros[4];
	uint32_t total = 28 + pad4(caplen) + 4;
	int err;

	err = put32(f, 6);
	err = err ?: put32(f, total);
	err = err ?: put32(f, 0); /* interface 0 */
	err = err ?: put32(f, (uint32_t)(ts_ns >> 32));
	err = err ?: put32(f, (uint32_t)ts_ns);
	err = err ?: put32(f, caplen);
	err = err ?: put32(f, len);
	err = err ?: put(f, data, caplen);
	err = err ?: put(f, zeros, pad4(caplen) - caplen);
	return err ?: put32(f, total);
}
