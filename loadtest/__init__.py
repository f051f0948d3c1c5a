"""Load tests and benchmarks: the station simulator (`python -m loadtest.simulator`) and the bench scripts."""
