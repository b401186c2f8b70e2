/* Grant tables, guest side (being written). */
