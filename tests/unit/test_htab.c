// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_htab.c - the hash table against a plain array model, through growth and deletes. */
#include "test.h"
#include "util/htab.h"

TEST_MAIN_DEFINE;

/* Random inserts and deletes of 4000 keys, checked against a bitmap after every step. */
static bool test_against_model(void)
{
	static uint8_t present[4000];
	static uint32_t vals[4000];
	struct htab *h;
	bool ok = EXPECT_EQ(htab_new(&h, sizeof(uint32_t), sizeof(uint32_t), 1 << 20), 0, "htab_new");
	uint32_t seed = 1, i, k;
	size_t n = 0;

	for (i = 0; ok && i < 200000; i++) {
		bool created;
		uint32_t *v;

		seed = seed * 1103515245 + 12345;
		k = (seed >> 8) % 4000;
		if ((seed >> 4) & 1) {
			v = htab_upsert(h, &k, htab_hash(&k, 4), &created);
			ok &= EXPECT_TRUE(v != NULL, "upsert");
			ok &= EXPECT_EQ(created, !present[k], "created iff absent");
			if (v && created) {
				*v = i;
				vals[k] = i;
				present[k] = 1;
				n++;
			}
		} else {
			int rc = htab_delete(h, &k, htab_hash(&k, 4));

			ok &= EXPECT_EQ(rc, present[k] ? 0 : -ENOENT, "delete");
			if (present[k])
				n--;
			present[k] = 0;
		}
		if (i % 997 == 0) {
			for (k = 0; k < 4000; k++) {
				v = htab_lookup(h, &k, htab_hash(&k, 4));
				ok &= EXPECT_EQ(v != NULL, present[k], "lookup agrees with the model");
				if (v && present[k])
					ok &= EXPECT_EQ(*v, vals[k], "value");
			}
			ok &= EXPECT_EQ(htab_count(h), n, "count");
		}
	}
	htab_free(h);
	return ok;
}

static bool odd(void *arg, const void *key, void *val)
{
	return *(const uint32_t *)key & 1;
}

/* delete_if visits every entry once, even as backward shifts move entries under it. */
static bool test_delete_if(void)
{
	struct htab *h;
	bool ok = EXPECT_EQ(htab_new(&h, 4, 4, 100000), 0, "htab_new"), created;
	uint32_t k;

	for (k = 0; k < 50000; k++)
		htab_upsert(h, &k, htab_hash(&k, 4), &created);
	ok &= EXPECT_EQ(htab_delete_if(h, odd, NULL), 25000, "deleted");
	ok &= EXPECT_EQ(htab_count(h), 25000, "left");
	for (k = 0; k < 50000; k++)
		ok &= EXPECT_EQ(htab_lookup(h, &k, htab_hash(&k, 4)) != NULL, !(k & 1), "survivor");
	htab_free(h);
	return ok;
}

/* A full table refuses new keys and keeps old ones. */
static bool test_max_entries(void)
{
	struct htab *h;
	bool ok = EXPECT_EQ(htab_new(&h, 4, 4, 10), 0, "htab_new"), created;
	uint32_t k;

	for (k = 0; k < 10; k++)
		ok &= EXPECT_TRUE(htab_upsert(h, &k, htab_hash(&k, 4), &created) != NULL, "fits");
	ok &= EXPECT_TRUE(htab_upsert(h, &k, htab_hash(&k, 4), &created) == NULL, "11th refused");
	k = 3;
	ok &= EXPECT_TRUE(htab_upsert(h, &k, htab_hash(&k, 4), &created) != NULL && !created, "old key found");
	htab_free(h);
	return ok;
}

int main(void)
{
	RUN(test_against_model);
	RUN(test_delete_if);
	RUN(test_max_entries);
	return test_failures != 0;
}
