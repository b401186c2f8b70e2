/*
 * tcp=replay's mapped recording truncated while replayed, inside drydock's
 * own process (sim/host/fault.c's SIGBUS handler, as a run has it): the
 * pages past the file's new end read as zeros and the replay says the
 * recording was truncated, where the SIGBUS used to be reported as the
 * guest's crash (exit 70). The recording (peer 10.0.0.1:40000, recorded
 * host 10.0.0.2:80: a 10-byte request, a 300-byte answer) is written with
 * the test peer; the guest's side is given to the replayer by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypercall_shim/shim.h"
#include "runtime/include/uk/boot.h"
#include "tcp_replay_answer_fixture.h"

const char uk_app_name[] = "tcp_replay_truncated_fault_test";

/* The recording: handshake, request, the 300-byte answer in one segment, the host's FIN. */
static void recording_write(struct file *f)
{
	file_open(f, 0xa1b2c3d4, 1);
	rec_start(f);
	rec(f, &rec_host, HOST_ISN + 1, PEER_ISN + 11, TH_ACK, answer, ANSWER_LEN);
	rec(f, &rec_host, HOST_ISN + 1 + ANSWER_LEN, PEER_ISN + 11, TH_ACK | TH_FIN, NULL, 0);
	assert_int_equal(fclose(f->fp), 0);
}

static void test_a_recording_truncated_while_replayed_is_said_and_the_process_goes_on(
	void **state)
{
	struct tcp_replay *tr;
	struct file f;

	/* The process's SIGBUS handler (fault.c's) again, in place of the one CMocka sets per test. */
	assert_int_equal(shim_catch_faults(), 0);
	recording_write(&f);
	tr = mapped(&f, 1);
	handshake(tr);
	/* The mapped page now lies past the end of the file: reading it is a SIGBUS. */
	assert_int_equal(truncate(f.path, 0), 0);
	guest_says(tr, T0 + 2 * MS, GUEST_ISN + 1, TH_ACK, answer, ANSWER_LEN);
	assert_int_equal(nr_divergences, 1);
	assert_true(said("truncated while replayed"));
	tcp_replay_destroy(tr);
	unlink(f.path);
	(void)state;
}

int app_main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_a_recording_truncated_while_replayed_is_said_and_the_process_goes_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
