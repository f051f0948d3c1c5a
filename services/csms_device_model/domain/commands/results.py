"""The shapes of neutral results every version shares. Pure; no I/O.

- A status answer: `{"status": <the OCPP status in snake_case>}`, with `"status_info": {"reason_code",
  "additional_info"}` when a 2.x station gives one.
- get-configuration: `{"configuration": [{"key", "value", "readonly"?}], "unknown_keys": [...], "rejected":
  [{"key", "status"}]}`; `key` is the key as the caller named it (or as the station named it, when all were
  asked); `readonly` only where the version reports it (1.6).
- set-configuration: `{"results": [{"key", "status", "status_info"?}]}`, one per key in the order given.
"""

from __future__ import annotations

from typing import Any

from csms_device_model.domain.commands.params import snake


def text(value: Any) -> str:
    """An OCPP enum value read from an answer (a plain string, or the `ocpp` package's enum)."""
    return str(getattr(value, "value", value))


def status(value: Any, status_info: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"status": snake(text(value))}
    given = status_info or {}
    info = {k: given[k] for k in ("reason_code", "additional_info") if given.get(k) is not None}
    if info:
        answer["status_info"] = info
    return answer


def configuration(
    values: list[dict[str, Any]], unknown: list[Any], rejected: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"configuration": values, "unknown_keys": unknown, "rejected": rejected or []}


def by_id(ids: tuple[int, ...], found: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
    """`{"results": [{"id", "status", "status_info"?}]}` for each id in the order given, from a station's results
    naming their id (in any order; one result may come as an object); an id left unanswered reads `rejected`."""
    listed = [found] if isinstance(found, dict) else found
    answers = {answer.get("id"): answer for answer in listed}
    return {
        "results": [
            {"id": i, **status(answers.get(i, {}).get("status", "Rejected"), answers.get(i, {}).get("status_info"))}
            for i in ids
        ]
    }
