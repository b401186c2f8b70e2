/* vif core (being written). */
