"""The station-CALL runtime: routing a CALL to its handler, and answering exactly once from the frame log."""
