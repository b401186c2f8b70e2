/* Loading a library the first time one of its functions is called. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/host/lazylib.h"

void *lazylib_sym(struct lazylib *lib, const char *symbol)
{
	void *sym;

	if (!lib->handle && !(lib->handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL))) {
		fprintf(stderr, "drydock: %s need %s, which cannot be loaded: %s "
			"(install the %s package)\n", lib->for_what, lib->soname, dlerror(),
			lib->package);
		exit(1);
	}
	if (!(sym = dlsym(lib->handle, symbol))) {
		fprintf(stderr, "drydock: %s has no %s: %s\n", lib->soname, symbol, dlerror());
		exit(1);
	}
	return sym;
}
