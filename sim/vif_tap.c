/* tap vif backend (being written). */
