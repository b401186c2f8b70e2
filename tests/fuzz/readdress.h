/*
 * Readdressing a captured Ethernet frame to one interface, so that the
 * stack reads it beyond the Ethernet layer's destination check. Shared by
 * pcap_seeds (fuzzer seeds) and tests/robustness/net_corpus.
 */
#ifndef FUZZ_READDRESS_H
#define FUZZ_READDRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Rewrites frame (len bytes) in place: the destination MAC becomes mac; for
 * ARP the target protocol address becomes ip; for IPv4 the destination
 * address becomes ip, with the header checksum fixed and a UDP checksum
 * cleared. Only fields inside len are touched; frames shorter than 14 bytes
 * are left alone.
 */
void readdress_frame(uint8_t *frame, size_t len, const uint8_t mac[6], const uint8_t ip[4]);

#endif
