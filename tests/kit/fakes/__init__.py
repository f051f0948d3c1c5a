"""In-memory and scripted stand-ins for the ports of each service, checked by the suites in kit.contracts."""
