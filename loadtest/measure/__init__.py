"""Latency measurements of single components against the local Kafka and Cassandra; figures go to the ADRs."""
