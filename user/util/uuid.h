/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/uuid.h - UUIDv7 (RFC 9562 5.7): time-ordered, so database indexes stay append-mostly. */
#ifndef FT_UUID_H
#define FT_UUID_H

#include <stdint.h>

/* A UUIDv7 for a flow first seen at 'ns' (wall clock); 74 random bits. */
void uuid_v7(uint8_t out[16], uint64_t ns);
/* 36 characters + NUL, lowercase. */
void uuid_format(const uint8_t u[16], char out[37]);
int uuid_is_nil(const uint8_t u[16]);

#endif /* FT_UUID_H */
