/*
 * An application as drydock_add_unikernel compiles it, for the header
 * boundary tests in CMakeLists.txt: with the application headers it
 * compiles; asking for a driver header (PROBE_DRIVER_HEADER) it must not,
 * because runtime/drivers/include is not on an application's include path.
 */
#include <uk.h>
#include <uk/netfront.h>
#ifdef PROBE_DRIVER_HEADER
#include <uk/drivers/events.h>
#endif

int app_main(int argc, char **argv)
{
	return argc > 1 ? (int)uk_now_ns() & 1 : 0;
}
