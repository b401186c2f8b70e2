/* user vif backend (being written). */
