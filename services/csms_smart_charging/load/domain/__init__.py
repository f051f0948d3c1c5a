"""The pure parts of load management: the site model, the allocator and the push plan. No I/O."""
