# SPDX-License-Identifier: MIT
"""The profile schema: every table and field a profile may hold, with type, unit and default.

One declaration serves three readers: `simulation.profile.tomlfields.Section` validates
a profile against it (unknown keys, with the closest valid key suggested;
types, units, bounds, allowed values), the profile builders read typed values
and defaults through it, and `simulation.profile.reference` renders it as the
profile reference in the docs, so the documentation cannot drift from what is
accepted. A default that shapes traffic or topology is recorded in the
scenario (`Scenario.profile_defaults`) and printed by `fogcosim render` when
it was used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulation.model.tcpconfig import ALGORITHMS

REQUIRED: Any = object()
NO_DEFAULT: Any = None

#: Field kinds and how the reference describes them.
KINDS = {
    "int": "integer",
    "any": "any TOML value",
    "capacity": 'integer (frames) or "unbounded"',
    "number": "number",
    "str": "string",
    "name": "name (letters, digits, _)",
    "bool": "boolean",
    "choice": "one of",
    "time": 'time, e.g. "400ms" (s, ms, us, ns, ps)',
    "time0": 'time, zero allowed, e.g. "0s"',
    "rate": 'data rate, e.g. "1Gbps" (bps, kbps, Mbps, Gbps)',
    "slope": 'data rate, e.g. "100Mbps", or a share of the port\'s link rate, e.g. "40%"',
    "flops": 'compute speed, e.g. "5GFLOPS" (FLOPS, kFLOPS, MFLOPS, GFLOPS, TFLOPS)',
    "memory": 'memory size, e.g. "4GB" (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)',
    "link": "link table { datarate = ..., length = ... } or { datarate = ..., delay = ... }",
    "table": "table",
    "tables": "array of tables ([[...]])",
    "list[int]": "list of integers",
    "list[time]": "list of times",
    "list[choice]": "list of",
    "list[name]": "list of names",
    "list[str]": "list of strings",
    "after": '"random" or a time after the request',
    "offset": '"random" or a time',
    "split": "layer name (FCDDT split), or omitted for the model's default",
}


@dataclass(frozen=True)
class Field:
    """One key of a profile table."""

    key: str
    kind: str
    doc: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None  # exclusive
    example: str = ""
    #: Table path of a nested table's (or an array's items') schema.
    table: str = ""
    #: Recorded in the scenario when its default is used (it shapes traffic or topology).
    shapes: bool = True

    @property
    def required(self) -> bool:
        """Whether the key must be given."""
        return self.default is REQUIRED


@dataclass(frozen=True)
class Table:
    """One profile table: its fields, or for an open table, the schema of every value."""

    path: str
    doc: str
    fields: tuple[Field, ...] = ()
    #: Open tables take any name as key (e.g. a fog node's name); each value follows `values`.
    values: Field | None = None

    def field(self, key: str) -> Field | None:
        """The field called `key`, or the open table's value field."""
        for f in self.fields:
            if f.key == key:
                return f
        return self.values

    @property
    def keys(self) -> list[str]:
        """Declared keys, in order."""
        return [f.key for f in self.fields]


_LINK = (
    Field("datarate", "rate", "Data rate of the full-duplex Ethernet link.", example='"1Gbps"'),
    Field(
        "length", "str", "Cable length (propagation delay = length / 2e8 m/s); or give `delay`.",
        "10m", example='"10m"',
    ),
    Field("delay", "time0", "Propagation delay, instead of `length`.", NO_DEFAULT, example='"1ms"'),
)  # fmt: skip

_FLOW_FIELDS = (
    Field(
        "name", "name", "Flow name (unique); results are reported under it.",
        example='"plc1_loop"',
    ),
    Field(
        "class", "choice", "Traffic class: how the flow is summarised and prioritised.",
        choices=("critical", "ml", "background"), example='"critical"',
    ),
    Field("src", "name", "Sending host (fog node, cloud or a named host).", example='"plc1"'),
    Field("dst", "name", "Receiving host.", example='"fog3"'),
    Field("period", "time", "Time between two messages.", example='"10ms"'),
    Field("size_bytes", "int", "Message size in bytes (UDP payload).", minimum=1, example="200"),
    Field(
        "offset", "offset", "Send time of the first message; \"random\" draws it from the seed.",
        "random", example='"2ms"',
    ),
    Field(
        "deadline", "time", "Largest acceptable delay of a message; misses are counted.",
        NO_DEFAULT, example='"5ms"',
    ),
    Field(
        "priority", "int", "Priority level under strict-priority scheduling (0 = highest); "
        "default: the class's level from [simulation.priorities].", NO_DEFAULT, minimum=0,
    ),
    Field(
        "pcp", "int", 'scheduling = "tsn": the 802.1Q priority (PCP) of its frames; default: '
        "its class's from [tsn.pcp].", NO_DEFAULT, minimum=0, maximum=8, example="7",
    ),
    Field(
        "reply_bytes", "int", "Makes the flow a request/reply pair: the reply's size. The reply "
        "is flow `<name>_reply`, from dst to src (not allowed for class ml: it is one-way).",
        NO_DEFAULT, minimum=1, example="1500",
    ),
    Field(
        "processing", "time0", "A closed loop: the reply leaves this long after its request "
        "arrived (an answer to what was received, as a controller does); a lost or late request "
        "delays or suppresses its reply. With reply_bytes, give this or reply_after.",
        NO_DEFAULT, example='"50us"',
    ),
    Field(
        "reply_after", "time0", "An open loop (the paper's periodic pairs): each reply leaves "
        "this long after its request was sent, whether or not the request arrived.",
        NO_DEFAULT, example='"1ms"',
    ),
    Field(
        "loop_deadline", "time", "Closed loops: the largest acceptable round trip (request sent "
        "to reply received); misses (late, lost, or overdue at the end) are counted.",
        NO_DEFAULT, example='"1ms"',
    ),
    Field(
        "reply_deadline", "time", "The reply's deadline (default: the request's `deadline`).",
        NO_DEFAULT,
    ),
    Field(
        "transport", "choice", 'How the messages travel: "udp" (datagrams, lost at a full '
        'queue) or "tcp" (one connection per flow for the whole run, a message per period, '
        "written to the stream; TCP resends what a queue drops).", "udp",
        choices=("udp", "tcp"),
    ),
    Field(
        "tcp", "table", 'The TCP parameters of a transport = "tcp" flow (its connection '
        "both ways).", {}, table="tcp",
    ),
)  # fmt: skip

SCHEMA: dict[str, Table] = {
    "": Table(
        "",
        "A profile: a factory layout and its traffic. Tables [profile] and [topology] are "
        "required; traffic appears only where the profile declares it.",
        (
            Field("profile", "table", "Name and description.", table="profile"),
            Field("topology", "table", "The network layout.", table="topology"),
            Field("simulation", "table", "What to simulate and how.", {}, table="simulation"),
            Field("traffic", "table", "The traffic.", {}, table="traffic"),
            Field("compute", "table", "Device speeds (rounds pacing).", {}, table="compute"),
            Field(
                "tsn", "table", 'Time-Sensitive Networking (scheduling = "tsn").', {}, table="tsn"
            ),
        ),
    ),
    "profile": Table(
        "profile",
        "What the profile is.",
        (
            Field(
                "name",
                "str",
                "Profile name (letters, digits, '-', '_'); names the sweep's output folder.",
                example='"my-plant"',
            ),
            Field("description", "str", "One line describing the plant.", "", shapes=False),
            Field(
                "reference",
                "choice",
                "Published results to compare with in reports: "
                '"sec21-table4" shows the paper\'s Table 4 beside ours.',
                "none",
                choices=("none", "sec21-table4"),
                shapes=False,
            ),
        ),
    ),
    "topology": Table(
        "topology",
        "The layout: a tree of Ethernet switches with the fog nodes (`fog0`, `fog1`, ...), the "
        "cloud (`cloud`) and any named hosts. Layout-specific keys apply to their layout only.",
        (
            Field("layout", "choice", "The layout template.", choices=("star", "line", "tree")),
            Field("network", "name", "NED network name.", example='"MyPlant"'),
            Field(
                "fog_link",
                "link",
                "Link of each fog node to its switch.",
                {"datarate": "1Gbps", "length": "10m"},
                table="link",
            ),
            Field(
                "cloud_link",
                "link",
                "Link from the head switch to the cloud (or gateway).",
                {"datarate": "1Gbps", "length": "10m"},
                table="link",
            ),
            Field(
                "fog_per_cell", "int", "line: fog nodes per cell switch `cell<i>`.", 3, minimum=1
            ),
            Field(
                "trunk_link",
                "link",
                "line: link between adjacent cell switches.",
                {"datarate": "1Gbps", "length": "10m"},
                table="link",
            ),
            Field(
                "fog_per_access", "int", "tree: fog nodes per access switch `acc<i>`.", 4, minimum=1
            ),
            Field(
                "uplink",
                "link",
                "tree: access switch to aggregation switch `agg`.",
                {"datarate": "10Gbps", "length": "100m"},
                table="link",
            ),
            Field(
                "gateway", "bool", "Put an IP router `gw` and a WAN link before the cloud.", False
            ),
            Field(
                "wan_link",
                "link",
                "The WAN link from `gw` to the cloud (required with gateway = true).",
                NO_DEFAULT,
                table="link",
            ),
            Field(
                "hosts",
                "tables",
                "Named hosts: PLCs, HMIs, cameras, servers.",
                [],
                table="topology.hosts[]",
            ),
        ),
    ),
    "link": Table("link", "A full-duplex Ethernet link.", _LINK),
    "topology.hosts[]": Table(
        "topology.hosts[]",
        "One named host ([[topology.hosts]]), attached to a switch of the layout.",
        (
            Field("name", "name", "Host name; flows use it as src or dst.", example='"plc1"'),
            Field(
                "attach",
                "name",
                "The switch it is cabled to (e.g. sw0, cell1, acc0, agg).",
                example='"cell1"',
            ),
            Field(
                "link", "link", "Its link.", {"datarate": "1Gbps", "length": "10m"}, table="link"
            ),
            Field(
                "role",
                "str",
                "What it is (free text, for reports).",
                "",
                shapes=False,
                example='"PLC"',
            ),
        ),
    ),
    "simulation.variants[]": Table(
        "simulation.variants[]",
        "One variant of the profile ([[simulation.variants]]): a sweep runs every fog-node "
        "count, method and seed once per variant, with these fields set, and reports each "
        "variant apart (e.g. batch sizes, straggler rates, scheduling mechanisms).",
        (
            Field(
                "name", "name", "The variant's name (in run folders and reports).", example='"b500"'
            ),
            Field(
                "set",
                "table",
                "Dotted profile fields and their values in this variant, e.g. "
                '{ "traffic.ml.batch_size" = 500 }; missing tables are created; a part ending '
                'in [] means every item of an array of tables ("traffic.flows[].deadline").',
                {},
                table="simulation.variants[].set",
            ),
            Field(
                "unset",
                "list[str]",
                "Dotted profile fields this variant removes before it sets its own (so their "
                'defaults apply), e.g. ["tsn", "traffic.flows[].pcp"] for a FIFO variant of a '
                "TSN profile; a field the profile does not have is an error.",
                [],
                shapes=False,
                example='["tsn"]',
            ),
            Field("description", "str", "What the variant is, for the report.", ""),
        ),
    ),
    "simulation.variants[].set": Table(
        "simulation.variants[].set",
        "Dotted profile field -> value.",
        values=Field("<dotted field>", "any", "The field's value in this variant."),
    ),
    "simulation": Table(
        "simulation",
        "What a sweep runs and how the network queues.",
        (
            Field(
                "variants",
                "tables",
                "Variants of the profile a sweep runs side by side (see [[simulation.variants]]).",
                [],
                table="simulation.variants[]",
                shapes=False,
            ),
            Field(
                "fog_nodes",
                "list[int]",
                "Fog-node counts a sweep runs.",
                [4, 7, 10, 12, 15, 18],
                shapes=False,
            ),
            Field(
                "methods",
                "list[choice]",
                "Methods a sweep runs (none = no ML).",
                ["none", "cc", "fl", "fcddt"],
                choices=("none", "cc", "fl", "fcddt"),
                shapes=False,
            ),
            Field(
                "seeds",
                "int",
                "Network seeds a sweep runs (0..seeds-1): start offsets, neighbour periods.",
                3,
                minimum=1,
                shapes=False,
            ),
            Field(
                "train_seeds",
                "int",
                'pacing = "rounds": training seeds a sweep runs (0..train_seeds-1): model init, '
                "data shards, batch order. Runs pair network and training seeds one to one "
                "(equal counts), or repeat the seed of a count of 1 for every run; omitted: "
                "equal to seeds (run k: network seed k, training seed k).",
                NO_DEFAULT,
                minimum=1,
                shapes=False,
            ),
            Field(
                "scheduling",
                "choice",
                'Interface queues: one FIFO, strict priority by level, or 802.1Q ("tsn": '
                "VLAN-tagged frames, traffic classes by PCP, the gates, shapers and preemption "
                "of [tsn]).",
                "fifo",
                choices=("fifo", "strict-priority", "tsn"),
            ),
            Field(
                "queue_capacity",
                "capacity",
                "Frames each interface queue (each level's) holds before it drops "
                'arriving frames; "unbounded" never drops. The default is INET\'s own '
                "(EthernetQueue, a DropTailQueue of 100 frames).",
                100,
                minimum=1,
            ),
            Field(
                "queue_bytes",
                "int",
                "Bytes of Ethernet frames each interface queue holds (INET's dataCapacity), "
                "besides or instead of queue_capacity: switch buffers are sized in bytes; "
                "omitted: no byte limit.",
                NO_DEFAULT,
                minimum=64,
            ),
            Field("mtu", "int", "IPv4 MTU in bytes (576..1500).", 1500, minimum=576),
            Field(
                "max_hyperperiod",
                "time",
                "Refuse flow periods whose LCM is longer.",
                "60s",
                shapes=False,
            ),
            Field(
                "priorities",
                "table",
                "Priority level of each class (0 = highest).",
                {},
                table="simulation.priorities",
            ),
            Field("warmup", "time0", "Simulated time before results are recorded.", "0s"),
            Field(
                "sim_time",
                "time",
                "Measured time after the warm-up (default: one hyperperiod; a sweep of a "
                'pacing = "rounds" profile: train_rounds x batch_period).',
                NO_DEFAULT,
            ),
            Field(
                "hyperperiods",
                "int",
                "Measure this many hyperperiods instead.",
                NO_DEFAULT,
                minimum=1,
            ),
            Field(
                "window",
                "choice",
                'A sweep of a pacing = "rounds" profile: "shared" measures every run over one '
                "window (the protocol runs on through it, so critical delays of every method and "
                'the no-ML baseline rest on the same time); "training" ends each ML run when '
                "every fog node has the last trained round's download (sim_time is then a cap): "
                "far less to simulate where rounds go as fast as they can, but each run "
                "measures its own time (see docs/rounds.md).",
                "shared",
                choices=("shared", "training"),
                shapes=False,
            ),
        ),
    ),
    "simulation.priorities": Table(
        "simulation.priorities",
        "Priority levels per class under strict priority.",
        (
            Field("critical", "int", "Level of critical traffic.", 0, minimum=0),
            Field("ml", "int", "Level of ML traffic.", 1, minimum=0),
            Field("background", "int", "Level of background traffic.", 1, minimum=0),
        ),
    ),
    "traffic": Table(
        "traffic",
        "The traffic. Each table generates flows only if it is present (and enabled).",
        (
            Field(
                "cloud",
                "table",
                "The paper's FN <-> cloud critical exchange.",
                NO_DEFAULT,
                table="traffic.cloud",
            ),
            Field(
                "neighbours",
                "table",
                "The paper's FN <-> ring-neighbour critical exchange.",
                NO_DEFAULT,
                table="traffic.neighbours",
            ),
            Field(
                "ml",
                "table",
                "The training traffic of the method under study.",
                NO_DEFAULT,
                table="traffic.ml",
            ),
            Field("flows", "tables", "The plant's own flows.", [], table="traffic.flows[]"),
        ),
    ),
    "traffic.cloud": Table(
        "traffic.cloud",
        "Each fog node sends a critical request to the cloud and the cloud replies (paper "
        "Section 4.1).",
        (
            Field("enabled", "bool", "Set false to keep the table but generate nothing.", True),
            Field("request_bytes", "int", "Request size.", 1400, minimum=1),
            Field("reply_bytes", "int", "Reply size.", 5000, minimum=1),
            Field("period", "time", "Period of both.", "400ms"),
            Field(
                "reply_after",
                "after",
                'Reply offset: "random" or a time after the request.',
                "random",
            ),
            Field(
                "deadline", "time", "Deadline of each message (default: the period).", NO_DEFAULT
            ),
        ),
    ),
    "traffic.neighbours": Table(
        "traffic.neighbours",
        "Each fog node exchanges requests and replies with its ring neighbours i+1, i-1, ... "
        "(paper Section 4.1).",
        (
            Field("enabled", "bool", "Set false to keep the table but generate nothing.", True),
            Field("count", "int", "Neighbours per fog node.", 2, minimum=0),
            Field("request_bytes", "int", "Request size.", 1400, minimum=1),
            Field("reply_bytes", "int", "Reply size.", 4000, minimum=1),
            Field(
                "periods",
                "list[time]",
                "Each exchange's period is drawn from these.",
                ["200ms", "300ms", "400ms"],
            ),
            Field(
                "reply_after",
                "after",
                'Reply offset: "random" or a time after the request.',
                "random",
            ),
            Field(
                "deadline", "time", "Deadline of each message (default: its period).", NO_DEFAULT
            ),
        ),
    ),
    "traffic.ml": Table(
        "traffic.ml",
        "The ML method's traffic. Sizes are measured with mlpayloads (cached) for the data "
        "set and model, or given per method in [traffic.ml.bytes.<method>].",
        (
            Field(
                "pacing",
                "choice",
                '"periodic": one round per period, as independent '
                "periodic flows (the paper's model); \"rounds\": the training's round protocol, "
                "each round starting when the previous one's download arrived.",
                "periodic",
                choices=("periodic", "rounds"),
            ),
            Field("period", "time", "periodic: one round per period.", "1000ms"),
            Field(
                "offsets",
                "choice",
                "periodic: start offsets of the ML flows drawn per flow "
                '("random") or the same for every fog node ("aligned").',
                "random",
                choices=("random", "aligned"),
            ),
            Field(
                "directions",
                "choice",
                'periodic: "paper" sends a request and a reply of '
                'the round\'s upload + download bytes; "measured" the upload FN -> cloud and '
                "the download cloud -> FN.",
                "measured",
                choices=("paper", "measured"),
            ),
            Field(
                "request_bytes",
                "int",
                "periodic, directions = paper: the request's size.",
                1200,
                minimum=1,
            ),
            Field("reply_after", "after", "periodic: reply offset after the request.", "random"),
            Field("dataset", "choice", "Data set.", "mnist", choices=("mnist", "cifar10")),
            Field("model", "choice", "Model.", "mlp", choices=("mlp", "cnn", "lenet5", "vgg16")),
            Field("batch_size", "int", "Batch size B per fog node and round.", 100, minimum=1),
            Field(
                "dtype",
                "choice",
                "Wire dtype of float tensors.",
                "float32",
                choices=("float32", "float16"),
            ),
            Field("split", "split", "FCDDT: the last layer on the fog node.", NO_DEFAULT),
            Field("local_steps", "int", "FL: local SGD steps per round.", 1, minimum=1),
            Field(
                "rounds", "int", "Rounds trained to measure the sizes.", 2, minimum=1, shapes=False
            ),
            Field(
                "accounting",
                "choice",
                '"measured": every message of the exact '
                'implementation; "table1": only the messages the paper\'s Table 1 counts.',
                "measured",
                choices=("measured", "table1"),
            ),
            Field(
                "bytes",
                "table",
                "Sizes per method instead of measuring.",
                {},
                table="traffic.ml.bytes",
            ),
            Field(
                "transport",
                "choice",
                'How the ML messages travel. "tcp": every fog node keeps one TCP connection to '
                "the cloud for the whole run (as a gRPC channel does) and writes its messages "
                "to it in protocol order; a message arrives when its last byte does, and TCP "
                'resends what a full queue drops. "udp": each message is a burst of '
                "datagrams; one lost frame loses the message. Default: tcp with pacing = "
                '"rounds", udp with pacing = "periodic" (the paper\'s model).',
                NO_DEFAULT,
                choices=("udp", "tcp"),
            ),
            Field(
                "tcp",
                "table",
                'The TCP parameters of transport = "tcp" (both ends of every connection).',
                {},
                table="tcp",
            ),
            Field(
                "policy",
                "choice",
                'rounds: which uploads the cloud aggregates: "all", '
                '"quorum" (the first ceil((1-straggler_rate)p) to arrive) or "deadline" '
                "(those within round_deadline of the round's start).",
                "all",
                choices=("all", "quorum", "deadline"),
            ),
            Field(
                "straggler_rate",
                "number",
                "rounds, policy = quorum: the paper's alpha.",
                0.0,
                minimum=0.0,
                maximum=1.0,
            ),
            Field(
                "round_deadline",
                "time",
                "rounds, policy = deadline: time allowed for uploads after a round starts.",
                NO_DEFAULT,
            ),
            Field(
                "stall_timeout",
                "time",
                "rounds: a round not over this long after its start means the protocol cannot "
                "go on (a lost message, a link too slow): the run ends with an error naming the "
                "message and where it was lost. Default: 10 times the round's serial time "
                "(every message one after another over the cloud's link, plus compute), at "
                "least 10s.",
                NO_DEFAULT,
                shapes=False,
            ),
            Field(
                "batch_period",
                "time0",
                "rounds: a fresh batch arrives at each fog node every batch_period; a round "
                'needs one. "0s": data is always there (a backlogged sensor stream), so a fog '
                "node starts its next round as soon as it has the last download: rounds go as "
                "fast as compute and network allow.",
                "100ms",
            ),
            Field(
                "train_rounds",
                "int",
                "rounds: rounds a run trains; `fogcosim cosim` ends when every fog node has the "
                "last one's download, a sweep measures every run over train_rounds x "
                "batch_period (see docs/rounds.md).",
                20,
                minimum=1,
            ),
            Field(
                "target_accuracy",
                "number",
                "rounds: accuracy whose simulated time a study reports (time to accuracy).",
                0.8,
                minimum=0.0,
                maximum=1.0,
                shapes=False,
            ),
            Field(
                "lr",
                "number",
                "rounds: learning rate of plain SGD.",
                0.05,
                minimum=0.0,
                shapes=False,
            ),
            Field(
                "partition",
                "choice",
                'rounds: how the training set is divided among the fog nodes: "iid" (random '
                'shards of equal size) or "dirichlet" (label skew: each label\'s records split '
                "by Dirichlet(dirichlet_alpha) proportions, seeded; see docs/mlpayloads.md).",
                "iid",
                choices=("iid", "dirichlet"),
                shapes=False,
            ),
            Field(
                "dirichlet_alpha",
                "number",
                "rounds, partition = dirichlet: the concentration, > 0 (0.1: most fog nodes "
                "hold one or two labels; 100: almost IID).",
                0.5,
                minimum=0.0,
                shapes=False,
            ),
        ),
    ),
    "traffic.ml.bytes": Table(
        "traffic.ml.bytes",
        "Given sizes per method (cc, fl, fcddt), e.g. [traffic.ml.bytes.fl] upload = ..., "
        "download = ...",
        values=Field("<method>", "table", "Bytes of one method.", table="traffic.ml.bytes.method"),
    ),
    "traffic.ml.bytes.method": Table(
        "traffic.ml.bytes.method",
        "Bytes per fog node and round of one method.",
        (
            Field("upload", "int", "Bytes a fog node sends per round.", minimum=0),
            Field("download", "int", "Bytes a fog node receives per round.", minimum=0),
        ),
    ),
    "traffic.flows[]": Table(
        "traffic.flows[]",
        "One flow ([[traffic.flows]]) between any two hosts; with reply_bytes, a request/reply "
        "pair.",
        _FLOW_FIELDS,
    ),
    "tsn": Table(
        "tsn",
        'IEEE 802.1Q on every port (scheduling = "tsn"): each frame carries a VLAN tag (4 B) '
        "with its flow's PCP; a port has `traffic_classes` queues, a frame's queue is its "
        "traffic class from its PCP (IEEE 802.1Q-2018 Table 8-5; with 8 classes PCP p is class "
        "p, but PCP 0 is class 1 and PCP 1 class 0), served in strict priority (highest class "
        "first). Gates, shapers and preemption are optional.",
        (
            Field("traffic_classes", "int", "Queues per port (1..8).", 8, minimum=1, maximum=9),
            Field("pcp", "table", "PCP of each traffic class's flows.", {}, table="tsn.pcp"),
            Field(
                "gates",
                "tables",
                '802.1Qbv gate control lists, one per port (or per switch with peer = "*").',
                [],
                table="tsn.gates[]",
            ),
            Field("shapers", "tables", "802.1Qav credit-based shapers.", [], table="tsn.shapers[]"),
            Field(
                "synthesize",
                "choice",
                "Have fogcosim compute the gate control lists for the protected flows, every "
                "port of their paths (instead of [[tsn.gates]]): greedy per hop, or optimal "
                "(OR-Tools CP-SAT, fewest worst-case latency). `fogcosim schedule` writes the same "
                "lists as TOML to read or edit; each run's flows.csv gives the guaranteed latency.",
                NO_DEFAULT,
                choices=("greedy", "optimal"),
            ),
            Field(
                "protect",
                "list[name]",
                "The flows a synthesised schedule protects (default: every critical flow).",
                NO_DEFAULT,
                example='["creq_fog0", "crep_fog0"]',
            ),
            Field(
                "express",
                "list[int]",
                "802.1Qbu/802.3br frame preemption on every port: the "
                "PCPs sent as express frames (the rest are preemptable). A port then has two "
                "FIFO queues, express and preemptable (INET's model); not combined with gates "
                "or shapers.",
                NO_DEFAULT,
                minimum=0,
                maximum=8,
                example="[6, 7]",
            ),
        ),
    ),
    "tsn.pcp": Table(
        "tsn.pcp",
        "PCP (0..7) of each class's flows; defaults: critical 6 (IEC/IEEE 60802's place for "
        "isochronous and cyclic control), ml 0 (best effort), background 1 (background), the "
        "traffic types of IEEE 802.1Q-2018 Table I-2.",
        (
            Field("critical", "int", "PCP of critical flows.", 6, minimum=0, maximum=8),
            Field("ml", "int", "PCP of ML flows and the round protocol.", 0, minimum=0, maximum=8),
            Field("background", "int", "PCP of background flows.", 1, minimum=0, maximum=8),
        ),
    ),
    "tsn.gates[]": Table(
        "tsn.gates[]",
        "One gate control list ([[tsn.gates]]): from `base` on, every `cycle`, its entries in "
        "turn keep the listed traffic classes' gates open for their duration, the others "
        "closed. A frame starts only if it ends before its gate closes (guard band).",
        (
            Field("node", "name", "The switch or host whose port it is.", example='"sw0"'),
            Field(
                "peer",
                "str",
                'The neighbour the port sends to; "*": every port of the node.',
                example='"cloud"',
            ),
            Field(
                "cycle", "time", "Cycle time; the entries' durations add up to it.", example='"1ms"'
            ),
            Field("base", "time0", "Start of the first cycle.", "0s"),
            Field(
                "entries",
                "tables",
                'The entries in order, e.g. [{ duration = "30us", '
                'open = [7] }, { duration = "970us", open = [0, 1, 2, 3, 4, 5, 6] }].',
                table="tsn.gates[].entries[]",
            ),
        ),
    ),
    "tsn.gates[].entries[]": Table(
        "tsn.gates[].entries[]",
        "One entry of a gate control list.",
        (
            Field("duration", "time", "How long the entry lasts.", example='"30us"'),
            Field(
                "open",
                "list[int]",
                "Traffic classes whose gates are open (the rest closed).",
                minimum=0,
                maximum=8,
                example="[7]",
            ),
        ),
    ),
    "tsn.shapers[]": Table(
        "tsn.shapers[]",
        "One credit-based shaper ([[tsn.shapers]]) on a traffic class: its frames start only "
        "with non-negative credit, which grows at the idle slope while they wait and falls at "
        "(idle slope - link rate) while they are sent.",
        (
            Field("node", "str", 'The switch or host; "*": every node.', example='"sw0"'),
            Field("peer", "str", 'The neighbour the port sends to; "*": every port.', "*"),
            Field("traffic_class", "int", "The shaped traffic class.", minimum=0, maximum=8),
            Field(
                "idle_slope",
                "slope",
                "Idle slope: the class's reserved rate, or a share of each port's link rate "
                '("40%": 400 Mbps on a 1 Gbps port, 40 Mbps on a 100 Mbps one).',
                example='"100Mbps"',
            ),
        ),
    ),
    "tcp": Table(
        "tcp",
        "TCP as INET's `Tcp` module runs it ([traffic.ml.tcp], or a flow's `tcp` table). The "
        "defaults are a Linux host on a LAN within what INET can express; docs/tcp.md gives "
        "each one's source. `fogcosim render` prints the values used.",
        (
            Field(
                "algorithm",
                "choice",
                "Congestion control (INET's tcpAlgorithmClass).",
                "TcpNewReno",
                choices=ALGORITHMS,
            ),
            Field(
                "mss",
                "int",
                "Maximum segment size in bytes; default: what fits the MTU (MTU - 40, 1460 at "
                "1500).",
                NO_DEFAULT,
                minimum=1,
            ),
            Field(
                "advertised_window",
                "int",
                "Receive window in bytes (INET's advertisedWindow); above 65535 needs "
                "window_scaling.",
                65535,
                minimum=1,
            ),
            Field("window_scaling", "bool", "RFC 7323 window scaling.", True),
            Field("nagle", "bool", "Nagle's algorithm (off: TCP_NODELAY).", True),
            Field("delayed_acks", "bool", "Delayed ACKs (INET's: a fixed 200 ms).", False),
            Field("limited_transmit", "bool", "RFC 3042 limited transmit.", True),
            Field("increased_iw", "bool", "RFC 3390 initial window (up to 4 segments).", True),
            Field("sack", "bool", "SACK (OMNeT++ backend only).", False),
            Field("timestamps", "bool", "RFC 7323 timestamps (OMNeT++ backend only).", False),
            Field("ecn", "bool", "ECN (OMNeT++ backend only).", False),
        ),
    ),
    "compute": Table(
        "compute",
        "Device speeds for the round protocol's compute steps (FLOPs counted from the model): "
        "plain speeds, or device classes from the shipped catalogue (raspberry_pi_4, "
        "jetson_nano, jetson_orin_nano, industrial_pc, cloud_gpu_a100; figures and sources in "
        "docs/rounds.md) or from [compute.devices].",
        (
            Field("fog", "flops", "Speed of every fog node (or give device classes).", "5GFLOPS"),
            Field("cloud", "flops", "Speed of the cloud (or give cloud_device).", "5TFLOPS"),
            Field(
                "fog_device",
                "name",
                "Device class of every fog node, instead of fog.",
                NO_DEFAULT,
                example='"raspberry_pi_4"',
            ),
            Field(
                "fog_devices",
                "list[name]",
                "Device class of each fog node, one per fog node (fog0 first), instead of fog.",
                NO_DEFAULT,
                example='["raspberry_pi_4", "jetson_orin_nano"]',
            ),
            Field(
                "fog_device_counts",
                "table",
                "Device classes by count, in table order (the "
                "first n fog nodes get the first class, ...); the counts must add up to the "
                "fog-node count.",
                NO_DEFAULT,
                table="compute.fog_device_counts",
                example="{ raspberry_pi_4 = 6, jetson_orin_nano = 2 }",
            ),
            Field(
                "cloud_device",
                "name",
                "Device class of the cloud, instead of cloud.",
                NO_DEFAULT,
                example='"cloud_gpu_a100"',
            ),
            Field(
                "speed_variation",
                "number",
                "rounds: how much a fog node's compute time varies from round to round: each "
                "round's time is the nominal one times a lognormal factor of mean 1 and this "
                "coefficient of variation, drawn per fog node and round from the run's seed "
                "(0: no variation). Stragglers then come from the devices as well as the network.",
                0.0,
                minimum=0.0,
                maximum=5.0,
            ),
            Field(
                "devices",
                "table",
                "This profile's own device classes, beside the catalogue.",
                {},
                table="compute.devices",
            ),
            Field(
                "fog_overrides",
                "table",
                'Per fog node speeds, e.g. fog3 = "1GFLOPS" (over any device class).',
                {},
                table="compute.fog_overrides",
            ),
        ),
    ),
    "compute.fog_device_counts": Table(
        "compute.fog_device_counts",
        "Fog nodes per device class (keys: device class names), e.g. raspberry_pi_4 = 6.",
        values=Field("<device class>", "int", "Fog nodes of that class.", minimum=0),
    ),
    "compute.devices": Table(
        "compute.devices",
        'The profile\'s own device classes, e.g. [compute.devices.my_box] flops = "20GFLOPS".',
        values=Field("<name>", "table", "One device class.", table="compute.devices.class"),
    ),
    "compute.devices.class": Table(
        "compute.devices.class",
        "One device class ([compute.devices.<name>]).",
        (
            Field(
                "flops",
                "flops",
                "Sustained speed for the model's precision (float32 "
                "training), not the datasheet peak.",
                example='"20GFLOPS"',
            ),
            Field(
                "memory",
                "memory",
                "Memory for training tensors; a model whose estimated "
                "training memory on a fog node exceeds it is refused.",
                NO_DEFAULT,
                example='"2GB"',
            ),
            Field("description", "str", "What the device is (for reports).", "", shapes=False),
        ),
    ),
    "compute.fog_overrides": Table(
        "compute.fog_overrides",
        "Speed of individual fog nodes (keys: fog0, fog1, ...).",
        values=Field("<fog node>", "flops", "That fog node's speed."),
    ),
}


def table(path: str) -> Table:
    """The schema of a table path (array items end in `[]`)."""
    return SCHEMA[path]


def default_text(f: Field) -> str:
    """A default as a profile would write it ("—" for required, "(none)" for optional)."""
    if f.required:
        return "required"
    if f.default is NO_DEFAULT or f.default == {}:
        return "(none)"
    return format_value(f.default)


def format_value(value: Any) -> str:
    """A value in TOML-like syntax, for messages and docs."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {format_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


@dataclass
class DefaultsUsed:
    """Defaults that shaped a scenario: dotted field -> default text."""

    entries: dict[str, str] = field(default_factory=dict)
