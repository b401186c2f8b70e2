/*
 * pcapng files written block by block for tests of the trace reader
 * (traces/pcap_reader.c): little-endian, as draft-ietf-opsawg-pcapng lays
 * the blocks out, in a fresh temporary directory (the file is t.pcapng).
 * The writers fail the test when a write fails.
 */
#ifndef TESTS_SUPPORT_PCAPNG_FILE_H
#define TESTS_SUPPORT_PCAPNG_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "traces/pcap_reader.h"

/* The bytes of every frame pcapng_packet writes. */
#define PCAPNG_FRAME 60

struct pcapng_file {
	char dir[64];
	char path[128];
	FILE *fp;     /* open for writing until pcapng_file_open */
};

/* CMocka fixture: *state is a struct pcapng_file, removed with its directory. */
int pcapng_file_setup(void **state);
int pcapng_file_teardown(void **state);

/* Closes the file and opens it with trace_reader_open (failing the test with its error). */
struct trace_reader *pcapng_file_open(struct pcapng_file *f);

void pcapng_put32(FILE *fp, uint32_t v);
/* A section header block, little-endian, section length unknown. */
void pcapng_section_header(FILE *fp);
/* An interface description block; tsresol 0: the default (microseconds). */
void pcapng_interface(FILE *fp, uint16_t linktype, uint8_t tsresol);
/* An enhanced packet block on interface ifid: PCAPNG_FRAME bytes of seed, at ts. */
void pcapng_packet(FILE *fp, uint32_t ifid, uint64_t ts, uint8_t seed);

#endif
