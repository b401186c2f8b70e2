/*
 * The application's entry point. The application provides app_main; its
 * argv is the guest command line split at spaces (quotes and backslashes as
 * in a shell), with argv[0] the unikernel's name. (How the runtime itself is
 * entered is runtime-internal: runtime/boot_private.h.)
 */
#ifndef UK_BOOT_H
#define UK_BOOT_H

/* Provided by the application; its return value is passed to uk_exit. */
int app_main(int argc, char **argv);

/* The unikernel's name, set by drydock_add_unikernel. */
extern const char uk_app_name[];

#endif
