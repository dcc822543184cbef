// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/spool.c - the on-disk spool: one fsynced file per batch, checksummed, replayed in seq order. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "store/spool.h"
#include "util/clock.h"
#include "util/log.h"

/*
 * A record is a 64-byte little-endian header and the batch's lines:
 *   0 magic "FTSP"  4 version u16  6 mode u8  7 zero
 *   8 seq u64  16 body length u64  24 lines u32  28 flow/throughput/neighbor lines 3 x u32
 *  40 spooled at (wall-clock ns) u64  48 CRC-32 of the body  52 zero x 8  60 CRC-32 of bytes 0..59
 * Files are named by seq, zero-padded, so a directory listing sorts as the replay order.
 */
#define SPOOL_MAGIC 0x50535446u
#define SPOOL_VERSION 1
#define HDR_LEN 64
#define NAME_LEN 40

struct spool_ent {
	uint64_t seq, size;
};

struct spool {
	pthread_mutex_t lock; /* submit (queue full) and the writer both come here */
	char *dir;
	int dfd;
	uint64_t max_bytes, bytes, max_seq;
	struct spool_ent *e; /* ascending seq */
	size_t n, cap;
	uint64_t busy; /* seq being applied: never dropped for room */
	int has_busy;
	int warned;    /* the 80 % warning was given; re-armed below 70 % */
	uint64_t dropped_batches, dropped_lines, corrupt, rejected;
};

struct spool_hdr {
	uint64_t seq, len, at_ns;
	uint32_t lines, kind[3], crc;
	uint8_t mode;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t crc(const void *p, size_t n)
{
	uint32_t c = (uint32_t)crc32(0L, Z_NULL, 0);

	while (n) { /* zlib takes uInt lengths */
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;

		c = (uint32_t)crc32(c, p, chunk);
		p = (const uint8_t *)p + chunk;
		n -= chunk;
	}
	return c;
}

static void hdr_encode(const struct store_batch *b, uint8_t h[HDR_LEN])
{
	memset(h, 0, HDR_LEN);
	put32(h, SPOOL_MAGIC);
	h[4] = SPOOL_VERSION;
	h[6] = (uint8_t)b->mode;
	put64(h + 8, b->seq);
	put64(h + 16, b->len);
	put32(h + 24, b->lines);
	put32(h + 28, b->kind[BATCH_FLOW]);
	put32(h + 32, b->kind[BATCH_TPUT]);
	put32(h + 36, b->kind[BATCH_NEIGH]);
	put64(h + 40, clock_wall_ns());
	put32(h + 48, crc(b->buf, b->len));
	put32(h + 60, crc(h, 60));
}

static int hdr_decode(const uint8_t h[HDR_LEN], struct spool_hdr *out)
{
	if (get32(h) != SPOOL_MAGIC || get32(h + 60) != crc(h, 60))
		return -EBADMSG;
	if (h[4] != SPOOL_VERSION || h[5] || h[6] > STORE_DELTA)
		return -EBADMSG;
	out->mode = h[6];
	out->seq = get64(h + 8);
	out->len = get64(h + 16);
	out->lines = get32(h + 24);
	for (int i = 0; i < 3; i++)
		out->kind[i] = get32(h + 28 + 4 * i);
	out->at_ns = get64(h + 40);
	out->crc = get32(h + 48);
	return 0;
}

static void name_of(uint64_t seq, char name[NAME_LEN])
{
	snprintf(name, NAME_LEN, "%020" PRIu64 ".batch", seq);
}

static int parse_name(const char *name, uint64_t *seq)
{
	char *end;

	if (strlen(name) != 26 || strcmp(name + 20, ".batch"))
		return -EINVAL;
	errno = 0;
	*seq = strtoull(name, &end, 10);
	return errno || end != name + 20 ? -EINVAL : 0;
}

/* First index whose seq is >= seq. */
static size_t ent_find(const struct spool *sp, uint64_t seq)
{
	size_t lo = 0, hi = sp->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sp->e[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int ent_add(struct spool *sp, uint64_t seq, uint64_t size)
{
	size_t i = ent_find(sp, seq);

	if (i < sp->n && sp->e[i].seq == seq) { /* rewritten: the file was replaced */
		sp->bytes = sp->bytes - sp->e[i].size + size;
		sp->e[i].size = size;
		return 0;
	}
	if (sp->n == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 64;
		struct spool_ent *e = realloc(sp->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		sp->e = e;
		sp->cap = cap;
	}
	memmove(sp->e + i + 1, sp->e + i, (sp->n - i) * sizeof(*sp->e));
	sp->e[i] = (struct spool_ent){ seq, size };
	sp->n++;
	sp->bytes += size;
	if (seq > sp->max_seq)
		sp->max_seq = seq;
	return 0;
}

static void ent_del(struct spool *sp, uint64_t seq)
{
	size_t i = ent_find(sp, seq);

	if (i >= sp->n || sp->e[i].seq != seq)
		return;
	sp->bytes -= sp->e[i].size;
	memmove(sp->e + i, sp->e + i + 1, (sp->n - i - 1) * sizeof(*sp->e));
	sp->n--;
	if (sp->has_busy && sp->busy == seq)
		sp->has_busy = 0;
}

static int scan(struct spool *sp)
{
	int fd = openat(sp->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (fd < 0 || !(d = fdopendir(fd))) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	while (!err && (de = readdir(d))) {
		struct stat st;
		uint64_t seq;

		if (!strncmp(de->d_name, ".tmp-", 5)) { /* a write cut short: never renamed, never counted */
			unlinkat(sp->dfd, de->d_name, 0);
			continue;
		}
		if (parse_name(de->d_name, &seq) || fstatat(sp->dfd, de->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		err = ent_add(sp, seq, (uint64_t)st.st_size);
	}
	closedir(d);
	return err;
}

static int mkdir_at(int dfd, const char *name)
{
	return mkdirat(dfd, name, 0700) && errno != EEXIST ? -errno : 0;
}

int spool_open(struct spool **out, const char *dir, uint64_t max_bytes)
{
	struct spool *sp;
	int err;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		pr_err("spool %s: %s\n", dir, strerror(-err));
		return err;
	}
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	pthread_mutex_init(&sp->lock, NULL);
	sp->dfd = -1;
	sp->max_bytes = max_bytes;
	sp->dir = strdup(dir);
	sp->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!sp->dir || sp->dfd < 0) {
		err = sp->dir ? -errno : -ENOMEM;
		goto err_free;
	}
	err = mkdir_at(sp->dfd, "corrupt");
	if (!err)
		err = mkdir_at(sp->dfd, "rejected");
	if (!err)
		err = scan(sp);
	if (err)
		goto err_free;
	if (sp->n)
		pr_info("spool %s: %zu batches (%" PRIu64 " bytes) from an earlier run, replayed first\n", dir,
			sp->n, sp->bytes);
	*out = sp;
	return 0;

err_free:
	pr_err("spool %s: %s\n", dir, strerror(-err));
	spool_close(sp);
	return err;
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->dfd >= 0)
		close(sp->dfd);
	pthread_mutex_destroy(&sp->lock);
	free(sp->e);
	free(sp->dir);
	free(sp);
}

static __thread uid_t chown_uid;
static __thread gid_t chown_gid;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return lchown(path, chown_uid, chown_gid) ? -errno : 0;
}

/* For a daemon that drops root: everything the writer will create, rename or delete here. */
int spool_chown(struct spool *sp, unsigned int uid, unsigned int gid)
{
	int err;

	pthread_mutex_lock(&sp->lock);
	chown_uid = uid;
	chown_gid = gid;
	err = nftw(sp->dir, chown_one, 8, FTW_PHYS);
	pthread_mutex_unlock(&sp->lock);
	if (err)
		pr_err("spool %s: chown to %u: %s\n", sp->dir, uid, strerror(errno));
	return err ? -errno : 0;
}

static int read_all(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EBADMSG; /* short: truncated record */
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_hdr(struct spool *sp, const char *name, struct spool_hdr *h)
{
	uint8_t raw[HDR_LEN];
	int fd = openat(sp->dfd, name, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = read_all(fd, raw, HDR_LEN);
	if (!err)
		err = hdr_decode(raw, h);
	close(fd);
	return err;
}

/*
 * Drop the oldest record to make room. The oldest, not the newest: flow lines are current
 * totals, so a newer batch supersedes the older one for every flow that changed again, and a live
 * sensor's throughput minutes are rewritten whole; what the oldest batch alone held (flows that
 * ended before the next batch, its minutes) is what is lost, and it is reported line by line.
 */
static int drop_oldest(struct spool *sp)
{
	char name[NAME_LEN], line[256], at[40];
	struct spool_hdr h = {};
	size_t i = 0;
	int fd, n;

	if (sp->has_busy && sp->n && sp->e[0].seq == sp->busy)
		i = 1;
	if (i >= sp->n)
		return -ENOSPC;
	name_of(sp->e[i].seq, name);
	if (read_hdr(sp, name, &h))
		h.seq = sp->e[i].seq; /* unreadable header: report what is known */
	n = snprintf(line, sizeof(line),
		     "dropped seq %" PRIu64 " (%" PRIu64 " bytes, spooled %s): %u lines, %u flow, %u throughput,"
		     " %u neighbor\n",
		     sp->e[i].seq, sp->e[i].size, h.at_ns ? clock_rfc3339(h.at_ns, at, sizeof(at)) : "at an unknown time",
		     h.lines, h.kind[0], h.kind[1], h.kind[2]);
	pr_err("spool %s full (limit %" PRIu64 " bytes): %s", sp->dir, sp->max_bytes, line);
	fd = openat(sp->dfd, "dropped.log", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write_all(fd, line, (size_t)n))
			pr_warn("spool %s: dropped.log: %s\n", sp->dir, strerror(errno));
		close(fd);
	}
	unlinkat(sp->dfd, name, 0);
	sp->dropped_batches++;
	sp->dropped_lines += h.lines;
	ent_del(sp, sp->e[i].seq);
	return 0;
}

static void check_fill(struct spool *sp)
{
	uint64_t pct = sp->max_bytes ? sp->bytes * 100 / sp->max_bytes : 0;

	if (pct >= 80 && !sp->warned) {
		pr_warn("WARNING: spool %s is %" PRIu64 "%% full (%" PRIu64 " of %" PRIu64
			" bytes, %zu batches): the database is not taking batches; at 100%% the oldest are dropped\n",
			sp->dir, pct, sp->bytes, sp->max_bytes, sp->n);
		sp->warned = 1;
	} else if (pct < 70) {
		sp->warned = 0;
	}
}

static int write_record(struct spool *sp, const struct store_batch *b, const char *name)
{
	char tmp[NAME_LEN + 8];
	uint8_t h[HDR_LEN];
	int fd, err;

	snprintf(tmp, sizeof(tmp), ".tmp-%s", name);
	fd = openat(sp->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	hdr_encode(b, h);
	err = write_all(fd, h, HDR_LEN);
	if (!err)
		err = write_all(fd, b->buf, b->len);
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	if (!err && renameat(sp->dfd, tmp, sp->dfd, name))
		err = -errno;
	if (!err && fsync(sp->dfd)) /* the rename is durable only once the directory is */
		err = -errno;
	if (err)
		unlinkat(sp->dfd, tmp, 0);
	return err;
}

int spool_put(struct spool *sp, const struct store_batch *b)
{
	uint64_t need = HDR_LEN + b->len;
	char name[NAME_LEN];
	int err = 0;

	name_of(b->seq, name);
	pthread_mutex_lock(&sp->lock);
	if (need > sp->max_bytes) {
		pr_err("spool %s: batch seq %" PRIu64 " (%" PRIu64 " bytes, %u lines) exceeds the whole limit of %" PRIu64
		       " bytes\n", sp->dir, b->seq, need, b->lines, sp->max_bytes);
		err = -EFBIG;
		goto out;
	}
	while (!err && sp->bytes + need > sp->max_bytes)
		err = drop_oldest(sp);
	if (!err)
		err = write_record(sp, b, name);
	if (!err)
		err = ent_add(sp, b->seq, need);
	if (err)
		pr_err("spool %s: writing seq %" PRIu64 ": %s\n", sp->dir, b->seq, strerror(-err));
	else
		check_fill(sp);
out:
	pthread_mutex_unlock(&sp->lock);
	return err;
}

uint64_t spool_head_seq(struct spool *sp)
{
	uint64_t seq;

	pthread_mutex_lock(&sp->lock);
	seq = sp->n ? sp->e[0].seq : UINT64_MAX;
	pthread_mutex_unlock(&sp->lock);
	return seq;
}

/* Read and verify one record; -EBADMSG when it is corrupt. */
static int load(struct spool *sp, uint64_t seq, struct store_batch **out)
{
	char name[NAME_LEN], *body = NULL;
	uint8_t raw[HDR_LEN];
	struct spool_hdr h;
	struct stat st;
	int fd, err;

	name_of(seq, name);
	fd = openat(sp->dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) ? -errno : read_all(fd, raw, HDR_LEN);
	if (!err)
		err = hdr_decode(raw, &h);
	if (!err && (h.seq != seq || h.len != (uint64_t)st.st_size - HDR_LEN))
		err = -EBADMSG;
	if (!err && !(body = malloc(h.len ? h.len : 1)))
		err = -ENOMEM;
	if (!err)
		err = read_all(fd, body, h.len);
	if (!err && crc(body, h.len) != h.crc)
		err = -EBADMSG;
	if (!err)
		err = batch_adopt(out, seq, (enum store_mode)h.mode, body, h.len);
	if (err)
		free(body);
	close(fd);
	return err;
}

static void move_corrupt(struct spool *sp, uint64_t seq)
{
	char name[NAME_LEN], dst[NAME_LEN + 8];

	name_of(seq, name);
	snprintf(dst, sizeof(dst), "corrupt/%s", name);
	pr_err("spool %s: record seq %" PRIu64 " is corrupt (bad header, length or checksum): moved to %s/%s\n",
	       sp->dir, seq, sp->dir, dst);
	if (renameat(sp->dfd, name, sp->dfd, dst))
		pr_err("spool %s: moving %s aside: %s\n", sp->dir, name, strerror(errno));
	sp->corrupt++;
	ent_del(sp, seq);
}

int spool_take(struct spool *sp, struct store_batch **out)
{
	int err;

	pthread_mutex_lock(&sp->lock);
	for (;;) {
		uint64_t seq;

		if (!sp->n) {
			err = -ENOENT;
			break;
		}
		seq = sp->e[0].seq;
		sp->busy = seq; /* the file is read unlocked; busy keeps it from being dropped meanwhile */
		sp->has_busy = 1;
		pthread_mutex_unlock(&sp->lock);
		err = load(sp, seq, out);
		pthread_mutex_lock(&sp->lock);
		if (err == -EBADMSG) {
			move_corrupt(sp, seq);
			continue;
		}
		if (err == -ENOENT) { /* removed behind our back */
			ent_del(sp, seq);
			continue;
		}
		if (err)
			sp->has_busy = 0;
		break;
	}
	pthread_mutex_unlock(&sp->lock);
	return err;
}

/* No directory fsync: should the unlink be lost, the replayed batch is already in `batches`. */
int spool_done(struct spool *sp, uint64_t seq)
{
	char name[NAME_LEN];
	int err = 0;

	name_of(seq, name);
	pthread_mutex_lock(&sp->lock);
	if (unlinkat(sp->dfd, name, 0) && errno != ENOENT)
		err = -errno;
	ent_del(sp, seq);
	check_fill(sp);
	pthread_mutex_unlock(&sp->lock);
	return err;
}

void spool_release(struct spool *sp, uint64_t seq)
{
	pthread_mutex_lock(&sp->lock);
	if (sp->has_busy && sp->busy == seq)
		sp->has_busy = 0;
	pthread_mutex_unlock(&sp->lock);
}

int spool_reject(struct spool *sp, uint64_t seq, const char *why)
{
	char name[NAME_LEN], dst[NAME_LEN + 16];
	int fd, err = 0;

	name_of(seq, name);
	pthread_mutex_lock(&sp->lock);
	snprintf(dst, sizeof(dst), "rejected/%s.err", name);
	fd = openat(sp->dfd, dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		err = write_all(fd, why, strlen(why));
		close(fd);
	}
	snprintf(dst, sizeof(dst), "rejected/%s", name);
	if (renameat(sp->dfd, name, sp->dfd, dst) || fsync(sp->dfd))
		err = -errno;
	pr_err("spool %s: batch seq %" PRIu64 " moved to %s/%s: %s\n", sp->dir, seq, sp->dir, dst, why);
	sp->rejected++;
	ent_del(sp, seq);
	pthread_mutex_unlock(&sp->lock);
	return err;
}

void spool_get_info(struct spool *sp, struct spool_info *out)
{
	pthread_mutex_lock(&sp->lock);
	*out = (struct spool_info){
		.batches = sp->n,
		.bytes = sp->bytes,
		.max_seq = sp->max_seq,
		.dropped_batches = sp->dropped_batches,
		.dropped_lines = sp->dropped_lines,
		.corrupt = sp->corrupt,
		.rejected = sp->rejected,
	};
	pthread_mutex_unlock(&sp->lock);
}
