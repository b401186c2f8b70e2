/* pcap writing (being written). */
