// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/priv.c - setuid with kept capabilities (capset(2) directly: no libcap dependency). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctl/priv.h"
#include "util/log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool dropped;

static unsigned long long kept_mask(void)
{
	return 1ULL << CAP_NET_ADMIN | 1ULL << CAP_NET_RAW | 1ULL << CAP_BPF;
}

static int set_caps(unsigned long long eff, unsigned long long prm)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2] = {};

	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

const char *priv_target(const char *user)
{
	const char *name = user ? user : "flowtower";

	return geteuid() == 0 && getpwnam(name) ? name : NULL;
}

void priv_hand_over(const char *user, const char *path)
{
	const char *name = priv_target(user);
	struct passwd *pw;
	int fd;

	if (!name || !(pw = getpwnam(name)))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || fchown(fd, pw->pw_uid, pw->pw_gid))
		pr_warn("%s: %s (it will not be saved after the privilege drop)\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

int priv_drop(const char *user)
{
	const char *name = user ? user : "flowtower";
	struct passwd *pw;
	int err;

	if (geteuid())
		return 0; /* not root: nothing to drop */
	pw = getpwnam(name);
	if (!pw) {
		if (user) {
			pr_err("--user %s: no such user\n", user);
			return -ENOENT;
		}
		pr_info("no user 'flowtower': staying root (create it, or name one with --user)\n");
		return 0;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		err = -errno;
		pr_err("switching to user %s: %s\n", name, strerror(-err));
		return err;
	}
	err = set_caps(0, kept_mask());
	if (!err && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		err = -errno;
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err) {
		pr_err("dropping capabilities: %s\n", strerror(-err));
		return err;
	}
	dropped = true;
	pr_info("running as %s (uid %u), no effective capabilities\n", name, (unsigned int)pw->pw_uid);
	return 0;
}

int priv_raise(bool on)
{
	if (!dropped)
		return 0;
	return set_caps(on ? kept_mask() : 0, kept_mask());
}

bool priv_dropped(void)
{
	return dropped;
}
