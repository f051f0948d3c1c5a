"""Station simulator: thousands of OCPP 1.6 / 2.0.1 / 2.1 stations per process (`python -m loadtest.simulator`)."""
