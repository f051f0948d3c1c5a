"""api use cases: API keys and their verification, the station directory (registrations joined with
projections), readiness."""
