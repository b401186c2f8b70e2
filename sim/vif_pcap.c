/* pcap vif backend (being written). */
