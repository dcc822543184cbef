// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_spool.c - the store's disk spool without a database: order, corruption, size limit. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/batch.h"
#include "store/spool.h"
#include "test.h"

TEST_MAIN_DEFINE;

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void fresh_dir(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(dir, sizeof(dir), "/tmp/ft-spool.XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

/* A batch of n flow lines, and one throughput line, tagged with seq. */
static struct store_batch *mk(uint64_t seq, int n)
{
	struct store_batch *b;
	char line[128];
	int i, len;

	if (store_batch_new(&b, seq, seq & 1 ? STORE_DELTA : STORE_ABSOLUTE))
		abort();
	for (i = 0; i < n; i++) {
		len = snprintf(line, sizeof(line), "{\"type\":\"flow\",\"seq\":%llu,\"i\":%d}\n", (unsigned long long)seq, i);
		if (store_batch_add_line(b, line, (size_t)len))
			abort();
	}
	len = snprintf(line, sizeof(line), "{\"type\":\"throughput\",\"seq\":%llu}", (unsigned long long)seq);
	store_batch_add_line(b, line, (size_t)len);
	return b;
}

static uint64_t record_size(int n)
{
	struct store_batch *b = mk(1, n);
	uint64_t sz = 64 + b->len;

	store_batch_free(b);
	return sz;
}

static bool put_free(struct spool *sp, struct store_batch *b, int want)
{
	bool ok = EXPECT_EQ(spool_put(sp, b), want, "spool_put");

	store_batch_free(b);
	return ok;
}

/* Take the head, check it is seq with the right body, mark it done. */
static bool take_expect(struct spool *sp, uint64_t seq, int n)
{
	struct store_batch *b = NULL, *want = mk(seq, n);
	bool ok = EXPECT_EQ(spool_take(sp, &b), 0, "spool_take");

	if (b) {
		ok &= EXPECT_EQ(b->seq, seq, "seq in order");
		ok &= EXPECT_EQ(b->mode, want->mode, "mode kept");
		ok &= EXPECT_EQ(b->len, want->len, "body length");
		ok &= b->len == want->len && EXPECT_MEM(b->buf, want->buf, b->len, "body");
		ok &= EXPECT_EQ(b->kind[BATCH_FLOW], n, "flow lines counted");
		ok &= EXPECT_EQ(b->kind[BATCH_TPUT], 1, "throughput lines counted");
		ok &= EXPECT_EQ(spool_done(sp, seq), 0, "spool_done");
	}
	store_batch_free(b);
	store_batch_free(want);
	return ok;
}

/* The batch builder keeps one object per line. */
static bool test_batch_lines(void)
{
	struct store_batch *b;
	bool ok = EXPECT_EQ(store_batch_new(&b, 7, STORE_DELTA), 0, "new");

	ok &= EXPECT_EQ(store_batch_add_line(b, "{\"type\":\"neighbor\"}\n", 20), 0, "trailing newline ok");
	ok &= EXPECT_EQ(store_batch_add_line(b, "{\"a\":1}\n{\"b\":2}", 15), -EINVAL, "newline inside refused");
	ok &= EXPECT_EQ(store_batch_add_line(b, "\n", 1), -EINVAL, "empty refused");
	ok &= EXPECT_EQ(store_batch_add_line(b, "{\"type\":\"stats\"}", 16), 0, "stats line");
	ok &= EXPECT_EQ(b->lines, 2, "lines");
	ok &= EXPECT_EQ(b->kind[BATCH_NEIGH], 1, "neighbor kind");
	ok &= EXPECT_EQ(b->kind[BATCH_OTHER], 1, "other kind");
	ok &= EXPECT_EQ(b->len, 37, "bytes");
	ok &= EXPECT_EQ(store_batch_add_lines(b, "{\"type\":\"flow\"}\n\n{\"type\":\"flow\"}", 32), 0, "lines");
	ok &= EXPECT_EQ(b->kind[BATCH_FLOW], 2, "two more, the empty line skipped");
	store_batch_free(b);
	store_batch_free(NULL);
	return ok;
}

/* Records come back lowest seq first whatever the write order, also after a reopen. */
static bool test_replay_order(void)
{
	struct spool *sp;
	struct spool_info si;
	char tmp[128];
	bool ok;
	int fd;

	fresh_dir();
	ok = EXPECT_EQ(spool_open(&sp, dir, 1 << 20), 0, "open");
	ok &= put_free(sp, mk(500, 3), 0);
	ok &= put_free(sp, mk(30, 1), 0);
	ok &= put_free(sp, mk(9000, 2), 0);
	spool_close(sp);
	fd = openat(AT_FDCWD, dir, O_RDONLY); /* a write cut short by a crash */
	close(openat(fd, ".tmp-00000000000000000001.batch", O_CREAT | O_WRONLY, 0600));
	close(fd);
	ok &= EXPECT_EQ(spool_open(&sp, dir, 1 << 20), 0, "reopen");
	spool_get_info(sp, &si);
	ok &= EXPECT_EQ(si.batches, 3, "records survive a restart, the tmp file is not one");
	ok &= EXPECT_EQ(si.max_seq, 9000, "max seq");
	ok &= EXPECT_EQ(spool_head_seq(sp), 30, "head");
	ok &= take_expect(sp, 30, 1);
	ok &= take_expect(sp, 500, 3);
	ok &= take_expect(sp, 9000, 2);
	ok &= EXPECT_EQ(spool_head_seq(sp), UINT64_MAX, "empty");
	spool_get_info(sp, &si);
	ok &= EXPECT_EQ(si.bytes, 0, "no bytes left");
	snprintf(tmp, sizeof(tmp), "%s/.tmp-00000000000000000001.batch", dir);
	ok &= EXPECT_EQ(access(tmp, F_OK), -1, "tmp removed");
	spool_close(sp);
	return ok;
}

/* Overwrite one byte at off (from the end when negative), or truncate to len. */
static void damage(uint64_t seq, long off, long truncate_to)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%020llu.batch", dir, (unsigned long long)seq);
	fd = open(path, O_RDWR);
	if (truncate_to >= 0) {
		if (ftruncate(fd, truncate_to))
			abort();
	} else {
		char c;

		lseek(fd, off, off < 0 ? SEEK_END : SEEK_SET);
		if (read(fd, &c, 1) != 1)
			abort();
		c ^= 0x20;
		lseek(fd, -1, SEEK_CUR);
		if (write(fd, &c, 1) != 1)
			abort();
	}
	close(fd);
}

/* A corrupt record (body, header, truncation) is reported and moved aside, never applied or lost. */
static bool test_corrupt(void)
{
	struct spool *sp;
	struct spool_info si;
	char path[128];
	bool ok;

	fresh_dir();
	ok = EXPECT_EQ(spool_open(&sp, dir, 1 << 20), 0, "open");
	for (int s = 1; s <= 4; s++)
		ok &= put_free(sp, mk((uint64_t)s, 2), 0);
	damage(1, -5, -1);  /* a body byte */
	damage(2, 9, -1);   /* the seq in the header */
	damage(3, 0, 70);   /* truncated body */
	ok &= take_expect(sp, 4, 2);
	spool_get_info(sp, &si);
	ok &= EXPECT_EQ(si.corrupt, 3, "corrupt counted");
	ok &= EXPECT_EQ(si.batches, 0, "none left");
	for (int s = 1; s <= 3; s++) {
		snprintf(path, sizeof(path), "%s/corrupt/%020d.batch", dir, s);
		ok &= EXPECT_EQ(access(path, F_OK), 0, "kept in corrupt/");
	}
	spool_close(sp);
	return ok;
}

static long file_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Full: the oldest record not being applied goes, counted and logged to dropped.log. */
static bool test_size_limit(void)
{
	uint64_t rec = record_size(10);
	struct store_batch *busy = NULL, *big;
	struct spool_info si;
	struct spool *sp;
	char path[128];
	bool ok;

	fresh_dir();
	ok = EXPECT_EQ(spool_open(&sp, dir, rec * 3), 0, "open, room for 3");
	for (int s = 1; s <= 3; s++)
		ok &= put_free(sp, mk((uint64_t)s, 10), 0);
	ok &= EXPECT_EQ(spool_take(sp, &busy), 0, "seq 1 being applied");
	ok &= put_free(sp, mk(4, 10), 0); /* drops 2, not the busy 1 */
	ok &= put_free(sp, mk(5, 10), 0); /* drops 3 */
	spool_get_info(sp, &si);
	ok &= EXPECT_EQ(si.dropped_batches, 2, "dropped batches");
	ok &= EXPECT_EQ(si.dropped_lines, 22, "dropped lines");
	ok &= EXPECT_EQ(si.batches, 3, "3 kept");
	ok &= EXPECT_TRUE(si.bytes <= rec * 3, "under the limit");
	snprintf(path, sizeof(path), "%s/dropped.log", dir);
	ok &= EXPECT_EQ(file_lines(path), 2, "each drop reported in dropped.log");
	big = mk(6, 40);
	ok &= put_free(sp, big, -EFBIG); /* alone over the limit: refused, the others stay */
	spool_get_info(sp, &si);
	ok &= EXPECT_EQ(si.batches, 3, "big one refused, nothing dropped for it");
	ok &= EXPECT_EQ(spool_done(sp, 1), 0, "busy one applied");
	store_batch_free(busy);
	ok &= take_expect(sp, 4, 10);
	ok &= take_expect(sp, 5, 10);
	spool_close(sp);
	return ok;
}

/* A batch the database refuses goes to rejected/ with the reason next to it. */
static bool test_reject(void)
{
	struct store_batch *b = NULL;
	struct spool_info si;
	struct spool *sp;
	char path[128];
	bool ok;

	fresh_dir();
	ok = EXPECT_EQ(spool_open(&sp, dir, 1 << 20), 0, "open");
	ok &= put_free(sp, mk(42, 1), 0);
	ok &= EXPECT_EQ(spool_take(sp, &b), 0, "take");
	ok &= EXPECT_EQ(spool_reject(sp, 42, "22P02: invalid input syntax"), 0, "reject");
	spool_get_info(sp, &si);
	ok &= EXPECT_EQ(si.rejected, 1, "counted");
	ok &= EXPECT_EQ(si.batches, 0, "out of the queue");
	snprintf(path, sizeof(path), "%s/rejected/%020d.batch.err", dir, 42);
	ok &= EXPECT_EQ(file_lines(path), 0, "reason written");
	ok &= EXPECT_EQ(access(path, F_OK), 0, "reason file");
	store_batch_free(b);
	spool_close(sp);
	return ok;
}

/* The 80 % warning is given once, loudly, on stderr. */
static bool test_warning(void)
{
	uint64_t rec = record_size(1);
	char log[128], buf[4096] = "";
	struct spool *sp;
	int fd, saved;
	bool ok;
	FILE *f;

	fresh_dir();
	snprintf(log, sizeof(log), "%s.log", dir);
	ok = EXPECT_EQ(spool_open(&sp, dir, rec * 5), 0, "open");
	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	dup2(fd, 2);
	for (int s = 1; s <= 5; s++)
		ok &= put_free(sp, mk((uint64_t)s, 1), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(fd);
	close(saved);
	f = fopen(log, "r");
	if (f) {
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	unlink(log);
	ok &= EXPECT_TRUE(strstr(buf, "WARNING: spool") && strstr(buf, "80% full"), "80 % warning");
	ok &= EXPECT_TRUE(!strstr(buf, "WARNING") || !strstr(strstr(buf, "WARNING") + 1, "WARNING"), "given once");
	spool_close(sp);
	return ok;
}

int main(void)
{
	RUN(test_batch_lines);
	RUN(test_replay_order);
	RUN(test_corrupt);
	RUN(test_size_limit);
	RUN(test_reject);
	RUN(test_warning);
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return test_failures != 0;
}
