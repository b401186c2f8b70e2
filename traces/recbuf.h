/*
 * A buffer of whole records on their way to a file that a signal handler
 * about to _exit can finish: what the pcap writer (pcap_writer.c) and a
 * disk's capture= log (sim/backends/blkback_capture.c) gather their records
 * in. Records are appended whole (trace_recbuf_reserve, fill, then
 * trace_recbuf_commit) and reach the file with write(2) when the buffer
 * fills and at each flush; no stdio buffer holds any of them.
 *
 * The buffer publishes how far it got: committed after each whole record,
 * written after each write(2), writing around it. From those,
 * trace_recbuf_flush_in_signal writes exactly the whole records not yet on
 * disk, so the file ends on a record boundary with none cut and none twice,
 * wherever the signal landed in the other functions. The handler must run
 * on the thread that appends (drydock's passes a signal that lands on
 * another thread to the loop's: sim/host/signals.c).
 *
 * Functions return 0 or a negative errno.
 */
#ifndef TRACES_RECBUF_H
#define TRACES_RECBUF_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * What a signal handler reads. The main code is the only writer of these
 * and the handler runs on its thread, so signal fences (compiler ordering)
 * are all the order needed: each store is one machine store, made in the
 * order the handler relies on.
 *   committed  bytes of buf holding whole records; set after a record is in.
 *   written    bytes of buf[0, committed) already on disk (or given up on).
 *   writing    a write(2) is in flight: its result is not in written yet.
 *   base       the file offset buf[0] goes to (for lseek while writing).
 */
struct trace_recbuf_progress {
	volatile size_t committed, written;
	volatile sig_atomic_t writing;
	volatile off_t base;
};

/* The end of the last whole record in buf[0, n): how a file that ran out
 * of room is cut back (async-signal-safe: it only reads buf). */
typedef size_t trace_recbuf_whole_fn(const uint8_t *buf, size_t n);

struct trace_recbuf {
	uint8_t *buf;
	size_t size;
	trace_recbuf_whole_fn *whole;
	int fd;      /* where the records go; -1 until trace_recbuf_attach */
	int error;   /* first write error since the last flush (-ENOSPC, -EFBIG, ...) */
	struct trace_recbuf_progress p;
};

/*
 * Allocates size bytes of buffer (-ENOMEM). Records may be up to size bytes.
 * whole finds the last record boundary, for a file that runs out of room (a
 * full disk, a file size limit): it is cut back there (ftruncate), so that
 * it still reads without error, and the next write goes there.
 */
int trace_recbuf_init(struct trace_recbuf *rb, size_t size, trace_recbuf_whole_fn *whole);
/*
 * Records go to fd from here on, from its current offset (lseek; a pipe too),
 * or its end if it is O_APPEND. The handler's sums assume no other writer
 * moves the file's end meanwhile.
 */
void trace_recbuf_attach(struct trace_recbuf *rb, int fd);
/* Frees the buffer; whatever is in it is dropped (flush first). The fd stays open. */
void trace_recbuf_free(struct trace_recbuf *rb);

/* Writes the committed records to the file and empties the buffer (errors: rb->error). */
void trace_recbuf_drain(struct trace_recbuf *rb);

/*
 * Where the next record, of at most n bytes (n <= size), is to be written:
 * the buffer is drained first when it has less room, so a record is never
 * split between two writes. It counts once trace_recbuf_commit says so.
 */
static inline uint8_t *trace_recbuf_reserve(struct trace_recbuf *rb, size_t n)
{
	if (n > rb->size - rb->p.committed)
		trace_recbuf_drain(rb);
	return rb->buf + rb->p.committed;
}

/* The len bytes written at trace_recbuf_reserve's place are a whole record. */
static inline void trace_recbuf_commit(struct trace_recbuf *rb, size_t len)
{
	/* The record's bytes are in before a handler may see them. */
	atomic_signal_fence(memory_order_seq_cst);
	rb->p.committed = rb->p.committed + len;
	atomic_signal_fence(memory_order_seq_cst);
}

/*
 * Drains; returns the first failed write's negative errno since the last
 * flush (-ENOSPC, -EFBIG, -EPIPE, -EIO, ...), then forgets it.
 */
int trace_recbuf_flush(struct trace_recbuf *rb);

/*
 * For a signal handler about to _exit: writes, with write(2) and lseek(2)
 * only (and ftruncate(2) when the file runs out of room), the committed
 * records not yet on disk. Gives up only on a write to
 * a pipe in flight, whose outcome it cannot know. Leaves the buffer as it
 * found it: the process is to end, so a later flush would write them again.
 */
void trace_recbuf_flush_in_signal(struct trace_recbuf *rb);

#endif
