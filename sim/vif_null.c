/* null vif backend (being written). */
