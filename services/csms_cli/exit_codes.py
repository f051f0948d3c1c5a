"""Exit codes of the `csms` command (shown by `csms --help` and `csms call --help`)."""

OK = 0
FAILED = 1
TIMEOUT = 2
OFFLINE = 3
INVALID = 4
UNREACHABLE = 5

HELP = f"""exit codes:
  {OK}  success
  {FAILED}  failure: a CALLERROR from the station, an unknown station, or another service error
  {TIMEOUT}  timeout: the station did not answer in time (DEADLINE_EXCEEDED)
  {OFFLINE}  the station is offline (FAILED_PRECONDITION)
  {INVALID}  invalid input: bad arguments or JSON, or refused by the service (INVALID_ARGUMENT)
  {UNREACHABLE}  a service is unreachable (the message names its address)
"""
