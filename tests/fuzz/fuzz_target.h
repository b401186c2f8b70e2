/* The interface the fuzzer feeds, shared with the seed extractor. */
#ifndef FUZZ_TARGET_H
#define FUZZ_TARGET_H

#define FUZZ_MAC { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }
#define FUZZ_IP { 10, 0, 0, 2 }
#define FUZZ_PREFIX 24
#define FUZZ_GW { 10, 0, 0, 1 }
#define FUZZ_MTU 1500
/* Guest time that passes before each input (timers run then). */
#define FUZZ_TICK_NS (50ULL * 1000 * 1000)

#endif
