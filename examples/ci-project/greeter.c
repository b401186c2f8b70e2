/* greeter: greets its first argument; "fail" makes it exit with status 3. */
#include <string.h>
#include <uk.h>

int app_main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "world";

	uk_printf("hello, %s\n", who);
	return strcmp(who, "fail") == 0 ? 3 : 0;
}
