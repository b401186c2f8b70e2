/*
 * netfront's granted pages: the two shared rings and one page per TX and
 * RX buffer, each granted to the backend once at open and revoked once at
 * close. A page whose grant cannot be revoked (the backend still maps it)
 * is leaked, never freed: the backend might still write into it.
 */
#include <errno.h>
#include <string.h>

#include <uk/console.h>
#include <uk/drivers/gnttab.h>

#include "netfront_private.h"

/* Tries to revoke this often, sleeping in between, before leaking. */
#define END_ACCESS_TRIES 10
#define END_ACCESS_WAIT_NS (10 * UK_NSEC_PER_MSEC)

static int buf_alloc(struct netfront *nf, struct netfront_buf *b, bool readonly)
{
	int rc;

	if (!(b->page = uk_page_alloc(0)))
		return -ENOMEM;
	memset(b->page, 0, UK_PAGE_SIZE);
	rc = gnttab_grant_access(nf->dev.otherend_id, b->page, readonly, &b->gref);
	if (rc < 0) {
		uk_page_free(b->page, 0);
		b->page = NULL;
		return rc;
	}
	b->granted = true;
	b->busy = false;
	return 0;
}

static int rings_alloc(struct netfront *nf)
{
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;
	int rc;

	if ((rc = buf_alloc(nf, &nf->tx_ring_page, false)) < 0 ||
	    (rc = buf_alloc(nf, &nf->rx_ring_page, false)) < 0)
		return rc;
	txs = nf->tx_ring_page.page;
	rxs = nf->rx_ring_page.page;
	SHARED_RING_INIT(txs);
	/* Not 1: no event for TX responses until a sender waits (netfront_tx.c). */
	txs->rsp_event = 0;
	FRONT_RING_INIT(&nf->tx, txs, UK_PAGE_SIZE);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&nf->rx, rxs, UK_PAGE_SIZE);
	return 0;
}

int netfront_bufs_alloc(struct netfront *nf)
{
	int rc;

	if ((rc = rings_alloc(nf)) < 0)
		return rc;
	for (unsigned int i = 0; i < NET_TX_RING_SIZE; i++)
		if ((rc = buf_alloc(nf, &nf->tx_bufs[i], true)) < 0)
			return rc;
	for (unsigned int i = 0; i < NET_RX_RING_SIZE; i++)
		if ((rc = buf_alloc(nf, &nf->rx_bufs[i], false)) < 0)
			return rc;
	return 0;
}

/*
 * One pass over n pages: frees those whose grant ends (or that were never
 * granted) and returns how many the backend still maps. On the last pass
 * those are leaked instead (counted in *leaked).
 */
static unsigned int release_pass(struct netfront *nf, struct netfront_buf *b, unsigned int n,
				 bool last, unsigned int *leaked)
{
	unsigned int busy = 0;

	for (unsigned int i = 0; i < n; i++, b++) {
		int rc = 0;

		if (!b->page)
			continue;
		if (b->granted && (rc = gnttab_end_access(b->gref)) == -EBUSY && !last) {
			busy++;
			continue;
		}
		if (rc < 0) {
			if (rc != -EBUSY)
				uk_printf("netfront %u: revoking grant %u failed (%d)\n", nf->index,
					  (unsigned int)b->gref, rc);
			(*leaked)++;
		} else {
			uk_page_free(b->page, 0);
		}
		b->page = NULL;
		b->granted = false;
	}
	return busy;
}

static unsigned int release_all(struct netfront *nf, bool last, unsigned int *leaked)
{
	return release_pass(nf, &nf->tx_ring_page, 1, last, leaked) +
	       release_pass(nf, &nf->rx_ring_page, 1, last, leaked) +
	       release_pass(nf, nf->tx_bufs, NET_TX_RING_SIZE, last, leaked) +
	       release_pass(nf, nf->rx_bufs, NET_RX_RING_SIZE, last, leaked);
}

void netfront_bufs_release(struct netfront *nf)
{
	unsigned int leaked = 0;

	for (unsigned int i = 1; i < END_ACCESS_TRIES; i++) {
		if (release_all(nf, false, &leaked) == 0)
			break;
		/* Let the backend run and unmap; only a thread may sleep. */
		if (uk_thread_self())
			uk_sleep_ns(END_ACCESS_WAIT_NS);
	}
	release_all(nf, true, &leaked);
	if (leaked)
		uk_printf("netfront %u: %u grant(s) could not be revoked; leaking their pages\n",
			  nf->index, leaked);
}
