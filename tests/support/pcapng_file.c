/* pcapng files written by hand for the trace reader's tests (see pcapng_file.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapng_file.h"

int pcapng_file_setup(void **state)
{
	struct pcapng_file *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/pcapng_test.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/t.pcapng", f->dir);
	if (!(f->fp = fopen(f->path, "wb"))) {
		rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int pcapng_file_teardown(void **state)
{
	struct pcapng_file *f = *state;

	if (f->fp)
		fclose(f->fp);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

struct trace_reader *pcapng_file_open(struct pcapng_file *f)
{
	struct trace_reader *r = NULL;
	char err[512] = "";

	assert_int_equal(fclose(f->fp), 0);
	f->fp = NULL;
	if (trace_reader_open(f->path, &r, err, sizeof(err)) < 0)
		fail_msg("open: %s", err);
	return r;
}

void pcapng_put32(FILE *fp, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	assert_int_equal(fwrite(b, 1, 4, fp), 4);
}

void pcapng_section_header(FILE *fp)
{
	pcapng_put32(fp, 0x0a0d0d0a), pcapng_put32(fp, 28), pcapng_put32(fp, 0x1a2b3c4d);
	pcapng_put32(fp, 1);
	pcapng_put32(fp, 0xffffffff), pcapng_put32(fp, 0xffffffff), pcapng_put32(fp, 28);
}

void pcapng_interface(FILE *fp, uint16_t linktype, uint8_t tsresol)
{
	uint32_t len = tsresol ? 20 + 12 : 20;

	pcapng_put32(fp, 1), pcapng_put32(fp, len), pcapng_put32(fp, linktype);
	pcapng_put32(fp, 65535);
	if (tsresol) {
		pcapng_put32(fp, 9 | 1u << 16);   /* if_tsresol, 1 byte */
		pcapng_put32(fp, tsresol);
		pcapng_put32(fp, 0);              /* opt_endofopt */
	}
	pcapng_put32(fp, len);
}

void pcapng_packet(FILE *fp, uint32_t ifid, uint64_t ts, uint8_t seed)
{
	uint8_t b[PCAPNG_FRAME];

	memset(b, seed, sizeof(b));
	pcapng_put32(fp, 6), pcapng_put32(fp, 32 + PCAPNG_FRAME), pcapng_put32(fp, ifid);
	pcapng_put32(fp, (uint32_t)(ts >> 32)), pcapng_put32(fp, (uint32_t)ts);
	pcapng_put32(fp, PCAPNG_FRAME), pcapng_put32(fp, PCAPNG_FRAME);
	assert_int_equal(fwrite(b, 1, PCAPNG_FRAME, fp), PCAPNG_FRAME);
	pcapng_put32(fp, 32 + PCAPNG_FRAME);
}
