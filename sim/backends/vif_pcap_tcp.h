/*
 * The pcap vif's TCP-aware replay (pcap=FILE,as=IP,tcp=replay): the glue
 * between the pcap backend (vif_pcap.c) and the replayer
 * (traces/tcp_replay.h). The recording's TCP segments of host IP are the
 * replayer's, not fed at their timestamps; the replayer's segments go to
 * the guest from the simulator's timer list, its lines to stderr and to
 * report=FILE; the input ends when the file and every flow are done (or,
 * when the guest never says its address, tcp_deadline after the file).
 * Keys: tcp=replay, report=FILE (the divergences, one a line; empty when
 * none), tcp_deadline=SECONDS (default 10), tcp_mss=N (the MSS the peer
 * offers instead of the recorded one).
 */
#ifndef SIM_BACKENDS_VIF_PCAP_TCP_H
#define SIM_BACKENDS_VIF_PCAP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/backends/vif.h"

struct pcap_tcp;

/*
 * With tcp=replay (as_ip not 0), loads the TCP flows of as_ip from path
 * into *out; without, *out is NULL. Returns 0, or a negative errno after
 * writing why into err.
 */
int pcap_tcp_open(struct vif *v, const struct vif_config *cfg, uint32_t as_ip, const char *path,
		  struct pcap_tcp **out, char *err, size_t errlen);
/* NULL is allowed; flows still open are given up and said. */
void pcap_tcp_close(struct pcap_tcp *pt);
/* The process ends (the guest exited): as close says, without freeing. NULL is allowed. */
void pcap_tcp_end(struct pcap_tcp *pt);
/* Whether the recorded frame is the replayer's (not to be fed at its time). */
bool pcap_tcp_claims(const struct pcap_tcp *pt, const uint8_t *frame, size_t len);
/* A frame from the guest; guest_ip its address once known (0 before). */
void pcap_tcp_from_guest(struct pcap_tcp *pt, const uint8_t *frame, size_t len,
			 uint32_t guest_ip);
/* Whether flows may still run (the input has not ended). NULL is allowed. */
bool pcap_tcp_busy(const struct pcap_tcp *pt);
/* The file is done: the input ends (vif_input_ended) once every flow is done too. */
void pcap_tcp_input_ended(struct pcap_tcp *pt, uint64_t linger_ns);

#endif
