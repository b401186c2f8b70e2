/*
 * The libpcap functions drydock uses, loaded on first use (see lazylib.h).
 * The prototypes come from <pcap/pcap.h>, so the compiler checks each one.
 */
#include <pcap/pcap.h>

#include "sim/host/lazylib.h"

static struct lazylib libpcap = {
	.soname = "libpcap.so.0.8",
	.package = "libpcap0.8",
	.for_what = "capture= and pcap= vifs",
};

LAZYLIB_FORWARD(libpcap, pcap_t *, pcap_open_dead, (int linktype, int snaplen),
		(linktype, snaplen))
LAZYLIB_FORWARD(libpcap, pcap_t *, pcap_open_dead_with_tstamp_precision,
		(int linktype, int snaplen, u_int precision), (linktype, snaplen, precision))
LAZYLIB_FORWARD(libpcap, pcap_t *, pcap_fopen_offline_with_tstamp_precision,
		(FILE *fp, u_int precision, char *errbuf), (fp, precision, errbuf))
LAZYLIB_FORWARD(libpcap, pcap_dumper_t *, pcap_dump_fopen, (pcap_t *p, FILE *fp), (p, fp))
LAZYLIB_FORWARD_VOID(libpcap, pcap_dump, (u_char *user, const struct pcap_pkthdr *h,
					   const u_char *sp), (user, h, sp))
LAZYLIB_FORWARD(libpcap, int, pcap_dump_flush, (pcap_dumper_t *d), (d))
LAZYLIB_FORWARD(libpcap, FILE *, pcap_dump_file, (pcap_dumper_t *d), (d))
LAZYLIB_FORWARD_VOID(libpcap, pcap_dump_close, (pcap_dumper_t *d), (d))
LAZYLIB_FORWARD_VOID(libpcap, pcap_close, (pcap_t *p), (p))
LAZYLIB_FORWARD(libpcap, int, pcap_next_ex,
		(pcap_t *p, struct pcap_pkthdr **h, const u_char **data), (p, h, data))
LAZYLIB_FORWARD(libpcap, int, pcap_datalink, (pcap_t *p), (p))
LAZYLIB_FORWARD(libpcap, int, pcap_snapshot, (pcap_t *p), (p))
LAZYLIB_FORWARD(libpcap, char *, pcap_geterr, (pcap_t *p), (p))
LAZYLIB_FORWARD(libpcap, const char *, pcap_datalink_val_to_name, (int dlt), (dlt))
LAZYLIB_FORWARD(libpcap, const char *, pcap_datalink_val_to_description, (int dlt), (dlt))
