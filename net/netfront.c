/* netfront (being written). */
