/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/ctlsock.h - the daemon's control socket: one command per connection, answered as text. */
#ifndef FT_CTLSOCK_H
#define FT_CTLSOCK_H

#include <stdio.h>

/* Answer one command (a line without its newline) into out. */
typedef void (*ctlsock_fn)(void *arg, const char *cmd, FILE *out);

struct ctlsock;

/* Listen on a Unix socket at path (mode 0600: root's). 0 or -errno. */
int ctlsock_open(struct ctlsock **out, const char *path, ctlsock_fn fn, void *arg);
/* Answer from a thread. 0 or -errno. */
int ctlsock_run(struct ctlsock *s);
void ctlsock_stop(struct ctlsock *s); /* NULL-safe; removes the socket file */
/* Client: send cmd, hand each answer line to fn. 0, -ENOENT/-ECONNREFUSED (no daemon) or -errno. */
typedef void (*ctlsock_line_fn)(void *arg, char *line);
int ctlsock_query(const char *path, const char *cmd, int timeout_ms, ctlsock_line_fn fn, void *arg);
/* /run/flowtower/<iface>.sock */
void ctlsock_path(const char *iface, char *buf, size_t len);

#endif /* FT_CTLSOCK_H */
