"""Projections: declarations (`projection`), their writes and Cassandra writer (`writes`), the runner that
runs any declaration (`runner`) and the rebuild from the log (`rebuild`)."""
