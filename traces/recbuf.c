/*
 * Whole records gathered for write(2), finished by a signal handler if need
 * be (recbuf.h). The progress protocol is the one pcap_writer.c had alone:
 * the main code publishes committed, written and writing in an order the
 * handler can trust, and the handler asks the file (lseek) only when a
 * write was in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "traces/recbuf.h"

int trace_recbuf_init(struct trace_recbuf *rb, size_t size, trace_recbuf_whole_fn *whole)
{
	*rb = (struct trace_recbuf){ .size = size, .whole = whole, .fd = -1 };
	if (!(rb->buf = malloc(size)))
		return -ENOMEM;
	return 0;
}

void trace_recbuf_attach(struct trace_recbuf *rb, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	rb->fd = fd;
	/* O_APPEND writes land at the end whatever the offset (0 at open): count from there. */
	rb->p.base = lseek(fd, 0, fl >= 0 && (fl & O_APPEND) ? SEEK_END : SEEK_CUR);
}

void trace_recbuf_free(struct trace_recbuf *rb)
{
	free(rb->buf);
	rb->buf = NULL;
}

/*
 * A write failed (a full disk, a file size limit) after done bytes of buf
 * reached the file: the file is cut back to its last whole record, as a
 * reader wants it (tcpdump stops at a torn record with "truncated dump
 * file"), and the next write goes there. Returns that offset, or -1 where
 * the file cannot be cut (a pipe). Async-signal-safe (ftruncate, lseek).
 */
static off_t recbuf_cut(struct trace_recbuf *rb, size_t done)
{
	off_t keep = rb->p.base + (off_t)rb->whole(rb->buf, done);

	if (ftruncate(rb->fd, keep) < 0 || lseek(rb->fd, keep, SEEK_SET) < 0)
		return -1;
	return keep;
}

/*
 * write(2) until all n bytes are out or a write fails (the handler has no
 * one to tell); how many went out.
 */
static size_t write_all(int fd, const uint8_t *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = write(fd, p + done, n - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	return done;
}

/*
 * Each write's result is published (written) before the next, with writing
 * set around it, so a signal handler never writes a byte twice.
 */
void trace_recbuf_drain(struct trace_recbuf *rb)
{
	struct trace_recbuf_progress *p = &rb->p;
	size_t end = p->committed, failed_at = 0;
	bool failed = false;
	off_t next;

	while (p->written < end) {
		ssize_t k;

		p->writing = 1;
		atomic_signal_fence(memory_order_seq_cst);
		k = write(rb->fd, rb->buf + p->written, end - p->written);
		if (k > 0)
			p->written += (size_t)k;
		else if (k < 0 && errno == EINTR)
			k = 1; /* nothing written: again */
		else if (!rb->error) /* the rest is lost: the next flush says so, and why */
			rb->error = k < 0 ? -errno : -EIO; /* 0: no room, and no errno */
		if (k <= 0) {
			failed = true;
			failed_at = p->written;
			p->written = end;
		}
		atomic_signal_fence(memory_order_seq_cst);
		p->writing = 0;
		atomic_signal_fence(memory_order_seq_cst);
	}
	/* Cut back to a whole record: a handler meanwhile finds nothing left to write. */
	next = p->base + (off_t)end;
	if (failed && (next = recbuf_cut(rb, failed_at)) < 0)
		next = p->base + (off_t)end; /* a pipe: base means nothing there */
	/* Empty it: committed first, so a handler in between finds nothing left to write. */
	p->committed = 0;
	atomic_signal_fence(memory_order_seq_cst);
	p->base = next;
	atomic_signal_fence(memory_order_seq_cst);
	p->written = 0;
	atomic_signal_fence(memory_order_seq_cst);
}

int trace_recbuf_flush(struct trace_recbuf *rb)
{
	int rc;

	trace_recbuf_drain(rb);
	rc = rb->error;
	rb->error = 0;
	return rc;
}

void trace_recbuf_flush_in_signal(struct trace_recbuf *rb)
{
	int saved_errno = errno; /* the interrupted code may be about to read it */
	size_t end = rb->p.committed, from = rb->p.written;

	if (rb->p.writing) {
		/* The main code's write may or may not have happened: the file says. */
		off_t at = lseek(rb->fd, 0, SEEK_CUR);

		if (at < 0 || at < rb->p.base) {
			errno = saved_errno;
			return; /* a pipe: which records arrived cannot be known */
		}
		from = (size_t)(at - rb->p.base);
	}
	if (from < end) {
		size_t done = write_all(rb->fd, rb->buf + from, end - from);

		if (done < end - from)
			recbuf_cut(rb, from + done); /* out of room: end on a whole record */
	}
	errno = saved_errno;
}
