"""The authorization service: the station registry (who may connect); later also id tokens (who may charge)."""
