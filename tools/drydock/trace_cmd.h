/* What the trace subcommands share (trace.c, trace_expect.c). */
#ifndef TOOLS_DRYDOCK_TRACE_CMD_H
#define TOOLS_DRYDOCK_TRACE_CMD_H

#include "traces/trace_diff.h"

#define TRACE_EXIT_EQUAL 0
#define TRACE_EXIT_DIFFER 1
#define TRACE_EXIT_BAD 2

/*
 * Parses the comparison option argv[*i] (and its value) into o: -n/--normalise
 * LIST, --strict, -C/--context N, --map A=B, --expected-from and
 * --actual-from IP|MAC. Returns 1 if it was one (*i moved past it), 0 if not,
 * -1 after a one-line usage error on stderr.
 */
int trace_cmd_diff_option(int argc, char **argv, int *i, struct trace_diff_options *o);
/* Prints "drydock trace: " and the message, one line on stderr; returns TRACE_EXIT_BAD. */
int trace_cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses xx:xx:xx:xx:xx:xx; 0 or -EINVAL. */
int trace_cmd_parse_mac(const char *s, uint8_t mac[6]);

int trace_expect_main(int argc, char **argv);

#endif
