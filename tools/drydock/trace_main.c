/* drydock-trace: `drydock trace` as a program of its own (what drydock_add_trace_test runs). */
#include "tools/drydock/trace.h"

int main(int argc, char **argv)
{
	return drydock_trace_main(argc, argv);
}
