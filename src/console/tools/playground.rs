//! Playground commands, for what Kafka's own tools don't do: build the cluster, run steady
//! producers and group consumers, look at everything at once, and learn the console.

use crate::console::format::errors::log_timestamp;
use crate::console::output::ToolExit;
use crate::console::run::{Console, IDLE_STOP_MS, WAIT_LIMIT_MS};
use crate::console::script::parse_duration;
use crate::console::Tool;
use crate::engine::client::Client;
use crate::engine::config::Era;
use crate::engine::time::{human, Millis};
use crate::engine::view::ClientKind;
use crate::engine::{ClusterSpec, Command, ControllerMode, WorkloadSpec};
use crate::ordered;
use std::collections::BTreeMap;

/// Flags of a playground command: `--name value`, repeatable ones collected, bare flags `true`.
struct Flags {
    values: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Flags {
    /// Parses `args` allowing `valued` flags (take a value) and `bare` flags.
    fn parse(cmd: &str, args: &[String], valued: &[&str], bare: &[&str]) -> Result<Flags, String> {
        let mut f = Flags {
            values: Vec::new(),
            positional: Vec::new(),
        };
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            let Some(body) = a.strip_prefix("--") else {
                f.positional.push(a.clone());
                continue;
            };
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            if bare.contains(&name) {
                f.values.push((name.to_string(), "true".into()));
            } else if valued.contains(&name) {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        let Some(v) = args.get(i) else {
                            return Err(format!("{cmd}: --{name} needs a value"));
                        };
                        i += 1;
                        v.clone()
                    }
                };
                f.values.push((name.to_string(), v));
            } else {
                let mut allowed: Vec<String> = valued
                    .iter()
                    .chain(bare)
                    .map(|n| format!("--{n}"))
                    .collect();
                ordered::sort(&mut allowed);
                return Err(format!(
                    "{cmd}: unknown option --{name}; allowed: {}",
                    allowed.join(", ")
                ));
            }
        }
        Ok(f)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.values
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

fn fail(message: impl Into<String>) -> ToolExit {
    let mut m = message.into();
    m.push('\n');
    ToolExit::err(m, 1)
}

/// Runs a playground command (`first`: nothing ran before it in this console).
pub fn run(console: &mut Console, program: &str, args: &[String], first: bool) -> ToolExit {
    let sub = args.first().map(String::as_str).unwrap_or("");
    let rest = if args.is_empty() { args } else { &args[1..] };
    match (program, sub) {
        ("cluster", "create") => cluster_create(console, rest, first),
        ("cluster", _) => fail("cluster: usage: cluster create --brokers N [--racks a,b,c] [--mode kraft|zookeeper] [--controllers 1|3|5] [--combined] [--era 4|2]"),
        ("producer", "start") => producer_start(console, rest),
        ("producer", "stop") => producer_stop(console, rest),
        ("producer", _) => fail("producer: usage: producer start --topic T [--name NAME] [--rate 10/s] [--keys N] [--acks 0|1|all] [--producer-property k=v] | producer stop NAME"),
        ("consumer", "start") => consumer_start(console, rest),
        ("consumer", "stop") => consumer_stop(console, rest),
        ("consumer", "commit") => consumer_commit(console, rest),
        ("consumer", _) => fail("consumer: usage: consumer start --group G --topic T[,T2] [--name NAME] [--strategy range|roundrobin|sticky|cooperative-sticky] [--group-instance-id ID] [--group-protocol classic|consumer] [--process-time 20ms] [--from-beginning] [--consumer-property k=v] | consumer stop NAME [--hard] | consumer commit NAME"),
        ("status", _) => status(console),
        ("time", _) => time(console),
        ("help", _) => help(args.first().map(String::as_str)),
        ("broker", _) => broker(console, sub, rest),
        ("network", _) => super::faults::network(console, args),
        ("controller", _) => super::faults::controller(console, args),
        ("invariants", _) => super::faults::invariants(console),
        ("table", _) => super::flows::table(console, sub, rest),
        ("connector", _) => super::flows::connector(console, sub, rest),
        ("streams", _) => super::flows::streams(console, sub, rest),
        _ => fail(format!(
            "{program}: command not found. Kafka's tools (kafka-topics, kafka-console-producer, kafka-console-consumer, kafka-consumer-groups, kafka-configs, kafka-get-offsets, kafka-delete-records) and the playground commands (cluster, broker, controller, network, producer, consumer, status, invariants, time, sleep, wait, jobs, help) are available; try `help`"
        )),
    }
}

/// `broker stop|kill|start|bounce|hard-bounce TARGET`: TARGET is a broker id,
/// `leader:TOPIC:PARTITION`, or `controller` (the active controller: a KRaft controller node,
/// or the ZooKeeper-era controller broker).
fn broker(console: &mut Console, action: &str, args: &[String]) -> ToolExit {
    const USAGE: &str = "broker: usage: broker stop|kill|start|bounce|hard-bounce TARGET, where TARGET is a broker id, leader:TOPIC:PARTITION or controller";
    let [target] = args else { return fail(USAGE) };
    if target == "controller" && console.sim().controller_mode() == ControllerMode::Kraft {
        return kraft_controller_fault(console, action);
    }
    let id = match resolve_broker(console, target) {
        Ok(id) => id,
        Err(e) => return fail(format!("broker {action}: {e}")),
    };
    let stop =
        |console: &mut Console, hard: bool| console.sim.apply(Command::StopBroker { id, hard });
    // Combined mode: one process for the broker and its controller.
    let view = console.sim().controller_view();
    let also = if view.combined && view.voters.iter().any(|v| v.id == id) {
        match action {
            "stop" => "The controller in the same process (combined mode) stops when it exits.\n",
            "kill" => "The controller in the same process (combined mode) died with it.\n",
            "start" => "The controller in the same process (combined mode) starts with it.\n",
            _ => "",
        }
    } else {
        ""
    };
    let result = match action {
        "stop" => stop(console, false).map(|_| format!("Broker {id}: controlled shutdown requested; its leaderships move to other in-sync replicas.\n")),
        "kill" => stop(console, true).map(|_| match console.sim().controller_mode() {
            ControllerMode::Kraft => format!("Broker {id} killed. The controller fences it after broker.session.timeout.ms without a heartbeat.\n"),
            ControllerMode::Zookeeper => format!("Broker {id} killed. Its ZooKeeper session expires after zookeeper.session.timeout.ms without a ping; then the controller moves its leaderships.\n"),
        }),
        "start" => console.sim.apply(Command::StartBroker { id }).map(|_| starting(console, id)),
        "bounce" | "hard-bounce" => {
            let hard = action == "hard-bounce";
            match stop(console, hard) {
                Err(e) => Err(e),
                Ok(_) => {
                    // Wait (bounded) until the process is gone, then start it again.
                    let mut printed = ToolExit::default();
                    for _ in 0..600 {
                        if !console.sim.brokers().iter().any(|b| b.id == id && b.alive) {
                            break;
                        }
                        printed = printed.then(console.advance(None, 100, false));
                    }
                    console.sim.apply(Command::StartBroker { id }).map(|_| {
                        format!(
                            "{}Broker {id} {}: stopped and started again.\n{}",
                            printed.stdout,
                            if hard { "hard-bounced" } else { "bounced" },
                            if registering(console, id) { starting(console, id) } else { String::new() }
                        )
                    })
                }
            }
        }
        _ => return fail(USAGE),
    };
    match result {
        Ok(text) => ToolExit::ok(text + also),
        Err(e) => fail(format!("broker {action}: {}", e.message)),
    }
}

fn registering(console: &Console, id: i32) -> bool {
    console
        .sim()
        .brokers()
        .iter()
        .any(|b| b.id == id && b.registering)
}

/// What `broker start` tells the user: registration is refused while the previous
/// incarnation's session is valid (a broker killed moments ago).
fn starting(console: &Console, id: i32) -> String {
    if registering(console, id) {
        match console.sim().controller_mode() {
            ControllerMode::Kraft => format!(
                "Broker {id} starting: the controller refuses its registration (DUPLICATE_BROKER_REGISTRATION) while its previous incarnation's session is valid; once broker.session.timeout.ms fences that incarnation and moves its leaderships, it registers, catches up and rejoins the ISRs.\n"
            ),
            ControllerMode::Zookeeper => format!(
                "Broker {id} starting: /brokers/ids/{id} still belongs to its previous incarnation's ZooKeeper session (NODEEXISTS; Kafka's broker exits, the playground retries it); once zookeeper.session.timeout.ms expires that session and the controller moves its leaderships, it registers, catches up and rejoins the ISRs.\n"
            ),
        }
    } else {
        format!("Broker {id} starting: it registers, catches up and rejoins the ISRs.\n")
    }
}

pub(super) fn resolve_broker(console: &Console, target: &str) -> Result<i32, String> {
    if let Some(rest) = target.strip_prefix("leader:") {
        let (topic, partition) = rest
            .rsplit_once(':')
            .ok_or_else(|| format!("'{target}' should be leader:TOPIC:PARTITION"))?;
        let p: i32 = partition
            .parse()
            .map_err(|_| format!("'{partition}' is not a partition number"))?;
        let tp = crate::engine::TopicPartition::new(topic, p);
        return console
            .sim
            .topic(topic)
            .and_then(|t| t.partitions.get(p.max(0) as usize).cloned())
            .ok_or_else(|| format!("no partition {tp}"))?
            .leader
            .ok_or_else(|| format!("partition {tp} has no leader (offline)"));
    }
    if target == "controller" {
        // The ZooKeeper era: the controller is a broker.
        return match console.sim().active_controller() {
            Some(crate::engine::network::NodeId::Broker(b)) => Ok(b),
            _ => Err("there is no active controller now (the ZooKeeper ensemble has no majority, or the controller broker is down)".into()),
        };
    }
    target
        .parse::<i32>()
        .map_err(|_| format!("'{target}' is not a broker id, leader:TOPIC:PARTITION"))
}

/// `broker stop|kill|bounce|hard-bounce controller` in KRaft: the active controller node.
fn kraft_controller_fault(console: &mut Console, action: &str) -> ToolExit {
    let Some(node) = console.sim().active_controller() else {
        return fail(format!("broker {action}: there is no active controller now (no majority of the controller quorum); start controllers with `controller start ID`"));
    };
    let id = match node {
        crate::engine::network::NodeId::Controller(id) => id.to_string(),
        _ => {
            return fail(format!(
                "broker {action}: the active controller is not a controller node"
            ))
        }
    };
    let run = |console: &mut Console, verb: &str| {
        super::faults::controller(console, &[verb.to_string(), id.clone()])
    };
    match action {
        "stop" => run(console, "stop"),
        "kill" => run(console, "kill"),
        "bounce" | "hard-bounce" => {
            let first = run(console, if action == "bounce" { "stop" } else { "kill" });
            if first.code != 0 {
                return first;
            }
            first.then(run(console, "start"))
        }
        "start" => fail("broker start controller: name the controller to start: `controller start 3000`"),
        _ => fail("broker: usage: broker stop|kill|start|bounce|hard-bounce TARGET, where TARGET is a broker id, leader:TOPIC:PARTITION or controller"),
    }
}

fn cluster_create(console: &mut Console, args: &[String], first: bool) -> ToolExit {
    let f = match Flags::parse(
        "cluster create",
        args,
        &["brokers", "racks", "mode", "era", "controllers"],
        &["combined"],
    ) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let controllers = match f.get("controllers").map(str::parse::<u32>) {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(_)) => return fail("cluster create: --controllers takes 1, 3 or 5"),
    };
    let brokers = match f.get("brokers").map(str::parse::<u32>) {
        None => 3,
        Some(Ok(n)) => n,
        Some(Err(_)) => return fail("cluster create: --brokers takes a whole number, 1 to 12"),
    };
    let mode = match f.get("mode").map(str::to_ascii_lowercase).as_deref() {
        None | Some("kraft") => ControllerMode::Kraft,
        Some("zookeeper") | Some("zk") => ControllerMode::Zookeeper,
        Some(other) => {
            return fail(format!(
                "cluster create: --mode {other} is unknown; use kraft or zookeeper"
            ))
        }
    };
    let era = match f.get("era") {
        None if mode == ControllerMode::Zookeeper => Era::ZooKeeper,
        None | Some("4") => Era::Kafka4,
        Some("2") => Era::ZooKeeper,
        Some(other) => {
            return fail(format!(
                "cluster create: --era {other} is unknown; use 4 (Kafka 4.x defaults) or 2 (ZooKeeper-era defaults)"
            ))
        }
    };
    let combined = f.has("combined");
    if combined && mode == ControllerMode::Zookeeper {
        return fail("cluster create: --combined runs KRaft controllers inside brokers (process.roles=broker,controller); a ZooKeeper-mode cluster has none. Drop --combined or use --mode kraft");
    }
    if combined && controllers > brokers && [1, 3, 5].contains(&controllers) {
        return fail(format!(
            "cluster create: --combined puts the {controllers} controller voters inside the first brokers, so it needs at least {controllers} brokers; {brokers} were asked for. Use --controllers {} or more brokers",
            if brokers >= 3 { "3" } else { "1" }
        ));
    }
    let racks: Vec<String> = f
        .get("racks")
        .map(|r| {
            r.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let spec = ClusterSpec {
        brokers,
        racks: racks.clone(),
        mode,
        controllers,
        combined,
        era,
        ..crate::console::run::console_cluster_spec()
    };
    if let Err(e) = console.replace_cluster(spec) {
        return fail(format!("cluster create: {e}"));
    }
    let ids: Vec<String> = console
        .sim()
        .brokers()
        .iter()
        .map(|b| b.id.to_string())
        .collect();
    let mut s = format!(
        "Created a cluster of {brokers} broker{} (ids {}), {}, {}",
        if brokers == 1 { "" } else { "s" },
        ids.join(","),
        mode_name(mode),
        era_name(era)
    );
    if !racks.is_empty() {
        s.push_str(&format!(", racks {}", racks.join(",")));
    }
    s.push_str(&match mode {
        ControllerMode::Kraft if combined && controllers == 1 => {
            ", combined mode: broker 0 is also the controller (process.roles=broker,controller)"
                .to_string()
        }
        ControllerMode::Kraft if combined => format!(
            ", combined mode: brokers 0-{} are also the {controllers} controller voters (process.roles=broker,controller; node 0 leads)",
            controllers - 1
        ),
        ControllerMode::Kraft if controllers == 1 => ", 1 controller (id 3000)".to_string(),
        ControllerMode::Kraft => format!(
            ", {controllers} controllers (ids 3000-{}; controller 3000 leads)",
            2999 + controllers
        ),
        ControllerMode::Zookeeper => format!(
            ", a ZooKeeper ensemble of {} (zk1{}); broker 0 is the controller",
            plural(controllers as usize, "server"),
            if controllers > 1 {
                format!("-zk{controllers}")
            } else {
                String::new()
            }
        ),
    });
    s.push_str(".\n");
    if !first {
        s.push_str("The previous cluster and everything in it were discarded.\n");
    }
    ToolExit::ok(s)
}

fn mode_name(m: ControllerMode) -> &'static str {
    match m {
        ControllerMode::Kraft => "KRaft",
        ControllerMode::Zookeeper => "ZooKeeper",
    }
}

fn era_name(e: Era) -> &'static str {
    match e {
        Era::Kafka4 => "Kafka 4.x defaults",
        Era::ZooKeeper => "ZooKeeper-era (2.x) defaults",
    }
}

fn props(values: Vec<&str>) -> Result<BTreeMap<String, String>, String> {
    let mut props = BTreeMap::new();
    for kv in values {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("'{kv}' is not in the form key=value"))?;
        props.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(props)
}

/// `10/s`, `10`, `600/m`: records per second.
fn parse_rate(s: &str) -> Option<u32> {
    let (n, unit) = s.split_once('/').unwrap_or((s, "s"));
    let n: u32 = n.trim().parse().ok()?;
    match unit.trim() {
        "s" | "sec" => Some(n),
        "m" | "min" => (n >= 60).then_some(n / 60),
        _ => None,
    }
}

fn producer_start(console: &mut Console, args: &[String]) -> ToolExit {
    let f = match Flags::parse(
        "producer start",
        args,
        &[
            "topic",
            "name",
            "rate",
            "keys",
            "acks",
            "producer-property",
            "max-records",
        ],
        &[],
    ) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let Some(topic) = f.get("topic").map(str::to_string) else {
        return fail("producer start: --topic is required");
    };
    let Some(rate) = parse_rate(f.get("rate").unwrap_or("10/s")) else {
        return fail(
            "producer start: --rate takes records per second, e.g. 10/s or 10 (at least 1/s)",
        );
    };
    let keys = match f.get("keys").map(str::parse::<u32>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return fail("producer start: --keys takes a whole number of distinct keys")
        }
    };
    let max_records = match f.get("max-records").map(str::parse::<u64>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return fail("producer start: --max-records takes a whole number"),
    };
    let mut configs = match props(f.all("producer-property")) {
        Ok(p) => p,
        Err(e) => return fail(format!("producer start: --producer-property {e}")),
    };
    if let Some(a) = f.get("acks") {
        let v = match a {
            "0" | "1" | "all" | "-1" => a,
            _ => return fail("producer start: --acks takes 0, 1 or all"),
        };
        configs.insert("acks".into(), v.into());
    }
    let name = match f.get("name") {
        Some(n) => n.to_string(),
        None => console.client_name("producer"),
    };
    configs
        .entry("client.id".into())
        .or_insert_with(|| name.clone());
    match console.sim.apply(Command::StartProducer {
        name: name.clone(),
        configs,
        workload: Some(WorkloadSpec {
            topic: topic.clone(),
            records_per_sec: rate,
            keys,
            max_records,
        }),
    }) {
        Ok(_) => {
            let acks = match console.sim.client(&name) {
                Some(Client::Producer(p)) => match p.config.acks.as_i16() {
                    -1 => "all".to_string(),
                    n => n.to_string(),
                },
                _ => "?".into(),
            };
            let keys = keys.map_or("null keys".to_string(), |k| format!("{k} distinct keys"));
            ToolExit::ok(format!(
                "Started producer {name}: {rate} records/s to {topic}, {keys}, acks={acks}.\n"
            ))
        }
        Err(e) => fail(format!("producer start: {}", e.message)),
    }
}

fn producer_stop(console: &mut Console, args: &[String]) -> ToolExit {
    let [name] = args else {
        return fail("producer stop: usage: producer stop NAME");
    };
    let stats = console
        .sim
        .client_views()
        .into_iter()
        .find(|c| &c.name == name && c.kind == ClientKind::Producer);
    match console
        .sim
        .apply(Command::StopProducer { name: name.clone() })
    {
        Ok(_) => {
            let s = stats
                .map(|c| {
                    format!(
                        " (sent {}, acknowledged {}, failed {})",
                        c.sent, c.acked, c.failed
                    )
                })
                .unwrap_or_default();
            ToolExit::ok(format!(
                "Stopping producer {name}{s}: it sends what it has buffered, then closes.\n"
            ))
        }
        Err(e) => fail(format!("producer stop: {}", e.message)),
    }
}

fn strategy_class(s: &str) -> Option<&'static str> {
    Some(match s.to_ascii_lowercase().as_str() {
        "range" => "org.apache.kafka.clients.consumer.RangeAssignor",
        "roundrobin" | "round-robin" => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        "sticky" => "org.apache.kafka.clients.consumer.StickyAssignor",
        "cooperative-sticky" => "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        _ => return None,
    })
}

fn consumer_start(console: &mut Console, args: &[String]) -> ToolExit {
    let f = match Flags::parse(
        "consumer start",
        args,
        &[
            "group",
            "topic",
            "name",
            "strategy",
            "group-instance-id",
            "group-protocol",
            "process-time",
            "consumer-property",
        ],
        &["from-beginning"],
    ) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let Some(group) = f.get("group").map(str::to_string) else {
        return fail("consumer start: --group is required (for a consumer without a group, use kafka-console-consumer)");
    };
    let topics: Vec<String> = f
        .get("topic")
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if topics.is_empty() {
        return fail("consumer start: --topic is required (several: --topic a,b)");
    }
    let mut configs = match props(f.all("consumer-property")) {
        Ok(p) => p,
        Err(e) => return fail(format!("consumer start: --consumer-property {e}")),
    };
    if let Some(s) = f.get("strategy") {
        let Some(class) = strategy_class(s) else {
            return fail(format!("consumer start: --strategy {s} is unknown; use range, roundrobin, sticky or cooperative-sticky"));
        };
        configs.insert("partition.assignment.strategy".into(), class.into());
    }
    match f.get("group-protocol") {
        None | Some("classic") => {}
        Some("consumer") => {
            if f.has("strategy") {
                return fail("consumer start: --strategy is a client-side assignor of the classic protocol; with --group-protocol consumer the broker assigns (set group.remote.assignor=uniform|range with --consumer-property)");
            }
            configs.insert("group.protocol".into(), "consumer".into());
        }
        Some(other) => {
            return fail(format!(
                "consumer start: --group-protocol {other} is unknown; use classic or consumer"
            ))
        }
    }
    if let Some(id) = f.get("group-instance-id") {
        configs.insert("group.instance.id".into(), id.into());
    }
    if f.has("from-beginning") {
        configs.insert("auto.offset.reset".into(), "earliest".into());
    }
    let process_time_ms = match f.get("process-time").map(parse_duration) {
        None => 0,
        Some(Ok(ms)) => Millis::try_from(ms).unwrap_or(Millis::MAX),
        Some(Err(e)) => return fail(format!("consumer start: --process-time: {e}")),
    };
    let name = match f.get("name") {
        Some(n) => n.to_string(),
        None => console.client_name("consumer"),
    };
    configs
        .entry("client.id".into())
        .or_insert_with(|| name.clone());
    match console.sim.apply(Command::StartConsumer {
        name: name.clone(),
        group: Some(group.clone()),
        topics: topics.clone(),
        assign: Vec::new(),
        start_offsets: BTreeMap::new(),
        configs,
        process_time_ms,
    }) {
        Ok(_) => {
            let strategy = match console.sim.client(&name) {
                Some(Client::Consumer(x)) if x.uses_consumer_protocol() => format!(
                    "server-side {} (KIP-848)",
                    x.config
                        .group_remote_assignor
                        .as_deref()
                        .unwrap_or("uniform")
                ),
                Some(Client::Consumer(x)) => x
                    .config
                    .partition_assignment_strategy
                    .iter()
                    .map(|s| s.rsplit('.').next().unwrap_or(s).to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                _ => String::new(),
            };
            ToolExit::ok(format!(
                "Started consumer {name} in group {group}, subscribed to {} (assignors: {strategy}).\n",
                topics.join(",")
            ))
        }
        Err(e) => fail(format!("consumer start: {}", e.message)),
    }
}

fn consumer_stop(console: &mut Console, args: &[String]) -> ToolExit {
    let f = match Flags::parse("consumer stop", args, &[], &["hard"]) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let [name] = f.positional.as_slice() else {
        return fail("consumer stop: usage: consumer stop NAME [--hard]");
    };
    let hard = f.has("hard");
    match console.sim.apply(Command::StopConsumer {
        name: name.clone(),
        hard,
    }) {
        Ok(_) if hard => ToolExit::ok(format!(
            "Consumer {name} crashed: no LeaveGroup; the coordinator removes it after session.timeout.ms.\n"
        )),
        Ok(_) => ToolExit::ok(format!(
            "Closing consumer {name}: it commits (with auto-commit) and leaves its group.\n"
        )),
        Err(e) => fail(format!("consumer stop: {}", e.message)),
    }
}

/// `commitSync()` by the consumer's application: the clock runs until it returns or throws.
fn consumer_commit(console: &mut Console, args: &[String]) -> ToolExit {
    let f = match Flags::parse("consumer commit", args, &[], &[]) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let [name] = f.positional.as_slice() else {
        return fail("consumer commit: usage: consumer commit NAME");
    };
    let commit = Command::CommitSync {
        consumer: name.clone(),
    };
    if let Err(e) = console.sim.apply(commit) {
        return fail(format!("consumer commit: {}", e.message));
    }
    let result = |s: &crate::engine::Sim| match s.client(name) {
        Some(Client::Consumer(x)) => x.commit_sync_result().cloned(),
        _ => None,
    };
    console.sim.run_while(WAIT_LIMIT_MS, |s| {
        result(s).is_some() || s.client(name).is_none()
    });
    let committed = match console.sim.client(name) {
        Some(Client::Consumer(x)) => x
            .positions
            .iter()
            .map(|(tp, o)| format!("{tp}={o}"))
            .collect::<Vec<_>>()
            .join(", "),
        _ => {
            return fail(format!(
                "consumer commit: {name} closed before its commit returned"
            ))
        }
    };
    match result(&console.sim) {
        Some(Ok(())) if committed.is_empty() => {
            ToolExit::ok(format!("Consumer {name} has no positions to commit.\n"))
        }
        Some(Ok(())) => ToolExit::ok(format!("Consumer {name} committed {committed}.\n")),
        Some(Err(e)) => ToolExit::err(format!("{}: {}\n", e.class(), e.message()), 1),
        None => fail(format!("consumer commit: {name}'s commit is still running")),
    }
}

fn time(console: &Console) -> ToolExit {
    let sim = console.sim();
    ToolExit::ok(format!(
        "Simulated time: {} since the start ({} UTC).\n",
        human(sim.now()),
        log_timestamp(sim.timestamp())
    ))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn ids(v: &[i32]) -> String {
    v.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn status(console: &Console) -> ToolExit {
    let sim = console.sim();
    let mut s = format!(
        "Time: {} ({} UTC)\nCluster {}: {}, {}\n",
        human(sim.now()),
        log_timestamp(sim.timestamp()),
        sim.cluster_id(),
        mode_name(sim.controller_mode()),
        era_name(sim.era())
    );
    s.push_str(&controller_status(console));
    s.push_str("Brokers:\n");
    for b in sim.brokers() {
        s.push_str(&format!(
            "  {}  {}{}  leader of {}, replicas {}\n",
            b.id,
            match (b.alive, b.fenced, b.registering) {
                (true, false, _) => "alive",
                (true, true, _) => "alive (fenced)",
                (false, false, true) => "starting (registration refused until fenced)",
                (false, false, false) => "down (not yet fenced)",
                (false, true, _) => "down",
            },
            b.rack.map(|r| format!("  rack {r}")).unwrap_or_default(),
            b.leaders,
            b.replicas
        ));
    }
    let names = sim.topic_names(true);
    s.push_str(if names.is_empty() {
        "Topics: none\n"
    } else {
        "Topics:\n"
    });
    for name in names {
        let Some(t) = sim.topic(&name) else { continue };
        if t.internal {
            s.push_str(&format!(
                "  {name}  {} partitions (internal)\n",
                t.partitions.len()
            ));
            continue;
        }
        s.push_str(&format!(
            "  {name}  {}\n",
            plural(t.partitions.len(), "partition")
        ));
        for p in &t.partitions {
            let leader = p.leader.map_or("none".to_string(), |l| l.to_string());
            s.push_str(&format!(
                "    {}  leader {leader}  replicas {}  isr {}  hw {}  log-start {}\n",
                p.partition,
                ids(&p.replicas),
                ids(&p.isr),
                p.high_watermark(),
                p.log_start_offset()
            ));
        }
    }
    let groups = sim.group_ids();
    s.push_str(if groups.is_empty() {
        "Groups: none\n"
    } else {
        "Groups:\n"
    });
    for g in groups {
        let Some(v) = sim.group_view(&g) else {
            continue;
        };
        let lag: i64 = v.offsets.iter().filter_map(|o| o.lag).sum();
        s.push_str(&format!(
            "  {g}  {}  generation {}  {} member{}  lag {lag}\n",
            v.state,
            v.generation,
            v.members.len(),
            if v.members.len() == 1 { "" } else { "s" }
        ));
    }
    let clients = sim.client_views();
    s.push_str(if clients.is_empty() {
        "Clients: none\n"
    } else {
        "Clients:\n"
    });
    for c in clients {
        match c.kind {
            ClientKind::Producer => s.push_str(&format!(
                "  {}  producer  {}  sent {}  acknowledged {}  failed {}\n",
                c.name, c.phase, c.sent, c.acked, c.failed
            )),
            ClientKind::Consumer => {
                let assigned: Vec<String> = c.assignment.iter().map(|tp| tp.to_string()).collect();
                s.push_str(&format!(
                    "  {}  consumer  {}  group {}  assigned [{}]  consumed {}\n",
                    c.name,
                    c.phase,
                    c.group.as_deref().unwrap_or("-"),
                    assigned.join(","),
                    c.consumed
                ));
            }
        }
    }
    if !console.jobs.is_empty() {
        s.push_str("Jobs:\n");
        for j in &console.jobs {
            s.push_str(&format!("  [{}] {}\n", j.id, j.command));
        }
    }
    ToolExit::ok(s)
}

fn controller_status(console: &Console) -> String {
    let sim = console.sim();
    let v = sim.controller_view();
    let active = match v.active {
        Some(n) => super::faults::node_name(console, n),
        None if v.zookeeper.is_empty() => {
            "none (no majority of the controller quorum: no metadata changes)".to_string()
        }
        None => {
            "none (the controller broker is gone or ZooKeeper has no majority: no metadata changes)"
                .to_string()
        }
    };
    let mut s = format!("Active controller: {active}\n");
    if !v.voters.is_empty() {
        s.push_str(&format!(
            "Controller quorum{} (epoch {}, metadata high watermark {}):\n",
            if v.combined {
                ", combined with brokers"
            } else {
                ""
            },
            v.leader_epoch,
            v.high_watermark
        ));
        for x in &v.voters {
            s.push_str(&format!(
                "  {}  {}  {}  epoch {}  log end {}\n",
                x.id,
                if x.alive { "alive" } else { "down" },
                x.role.name(),
                x.epoch,
                x.log_end_offset
            ));
        }
    }
    if !v.zookeeper.is_empty() {
        s.push_str(&format!(
            "ZooKeeper ensemble (controller epoch {}):\n",
            v.controller_epoch
        ));
        for (id, alive, leads) in &v.zookeeper {
            s.push_str(&format!(
                "  zk{id}  {}{}\n",
                if *alive { "alive" } else { "down" },
                if *leads { "  leader" } else { "" }
            ));
        }
    }
    let faults = sim.network_faults();
    if !faults.is_empty() {
        s.push_str(&format!(
            "Network faults: {} isolated, {} cut links, {} lossy, {} slow (see `network status`)\n",
            faults.isolated.len(),
            faults.cut.len(),
            faults.loss_percent.len(),
            faults.latency_ms.len()
        ));
    }
    s
}

/// `help [COMMAND]`.
pub fn help(topic: Option<&str>) -> ToolExit {
    let text = match topic {
        None => overview(),
        Some(t) => match detail(t) {
            Some(d) => d.to_string(),
            None => {
                if let Some(tool) = Tool::from_command(t) {
                    format!(
                        "{} — Kafka's own tool: run `{} --help` for its options.\n",
                        tool.name(),
                        tool.name()
                    )
                } else {
                    return fail(format!("help: no help for '{t}'; try `help` for the list"));
                }
            }
        },
    };
    ToolExit::ok(text)
}

fn overview() -> String {
    format!(
        "\
Kafka Playground console: Kafka's command-line tools against a simulated cluster.

Kafka tools (with or without bin/ and .sh; --bootstrap-server is accepted and any address works):
  kafka-topics            --create, --list, --describe, --alter --partitions, --delete
  kafka-console-producer  records from standard input (here-document <<EOF, or echo ... |)
  kafka-console-consumer  --topic/--include, --group, --from-beginning, --partition, --offset, ...
  kafka-consumer-groups   --list, --describe [--members|--state|--offsets], --reset-offsets, --delete, --delete-offsets
  kafka-configs           --describe / --alter --add-config / --delete-config (topics; brokers: describe)
  kafka-get-offsets       --topic, --partitions, --time
  kafka-delete-records    --offset-json-file '<the JSON itself>'
  kafka-verifiable-producer / kafka-verifiable-consumer   JSON event lines (--max-messages, ...)
  kafka-leader-election   --election-type preferred|unclean, --topic/--partition, --all-topic-partitions
  kafka-reassign-partitions  --generate, --execute, --verify, --list (JSON given inline)
  kafka-metadata-quorum   describe --status | --replication [--human-readable]
Playground commands:
  cluster create    a new cluster                      producer start|stop   a steady producer
  consumer start|stop  a group consumer                status                everything at a glance
  time              the simulated clock                sleep DURATION        let time pass
  wait              until background jobs finish       jobs                  list background jobs
  broker stop|kill|start|bounce|hard-bounce TARGET     a broker, a partition's leader, the controller
  controller stop|kill|start NODE                     KRaft controllers (3000..., or combined brokers), ZooKeeper servers (zkN)
  network isolate|partition|latency|loss|heal|status  network faults
  invariants        the live guarantee checker's findings
  table create|insert|update|delete|show|list          the simulated database
  connector create|stop|start|kill|status              Kafka Connect source (CDC) and sink
  streams create|stop|start|kill|status                Kafka Streams apps
  help [COMMAND]    this text, or one command's

Rules of the playground:
  * A script without `cluster create` first gets 3 brokers, KRaft, Kafka 4.x defaults.
  * Time is simulated. A tool in the foreground runs the clock until its work is done: the
    console producer until every record is acknowledged (or failed); the console consumer until
    --max-messages, --timeout-ms, or, without them, until no record arrived for {} (the idle
    rule). Nothing takes longer than {} of simulated time.
  * `COMMAND &` runs a tool in the background: it advances whenever the clock does (`sleep`,
    other tools) and its output appears with the command during which it was printed. `wait`
    runs the clock until every background job has finished (the idle rule applies).
  * Output, errors and exit codes are Kafka 4.0's; ids, timestamps and dates are simulated
    (the clock starts at 2025-03-18 00:00:00 UTC). Brokers are localhost:9092, :9093, ...
  * A failing command prints its error and the script goes on; the script's exit status is 0
    only if every command succeeded.
",
        human(IDLE_STOP_MS),
        human(WAIT_LIMIT_MS)
    )
}

fn detail(topic: &str) -> Option<&'static str> {
    if let Some(h) = super::flows::help(topic) {
        return Some(h);
    }
    Some(match topic {
        "cluster" => "\
cluster create [--brokers N] [--racks a,b,c] [--mode kraft|zookeeper] [--controllers 1|3|5]
               [--combined] [--era 4|2]
  Replaces the cluster with a new one: N brokers (1 to 12, default 3) with ids 0..N-1, racks
  given round-robin, KRaft or ZooKeeper mode, Kafka 4.x defaults (--era 4) or ZooKeeper-era
  (2.x) defaults (--era 2, the default with --mode zookeeper). --controllers: the KRaft
  controller quorum's voters (dedicated controllers, ids 3000...), or the ZooKeeper ensemble's
  servers (zk1...); default 1. A majority must be alive for any metadata change. Scripts that
  do not start with it get the default cluster.
  --combined: KRaft combined mode (process.roles=broker,controller): the voters run inside the
  first brokers, with the brokers' ids (needs --controllers <= --brokers). One process per
  node: stopping, killing or partitioning such a broker does the same to its controller, and
  `controller stop|kill|start` stops, kills or starts the broker too. As Kafka's docs say,
  combined mode is for small and development clusters; production uses dedicated controllers.
",
        "producer" => "\
producer start --topic T [--name NAME] [--rate 10/s] [--keys N] [--acks 0|1|all]
               [--producer-property k=v]... [--max-records N]
  A producer that keeps sending: RATE records per second (default 10/s), keys key-0..key-N-1
  (null keys without --keys), values generated. It runs until `producer stop NAME`.
producer stop NAME
  close(): sends what is buffered, then leaves.
",
        "consumer" => "\
consumer start --group G --topic T[,T2] [--name NAME]
               [--strategy range|roundrobin|sticky|cooperative-sticky]
               [--group-instance-id ID] [--group-protocol classic|consumer]
               [--process-time 20ms] [--from-beginning] [--consumer-property k=v]...
  A consumer in group G that keeps polling (Kafka's defaults: auto-commit every 5 s,
  auto.offset.reset=latest unless --from-beginning). --process-time is the time it spends on
  each record. --group-protocol consumer uses the new rebalance protocol (KIP-848): the broker
  assigns (group.remote.assignor uniform or range), members revoke before others take over,
  and nobody stops for a rebalance.
consumer stop NAME [--hard]
  close(): commits and leaves the group. --hard: a crash; the group notices after
  session.timeout.ms.
consumer commit NAME
  commitSync(): commits the consumer's positions and waits for the answer (retrying until
  default.api.timeout.ms). A member that is not in a stable group, or that the group no longer
  knows, gets CommitFailedException or RebalanceInProgressException.
",
        "status" => "status\n  Brokers, topics (partitions, leaders, replicas, ISR, high watermark), groups (state, members, lag), clients and jobs.\n",
        "time" => "time\n  The simulated clock: time since the start and the simulated date.\n",
        "sleep" => "sleep DURATION\n  Lets simulated time pass: 500ms, 5s, 2m, 1h, 7d (a plain number is seconds; at most 30d).\n",
        "wait" => "wait\n  Runs the clock until every background job (`COMMAND &`) has finished, at most 10 minutes.\n  A console consumer without --max-messages/--timeout-ms stops once idle for 10 s.\n",
        "jobs" => "jobs\n  Lists the background jobs that are still running.\n",
        "help" => "help [COMMAND]\n  The overview, or one command's details.\n",
        "broker" => "\
broker stop|kill|start|bounce|hard-bounce TARGET
  TARGET is a broker id, leader:TOPIC:PARTITION, or controller (the active controller: a KRaft
  controller node, or in the ZooKeeper era the broker that is controller). stop: a controlled shutdown (leadership
  moves first). kill: a crash; the controller fences the broker after broker.session.timeout.ms
  (9 s) and elects new leaders. start: the broker comes back with its logs and the high
  watermarks of its last checkpoint (written every replica.high.watermark.checkpoint.interval.ms,
  5 s, and at a clean stop), truncates where they diverged from the leaders, catches up and
  rejoins the ISRs; after a kill it registers only once its previous session has ended (fenced
  in KRaft, expired in ZooKeeper). bounce / hard-bounce: stop or kill, then start again.
",
        "controller" => "\
controller stop|kill|start NODE
  NODE: a KRaft controller id (3000, 3001...), `controller` for the active one, or zkN for a
  ZooKeeper server. The quorum is Raft (KIP-595 with pre-vote): a follower that hears nothing
  from the leader for controller.quorum.fetch.timeout.ms (2 s) stands for election after a
  randomized controller.quorum.election.timeout.ms (1-2 s); stop makes a leader resign first,
  kill does not. Without a majority there is no active controller: no leader elections, no
  ISR changes, no fencing, no new topics (kafka-topics times out).
",
        "network" => "\
network isolate NODE             cut NODE off from every other node
network partition A,B / C,D      cut every link between the two sides
network latency A B 50ms         one-way latency of the link A <-> B
network loss A B 10%             the link A <-> B loses that share of messages
network heal                     every link back to normal
network status                   the faults in force
  NODE: a broker id, a controller id (3000...), controller (the active one), zkN, or a client's
  name. Lost messages are silent: clients notice by request.timeout.ms (30 s), followers by
  replica.socket.timeout.ms (30 s), brokers' sessions expire at the controller.
",
        "invariants" => "\
invariants
  The live guarantee checker: each of Kafka's guarantees with how often it was violated, and
  the first violations with the time and cause. It runs after every event. Real Kafka also
  breaks acknowledged-write-durable under acks=1 or unclean leader election: those losses are
  reported as what they are.
",
        _ => return None,
    })
}
