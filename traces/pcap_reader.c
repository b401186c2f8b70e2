/* pcap reading (being written). */
