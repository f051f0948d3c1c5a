"""Development-only tools, never imported by a production process: the local stack launcher, protobuf generation."""
