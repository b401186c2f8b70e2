/* The console's runtime-internal side (runtime/console.c): boot and the exit path. */
#ifndef UK_CONSOLE_PRIVATE_H
#define UK_CONSOLE_PRIVATE_H

#include <stdbool.h>

#include "include/uk/console.h"

/* Connects the console ring (HVM_PARAM_CONSOLE_PFN/_EVTCHN); -ENODEV without one. */
int uk_console_init(void);
bool uk_console_ready(void);
/* From now on waiting for the backend yields the vCPU instead of sleeping (uk_panic). */
void uk_console_set_polling(void);

#endif
