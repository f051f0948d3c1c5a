"""The authorization service: the station registry (who may connect), id tokens and the authorization decision
(who may charge: OCPP Authorize on every version, gRPC AuthorizeIdToken) and local authorization lists."""
