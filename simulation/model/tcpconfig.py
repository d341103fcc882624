# SPDX-License-Identifier: MIT
"""TCP parameters of a connection: validated values, INET's names for them, defaults with sources.

The defaults describe a Linux host on a LAN (the kernel's own defaults, which is what
a training stack gets unless it sets socket options), within what INET's `Tcp`
module can express; docs/tcp.md gives the source of each one:

- `mss` 1460: what fits a 1500-byte Ethernet MTU (1500 - 20 IPv4 - 20 TCP).
- `advertised_window` 65535: Linux's initial receive window (net.ipv4.tcp_rmem
  default 131072 B "results in initial window of 65535", ip-sysctl docs); INET
  has no receive-buffer autotuning, so the initial window is the window.
- `window_scaling` on: net.ipv4.tcp_window_scaling = 1; lets a profile raise the
  window above 64 KiB.
- `nagle` on: RFC 1122 4.2.3.4 SHOULD, the socket default (no TCP_NODELAY). INET
  counts cwnd in bytes, so without Nagle it splits the window into sub-MSS segments.
- `delayed_acks` off (INET's default): real stacks delay ACKs, but INET's delayed ACK
  is not the RFC's (it does not ACK a gap-filling segment at once, RFC 5681 4.2, and
  waits a fixed 200 ms): with it each hole of a loss recovery costs 200 ms and a
  message tail held by Nagle waits 200 ms, which no LAN stack does.
- `limited_transmit` on: RFC 3042 (FreeBSD net.inet.tcp.rfc3042 = 1).
- `increased_iw` on: RFC 3390's initial window, the nearest INET has to Linux's
  IW10 (RFC 6928).
- `algorithm` TcpNewReno: RFC 6582, the loss recovery of stacks without SACK.

SACK, timestamps and ECN exist in INET but not in the embedded engine: the values are
kept (the OMNeT++ backend renders them) and `check_embedded` refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.model.scenario_error import ScenarioError

#: Where the profile keeps the ML traffic's TCP table (the default field prefix).
DEFAULT_PREFIX = "traffic.ml.tcp"
MAX_WIN = 65535
MAX_SHIFT = 14  # RFC 7323 section 2.3
IPV4_HEADER = 20
TCP_HEADER = 20
MAX_MSS = 65535 - IPV4_HEADER - TCP_HEADER
#: INET's congestion-control flavours the model has (`simulation.embedded.transport.tcp.flavours`).
ALGORITHMS = ("TcpNewReno", "TcpReno", "TcpTahoe", "TcpNoCongestionControl")
#: Options INET has that the embedded engine does not model: field -> what it is.
UNMODELLED = {"sack": "SACK (RFC 2018)", "timestamps": "timestamps (RFC 7323)", "ecn": "ECN"}


@dataclass(frozen=True)
class TcpConfig:
    """The TCP model of one connection (both ends use the same), validated when built."""

    algorithm: str = "TcpNewReno"
    mss: int = 1460
    advertised_window: int = MAX_WIN
    window_scaling: bool = True
    nagle: bool = True
    delayed_acks: bool = False
    limited_transmit: bool = True
    increased_iw: bool = True
    sack: bool = False
    timestamps: bool = False
    ecn: bool = False

    def __post_init__(self) -> None:
        self.check(DEFAULT_PREFIX)

    @classmethod
    def build(cls, prefix: str, **values: object) -> TcpConfig:
        """A config whose errors name the fields under `prefix` (e.g. a flow's table)."""
        try:
            return cls(**values)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ScenarioError(f"{prefix}: {exc}", prefix) from None
        except ScenarioError as exc:
            field = (exc.field or DEFAULT_PREFIX).replace(DEFAULT_PREFIX, prefix, 1)
            raise ScenarioError(str(exc).replace(DEFAULT_PREFIX, prefix), field) from None

    def describe(self) -> str:
        """One line naming every parameter, for `fogcosim render`."""

        def on(value: bool) -> str:
            return "on" if value else "off"

        return (
            f"{self.algorithm}, MSS {self.mss} B, window {self.advertised_window} B, "
            f"window scaling {on(self.window_scaling)}, Nagle {on(self.nagle)}, delayed ACKs "
            f"{on(self.delayed_acks)}, limited transmit {on(self.limited_transmit)}, "
            f"RFC 3390 initial window {on(self.increased_iw)}, SACK {on(self.sack)}, "
            f"timestamps {on(self.timestamps)}, ECN {on(self.ecn)}"
        )

    def check(self, prefix: str) -> None:
        """Raise a one-line ScenarioError naming the first bad field under `prefix`."""
        if self.algorithm not in ALGORITHMS:
            allowed = ", ".join(ALGORITHMS)
            raise ScenarioError(
                f"{prefix}.algorithm = {self.algorithm!r} is unknown (allowed: {allowed})",
                f"{prefix}.algorithm",
            )
        for name in (
            "window_scaling", "nagle", "delayed_acks", "limited_transmit", "increased_iw",
            "sack", "timestamps", "ecn",
        ):  # fmt: skip
            value = getattr(self, name)
            if type(value) is not bool:
                raise ScenarioError(
                    f"{prefix}.{name} = {value!r} is not a boolean (allowed: true, false)",
                    f"{prefix}.{name}",
                )
        if type(self.mss) is not int or not 1 <= self.mss <= MAX_MSS:
            raise ScenarioError(
                f"{prefix}.mss = {self.mss!r} is out of range (allowed: 1 to {MAX_MSS} bytes)",
                f"{prefix}.mss",
            )
        top = MAX_WIN << MAX_SHIFT if self.window_scaling else MAX_WIN
        window = self.advertised_window
        if type(window) is not int or not 1 <= window <= top:
            hint = "" if self.window_scaling else "; turn on window_scaling for more"
            raise ScenarioError(
                f"{prefix}.advertised_window = {window!r} is out of range "
                f"(allowed: 1 to {top} bytes{hint})",
                f"{prefix}.advertised_window",
            )

    def check_mtu(self, mtu: int, prefix: str = DEFAULT_PREFIX) -> None:
        """Refuse an MSS whose segments would not fit one IPv4 packet of `mtu` bytes."""
        largest = mtu - IPV4_HEADER - TCP_HEADER
        if self.mss > largest:
            raise ScenarioError(
                f"{prefix}.mss = {self.mss} does not fit the {mtu}-byte MTU "
                f"(allowed: 1 to {largest} = MTU - 20 IPv4 - 20 TCP)",
                f"{prefix}.mss",
            )

    def check_embedded(self, prefix: str = DEFAULT_PREFIX) -> None:
        """Refuse options the embedded engine does not model (the OMNeT++ backend runs them)."""
        for name, what in UNMODELLED.items():
            if getattr(self, name):
                raise ScenarioError(
                    f"{prefix}.{name} = true: {what} is not modelled by the embedded engine; "
                    "the OMNeT++ backend runs it (--backend omnetpp)",
                    f"{prefix}.{name}",
                )

    def inet_parameters(self) -> dict[str, str]:
        """Parameters of INET's `Tcp` module (NED name -> ini literal) for this model.

        Rendered as `**.tcp.<name> = <value>` on the hosts that run TCP. Each one is
        written out, even where it equals INET's default (mss 536, Reno, no delayed
        ACKs, ... differ), so a change of INET's defaults cannot change the model.
        `windowScalingFactor = -1` lets INET pick the shift from the advertised window,
        which is what the embedded engine does.
        """

        def flag(value: bool) -> str:
            return "true" if value else "false"

        return {
            "tcpAlgorithmClass": f'"{self.algorithm}"',
            "mss": str(self.mss),
            "advertisedWindow": str(self.advertised_window),
            "windowScalingSupport": flag(self.window_scaling),
            "windowScalingFactor": "-1",
            "nagleEnabled": flag(self.nagle),
            "delayedAcksEnabled": flag(self.delayed_acks),
            "limitedTransmitEnabled": flag(self.limited_transmit),
            "increasedIWEnabled": flag(self.increased_iw),
            "sackSupport": flag(self.sack),
            "timestampSupport": flag(self.timestamps),
            "ecnWillingness": flag(self.ecn),
            "dupthresh": "3",
            "initialSsthresh": str(0xFFFFFFFF),
        }
