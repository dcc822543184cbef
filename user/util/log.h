/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/log.h - leveled logging to stderr, libbpf's chatter one level lower. */
#ifndef FT_LOG_H
#define FT_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Current threshold; messages above it are dropped. Default LOG_LVL_INFO. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Parse "error|warn|info|debug"; returns the level or -EINVAL. */
int log_level_parse(const char *s);
/* Route libbpf's messages here: its warnings become our info, its info our debug. */
void log_hook_libbpf(void);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* FT_LOG_H */
