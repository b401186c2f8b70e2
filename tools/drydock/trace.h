/*
 * drydock trace: the trace subcommands of the drydock command.
 *   drydock trace diff [OPTIONS] EXPECTED ACTUAL   compare two captures frame by frame
 *   drydock trace stat FILE...                     what a trace holds
 *   drydock trace expect [OPTIONS] INPUT EXPECTED -- UNIKERNEL [ARGS...]
 *                                                  replay INPUT into a unikernel and
 *                                                  compare what it sent with EXPECTED
 *   drydock trace help
 * argv[0] is "trace". Returns the exit status: 0 equal (or done), 1 the
 * captures differ, 2 bad usage or bad input (one line on stderr).
 */
#ifndef TOOLS_DRYDOCK_TRACE_H
#define TOOLS_DRYDOCK_TRACE_H

int drydock_trace_main(int argc, char **argv);

#endif
