"""`python -m loadtest.simulator`: command-line options → Config, the run, the summary, PNG and JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path

from csms_cli.settings import CliSettings
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.composite import Electrical
from loadtest.simulator.config import Config, Scenario, fault_probability, parse_mix
from loadtest.simulator.firmware import FailureStep, FirmwareFaults, Timing
from loadtest.simulator.report import write_histogram
from loadtest.simulator.runner import Simulator
from loadtest.simulator.stats import format_summary

EXAMPLES = """examples:
  # 1000 stations against the local stack (make up), registered first, boot storm then 60 s at 200 CALL/s
  python -m loadtest.simulator --stations 1000 --provision 127.0.0.1:50052 --scenario boot-storm steady \\
      --duration 60 --rate 200 --histogram latency.png
  # another OCPP server: its URL prefix (station id appended) and the password its stations use
  python -m loadtest.simulator --url wss://csms.example/ocpp --password 'their-station-secret' --stations 50
"""


def parse_args(argv: list[str]) -> Config:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.simulator",
        description="Simulated OCPP 1.6 / 2.0.1 / 2.1 charging stations against any OCPP server.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    defaults = Config()
    add = parser.add_argument
    add("--url", default=defaults.url, help="WebSocket URL prefix; the station id is appended (default %(default)s)")
    add("--stations", type=int, default=defaults.stations, help="number of stations (default %(default)s)")
    add("--first-index", type=int, default=defaults.first_index, help="index of the first station id")
    add("--prefix", default=defaults.station_prefix, help="station id prefix (default %(default)s)")
    add("--password", default=defaults.password, help="HTTP Basic password of every station")
    add("--ca-file", type=Path, help="wss:// urls: the CA the stations trust (default: the system's)")
    add(
        "--client-certificates",
        type=Path,
        metavar="DIR",
        help="security profile 3: each station presents DIR/<id>.pem and DIR/<id>.key (csms certificates issue)",
    )
    add("--security-profile", type=int, choices=(1, 2, 3), default=1, help="profile --provision registers")
    add("--mix", default="1.6=40,2.0.1=40,2.1=20", help="OCPP version weights (default %(default)s)")
    add(
        "--scenario",
        nargs="+",
        default=["boot-storm"],
        choices=[scenario.value for scenario in Scenario],
        help="phases after the initial boot storm, in order (default: only the boot storm)",
    )
    add("--duration", type=float, default=defaults.duration_s, help="steady phase length in s (default %(default)s)")
    add("--rate", type=float, default=defaults.rate, help="steady CALLs per second, all stations (default %(default)s)")
    add("--no-sessions", action="store_true", help="steady state without charging sessions")
    add("--session-length", type=int, default=Mix().session_length, help="meter values per charging session")
    add("--fault-rate", type=float, default=0.0, help="steady NotifyEvent faults per s, all 2.x stations (default 0)")
    add(
        "--device-variables",
        type=int,
        default=defaults.device_variables,
        help="variables of each 2.x station's device model, reported on GetBaseReport (default %(default)s)",
    )
    add(
        "--report-items",
        type=int,
        default=defaults.report_items_per_message,
        help="variables per NotifyReport part (default %(default)s)",
    )
    add("--tokens", type=int, default=defaults.token_pool, help="id tokens shared by the stations (0: one each)")
    add("--connect-concurrency", type=int, default=defaults.connect_concurrency, help="handshakes in flight")
    add("--call-timeout", type=float, default=defaults.call_timeout_s, help="s to wait for an answer")
    add("--storm-timeout", type=float, default=defaults.storm_timeout_s, help="bound of a boot/reconnect storm in s")
    add("--reconnect-fraction", type=float, default=defaults.reconnect_fraction, help="share dropped in the storm")
    add("--progress", type=float, default=defaults.progress_interval_s, help="s between progress lines")
    add("--provision", metavar="ADDRESS", help="register the stations first at this AuthorizationService (gRPC)")
    add("--histogram", type=Path, help="write the latency histogram PNG here")
    add("--json", type=Path, help="write the summaries as JSON here")
    add("--seed", type=int, default=defaults.seed, help="random seed (default %(default)s)")
    add("--firmware-version", default=defaults.firmware_version, help="firmware the stations boot with at first")
    add(
        "--firmware-failure-rate",
        type=float,
        default=0.0,
        help="share of stations (fixed by --seed and the station id) whose firmware updates fail (default 0)",
    )
    add(
        "--firmware-failure-step",
        choices=[step.value for step in FailureStep],
        default=FailureStep.INSTALL.value,
        help="where they fail: download, signature, install, reboot (Installed, never reboots), silent "
        "(accepts, then sends nothing) or upload (log uploads fail) (default %(default)s)",
    )
    add(
        "--firmware-verify-signatures",
        action="store_true",
        help="check each image's signature against the signing certificate (else SignatureVerified as given)",
    )
    add("--firmware-install-time", type=float, default=Timing().install_s, help="s an installation takes")
    add("--firmware-reboot-time", type=float, default=Timing().reboot_s, help="s a reboot takes before reconnecting")
    supply = Electrical()
    add("--voltage", type=float, default=supply.voltage, help="each EVSE's nominal voltage, phase to neutral (V)")
    add("--evse-phases", type=int, default=supply.phases, choices=(1, 2, 3), help="phases wired to each EVSE")
    add("--evse-max-current", type=float, default=supply.max_current, help="each EVSE's hardware maximum (A/phase)")
    add("--car-max-current", type=float, default=32.0, help="the most a simulated car draws (A per phase)")
    add("--car-phases", type=int, default=3, choices=(1, 2, 3), help="phases a simulated car charges on")
    args = parser.parse_args(argv)
    try:
        mix = parse_mix(args.mix)
    except ValueError as exc:
        parser.error(str(exc))
    if args.device_variables < 1 or args.report_items < 1 or args.fault_rate < 0:
        parser.error("--device-variables and --report-items must be positive, --fault-rate not negative")
    if not 0 <= args.firmware_failure_rate <= 1:
        parser.error("--firmware-failure-rate must be between 0 and 1")
    if args.firmware_install_time < 0 or args.firmware_reboot_time < 0:
        parser.error("--firmware-install-time and --firmware-reboot-time must not be negative")
    if args.voltage <= 0 or args.evse_max_current <= 0 or args.car_max_current <= 0:
        parser.error("--voltage, --evse-max-current and --car-max-current must be positive")
    scenarios = tuple(Scenario(name) for name in args.scenario if name != Scenario.BOOT_STORM.value)
    return Config(
        url=args.url.rstrip("/"),
        stations=args.stations,
        first_index=args.first_index,
        station_prefix=args.prefix,
        password=args.password,
        ca_file=args.ca_file,
        client_certificates=args.client_certificates,
        security_profile=args.security_profile,
        mix=mix,
        scenarios=scenarios,
        duration_s=args.duration,
        rate=args.rate,
        behaviour=Mix(
            sessions=not args.no_sessions,
            session_length=args.session_length,
            fault_probability=fault_probability(args.fault_rate, args.rate, mix),
        ),
        token_pool=args.tokens,
        connect_concurrency=args.connect_concurrency,
        call_timeout_s=args.call_timeout,
        storm_timeout_s=args.storm_timeout,
        reconnect_fraction=args.reconnect_fraction,
        progress_interval_s=args.progress,
        provision_address=args.provision,
        provision_tls=CliSettings().grpc_tls,
        histogram=args.histogram,
        json_path=args.json,
        seed=args.seed,
        device_variables=args.device_variables,
        report_items_per_message=args.report_items,
        firmware_version=args.firmware_version,
        firmware_faults=FirmwareFaults(
            args.firmware_failure_rate, FailureStep(args.firmware_failure_step), seed=args.seed
        ),
        firmware_timing=Timing(args.firmware_install_time, args.firmware_reboot_time),
        firmware_verify_signatures=args.firmware_verify_signatures,
        electrical=Electrical(args.voltage, args.evse_phases, args.evse_max_current),
        car_max_current=args.car_max_current,
        car_phases=args.car_phases,
    )


def main(argv: list[str] | None = None) -> int:
    config = parse_args(sys.argv[1:] if argv is None else argv)
    simulator = Simulator(config, out=lambda line: print(line, flush=True))
    summaries = asyncio.run(simulator.run())
    print()
    for summary in summaries:
        print(format_summary(summary))
    if config.histogram is not None:
        title = f"{config.stations} stations at {config.url}: " + ", ".join(s.phase for s in summaries)
        write_histogram(simulator.phases, config.histogram, title)
        print(f"latency histogram: {config.histogram}")
    if config.json_path is not None:
        config.json_path.write_text(json.dumps([asdict(summary) for summary in summaries], indent=2))
    failed = any(
        summary.timeouts or (summary.phase != Scenario.STEADY.value and summary.boots_accepted < summary.stations)
        for summary in summaries
    )
    return 1 if failed else 0
