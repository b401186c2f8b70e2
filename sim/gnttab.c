/* Grant tables, hypervisor side (being written). */
