"""Runs the real `csms` command-line tool against a test stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from csms_devtools.stack import Stack

CSMS = str(Path(sys.executable).parent / "csms")


class Cli:
    """Runs the real `csms` command against the test stack."""

    def __init__(self, stack: Stack) -> None:
        self._env = {
            **os.environ,
            "CSMS_DEVICE_MODEL_ADDRESS": stack.config.device_model_address,
            "CSMS_AUTHORIZATION_ADDRESS": stack.config.authorization_address,
            "CSMS_TRANSACTIONS_ADDRESS": stack.config.transactions_address,
        }

    def __call__(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CSMS, *args], env=self._env, capture_output=True, text=True, timeout=timeout)
