/* The test-only loopback vif backend (vif_loopback.c). */
#ifndef TESTS_VIF_LOOPBACK_H
#define TESTS_VIF_LOOPBACK_H

/* Guest time between the end of its input and the power-off request. */
#define LOOPBACK_LINGER_NS 1000000000ULL

#endif
