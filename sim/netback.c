/* netback (being written). */
