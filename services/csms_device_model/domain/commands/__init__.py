"""Operator commands in one version-neutral shape (docs/adr/0020-operator-commands.md): each command's parameters
(one module per command), the key-value configuration model and its 1.6 ↔ 2.x key mapping, the command record
and its states. Pure; no I/O. The per-version translation lives in `csms_device_model.ocpp.commands`."""
