// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/capture.c - capture threads for the daemon (AF_XDP sockets: user/capture/afxdp.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/capture.h"
#include "util/log.h"

struct capture {
	unsigned int n;
};

unsigned int capture_queue_count(const struct config *c)
{
	char path[128];
	struct dirent *de;
	unsigned int n = 0;
	DIR *d;

	if (c->queues)
		return c->queues;
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", c->iface);
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "rx-", 3))
			n++;
	closedir(d);
	return n ? n : 1;
}

int capture_start(struct capture **out, const struct config *c, int ifindex, int xsk_map_fd, struct workers *wk)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void capture_check(struct capture *cap)
{
}

void capture_stop(struct capture *cap)
{
	free(cap);
}
