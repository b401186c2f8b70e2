/*
 * RACK's send records (net/tcp_rack.c) at their cap, TCP_TXS_MAX per
 * connection: new data then joins the last record. When that record was
 * SACKed, the new data must not count as delivered: it is in the pipe (RFC
 * 6675) and can be found lost, or only the RTO would ever resend it. The
 * records are driven directly on a bare pcb, at sequence numbers that wrap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/tcp_private.h"
#include "runtime/include/uk/boot.h"

const char uk_app_name[] = "tcp_rack_cap_test";

#define RECORDS 4096u /* TCP_TXS_MAX */
#define SEG 10u
#define ISS 0xfffff000u /* the records cross the wrap of the sequence space */

static void test_new_data_joining_a_sacked_record_at_the_cap_is_in_the_pipe(void **state)
{
	struct tcp_pcb *pcb = tcp_pcb_new();
	struct tcp_seg ack = { 0 };
	uint32_t last_seq = ISS + (RECORDS - 1) * SEG, end = ISS + RECORDS * SEG;

	assert_non_null(pcb);
	pcb->sack_ok = true;
	pcb->state = TCP_ESTABLISHED;
	pcb->snd_una = ISS;
	for (uint32_t i = 0; i < RECORDS; i++)
		tcp_rack_sent(pcb, ISS + i * SEG, ISS + (i + 1) * SEG);
	assert_int_equal(pcb->txs_n, RECORDS);
	pcb->snd_nxt = pcb->snd_max = end;
	assert_int_equal(tcp_rack_pipe(pcb), RECORDS * SEG);

	/* The peer SACKs the last segment: it left the pipe. */
	ack.ack = ISS;
	ack.flags = TCP_ACK;
	ack.opt.n_sack = 1;
	ack.opt.sack[0][0] = last_seq;
	ack.opt.sack[0][1] = end;
	tcp_rack_ack(pcb, &ack);
	assert_int_equal(tcp_rack_pipe(pcb), (RECORDS - 1) * SEG);

	/*
	 * New data, no record left for it: it joins the last, which is then not
	 * SACKed: the record, a unit again, is in the pipe as a whole.
	 */
	tcp_rack_sent(pcb, end, end + 1000);
	pcb->snd_nxt = pcb->snd_max = end + 1000;
	assert_int_equal(pcb->txs_n, RECORDS);
	assert_int_equal(tcp_rack_pipe(pcb), RECORDS * SEG + 1000);

	tcp_timers_stop(pcb);
	tcp_pcb_free(pcb);
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_data_joining_a_sacked_record_at_the_cap_is_in_the_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
