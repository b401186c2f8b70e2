/*
 * kvstore_broken's log: kvstore_log.c with the flush after each put left
 * out, so a put is answered while its record is still in the disk's volatile
 * cache. tools/drydock-powercut finds the write number where that loses an
 * answered put (docs/block.md).
 */
#define KVSTORE_BROKEN_NO_FLUSH 1
#include "kvstore_log.c"
