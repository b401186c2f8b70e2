/* drydock-trace: drydock_trace_main as a program of its own, until the drydock command has it. */
#include "tools/drydock/trace.h"

int main(int argc, char **argv)
{
	return drydock_trace_main(argc, argv);
}
