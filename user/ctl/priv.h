/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/priv.h - dropping root after everything privileged is open, keeping only what a reopen needs. */
#ifndef FT_PRIV_H
#define FT_PRIV_H

#include <stdbool.h>

/*
 * Switch to 'user' (NULL: "flowtower" if that user exists, else stay root
 * and say so) with an empty effective capability set. CAP_NET_ADMIN,
 * CAP_NET_RAW and CAP_BPF stay permitted, to reattach and reopen sockets
 * when the interface is recreated (priv_raise around that), nothing else.
 * Call before any thread starts: capabilities are per thread. 0 or -errno.
 */
int priv_drop(const char *user);
/* The user priv_drop() will switch to: --user, else "flowtower" if it exists; NULL when it stays as is. */
const char *priv_target(const char *user);
/* Before the drop: create path if needed and give it to the user priv_drop() switches to (root only). */
void priv_hand_over(const char *user, const char *path);
/* Make the kept capabilities effective (true) or not again (false). */
int priv_raise(bool on);
bool priv_dropped(void);

#endif /* FT_PRIV_H */
