"""An OCMF record (Open Charge Metering Format) of a charging session, as a station with a calibration-law meter sends
it to vendor org.csms.ocmf (the example of the OCMF specification, S.A.F.E. e.V.)."""

from __future__ import annotations

import json
from typing import Any

PAYLOAD = {
    "FV": "1.0",
    "GI": "SEAL AG",
    "GS": "1850006a",
    "GV": "1.34",
    "PG": "T9289",
    "MV": "Carlo Gavazzi",
    "MM": "EM340-DIN.AV2.3.X.S1.PF",
    "MS": "******240084S",
    "MF": "B4",
    "IS": True,
    "IL": "TRUSTED",
    "IF": ["OCCP_AUTH"],
    "IT": "ISO14443",
    "ID": "56213C05",
    "RD": [
        {"TM": "2019-06-26T08:57:44,337+0000 U", "TX": "B", "RV": 268.978, "RI": "1-b:1.8.0", "RU": "kWh", "ST": "G"},
        {"TM": "2019-06-26T09:57:44,337+0000 U", "TX": "E", "RV": 281.033, "RI": "1-b:1.8.0", "RU": "kWh", "ST": "G"},
    ],
}
SIGNATURE = {"SD": "3044022014"}


def record(payload: Any = None, signature: Any = None) -> str:
    return f"OCMF|{json.dumps(PAYLOAD if payload is None else payload)}|{json.dumps(signature or SIGNATURE)}"
