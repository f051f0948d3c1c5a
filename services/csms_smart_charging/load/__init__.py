"""Load management: sites and groups of EVSEs under a limit, the allocation of that limit to the sessions on
them, and the pushes that enforce it (ADR 0042)."""
