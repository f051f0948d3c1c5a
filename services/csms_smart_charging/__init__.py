"""The smart-charging service: charging profiles of every station (docs/adr/0041) and load management of sites
(docs/adr/0042)."""
