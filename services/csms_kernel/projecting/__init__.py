"""Running projections: consume events, write read models, commit positions after the writes."""
