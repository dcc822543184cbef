// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/ctlsock.c - a Unix-socket request/answer channel between `status` and the running daemon. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctlsock.h"
#include "util/log.h"

struct ctlsock {
	int fd;
	char path[108];
	ctlsock_fn fn;
	void *arg;
	pthread_t thread;
	_Atomic int stop;
	int running;
};

void ctlsock_path(const char *iface, char *buf, size_t len)
{
	snprintf(buf, len, "/run/flowtower/%s.sock", iface);
}

static void serve(struct ctlsock *s, int c)
{
	struct pollfd p = { .fd = c, .events = POLLIN };
	char cmd[128];
	size_t n = 0;
	FILE *out;

	/* one short line; a client that says nothing within a second is dropped */
	while (n < sizeof(cmd) - 1 && poll(&p, 1, 1000) > 0) {
		ssize_t r = read(c, cmd + n, sizeof(cmd) - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(cmd, '\n', n))
			break;
	}
	cmd[n] = '\0';
	cmd[strcspn(cmd, "\r\n")] = '\0';
	out = fdopen(c, "w");
	if (!out) {
		close(c);
		return;
	}
	s->fn(s->arg, cmd, out);
	fclose(out);
}

static void *accept_main(void *arg)
{
	struct ctlsock *s = arg;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	while (!atomic_load(&s->stop)) {
		int c;

		if (poll(&p, 1, 200) <= 0)
			continue;
		c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			serve(s, c);
	}
	return NULL;
}

int ctlsock_open(struct ctlsock **out, const char *path, ctlsock_fn fn, void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctlsock *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	s->fn = fn;
	s->arg = arg;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto err_free;
	unlink(path); /* left by a daemon that was killed: the run lock says we are the only one */
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(s->fd, 8))
		goto err_close;
	*out = s;
	return 0;

err_close:
	err = -errno;
	close(s->fd);
	free(s);
	return err;
err_free:
	err = -errno;
	free(s);
	return err;
}

int ctlsock_run(struct ctlsock *s)
{
	int err = pthread_create(&s->thread, NULL, accept_main, s);

	if (!err)
		s->running = 1;
	return -err;
}

void ctlsock_stop(struct ctlsock *s)
{
	if (!s)
		return;
	atomic_store(&s->stop, 1);
	if (s->running)
		pthread_join(s->thread, NULL);
	close(s->fd);
	unlink(s->path);
	free(s);
}

int ctlsock_query(const char *path, const char *cmd, int timeout_ms, ctlsock_line_fn fn, void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;
	struct pollfd p;
	char *line = NULL;
	size_t cap = 0;
	FILE *in;

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || dprintf(fd, "%s\n", cmd) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, timeout_ms) <= 0) {
		close(fd);
		return -ETIMEDOUT;
	}
	in = fdopen(fd, "r");
	if (!in) {
		err = -errno;
		close(fd);
		return err;
	}
	while (getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		fn(arg, line);
	}
	free(line);
	fclose(in);
	return 0;
}
