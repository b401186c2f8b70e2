/*
 * Libraries loaded on first use. Only some runs need libpcap (a pcap= or
 * capture= vif) or libslirp (a user vif), and linking them outright makes
 * every unikernel start by loading glib, dbus and systemd's libraries: a
 * millisecond and two MiB of every boot. So the simulator calls the usual
 * names, defined in *_loader.c as forwarders that dlopen the library the
 * first time one is called.
 */
#ifndef TRACES_LAZYLIB_H
#define TRACES_LAZYLIB_H

struct lazylib {
	const char *soname;   /* e.g. "libpcap.so.0.8" */
	const char *package;  /* the Debian package that ships it */
	const char *for_what; /* "capture= and pcap= vifs" */
	void *handle;
};

/*
 * The address of symbol in lib, loading it first. A missing library or
 * symbol is fatal, with a message naming the package to install.
 */
void *lazylib_sym(struct lazylib *lib, const char *symbol);

/* Defines a forwarder for a function returning a value. */
#define LAZYLIB_FORWARD(lib, ret, name, params, args)                                    \
	ret name params                                                                   \
	{                                                                                 \
		static ret(*fn) params;                                                   \
		if (!fn)                                                                  \
			fn = (ret(*) params)lazylib_sym(&(lib), #name);                   \
		return fn args;                                                           \
	}

/* Defines a forwarder for a function returning nothing. */
#define LAZYLIB_FORWARD_VOID(lib, name, params, args)                                    \
	void name params                                                                  \
	{                                                                                 \
		static void(*fn) params;                                                  \
		if (!fn)                                                                  \
			fn = (void(*) params)lazylib_sym(&(lib), #name);                  \
		fn args;                                                                  \
	}

#endif
