//! Command-line option parsing, faithful to the libraries Kafka's tools use.
//!
//! Most tools parse with jopt-simple 5.0.4 (no abbreviations, `--opt value` / `--opt=value`,
//! repeated options collect values); the verifiable tools and `kafka-metadata-quorum` use
//! argparse4j (unique prefixes allowed, its own usage/error layout). Where each tool reports a
//! parse failure differs (formats §1.2, §1.6); `parse_tool_args` reproduces that. Tool-specific
//! validation (required options, incompatible actions) is the caller's: the helpers here render
//! the exact messages (`usage_exit`, `missing_required`, `cant_be_used_with`).

use super::output::ToolExit;

/// The Kafka version the tools report (`--version`).
pub const KAFKA_VERSION: &str = "4.0.0";

/// A Kafka command-line tool the console knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    Topics,
    ConsoleProducer,
    ConsoleConsumer,
    ConsumerGroups,
    Configs,
    GetOffsets,
    VerifiableProducer,
    VerifiableConsumer,
    DeleteRecords,
    LeaderElection,
    MetadataQuorum,
    ReassignPartitions,
}

impl Tool {
    pub const ALL: [Tool; 12] = [
        Tool::Topics,
        Tool::ConsoleProducer,
        Tool::ConsoleConsumer,
        Tool::ConsumerGroups,
        Tool::Configs,
        Tool::GetOffsets,
        Tool::VerifiableProducer,
        Tool::VerifiableConsumer,
        Tool::DeleteRecords,
        Tool::LeaderElection,
        Tool::MetadataQuorum,
        Tool::ReassignPartitions,
    ];

    /// The script name without directory or `.sh` (`kafka-topics`).
    pub fn name(self) -> &'static str {
        match self {
            Tool::Topics => "kafka-topics",
            Tool::ConsoleProducer => "kafka-console-producer",
            Tool::ConsoleConsumer => "kafka-console-consumer",
            Tool::ConsumerGroups => "kafka-consumer-groups",
            Tool::Configs => "kafka-configs",
            Tool::GetOffsets => "kafka-get-offsets",
            Tool::VerifiableProducer => "kafka-verifiable-producer",
            Tool::VerifiableConsumer => "kafka-verifiable-consumer",
            Tool::DeleteRecords => "kafka-delete-records",
            Tool::LeaderElection => "kafka-leader-election",
            Tool::MetadataQuorum => "kafka-metadata-quorum",
            Tool::ReassignPartitions => "kafka-reassign-partitions",
        }
    }

    /// Maps `kafka-topics`, `kafka-topics.sh`, `bin/kafka-topics.sh`, `./bin/kafka-topics.sh`
    /// (any directory) to the tool.
    pub fn from_command(word: &str) -> Option<Tool> {
        let base = word.rsplit('/').next().unwrap_or(word);
        let base = base.strip_suffix(".sh").unwrap_or(base);
        Tool::ALL.into_iter().find(|t| t.name() == base)
    }

    /// Whether the tool parses with argparse4j rather than jopt-simple.
    pub fn uses_argparse(self) -> bool {
        matches!(
            self,
            Tool::VerifiableProducer | Tool::VerifiableConsumer | Tool::MetadataQuorum
        )
    }

    /// The line printed before the help screen for `--help` (formats Appendix A).
    pub fn help_message(self) -> &'static str {
        match self {
            Tool::Topics => "This tool helps to create, delete, describe, or change a topic.",
            Tool::ConsoleProducer => {
                "This tool helps to read data from standard input and publish it to Kafka."
            }
            Tool::ConsoleConsumer => {
                "This tool helps to read data from Kafka topics and outputs it to standard output."
            }
            Tool::ConsumerGroups => "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.",
            Tool::Configs => "This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group",
            Tool::GetOffsets => "An interactive shell for getting topic-partition offsets.",
            Tool::DeleteRecords => "This tool helps to delete records of the given partitions down to the specified offset.",
            Tool::LeaderElection => "This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.",
            Tool::ReassignPartitions => "This tool helps to move topic partitions between replicas.",
            Tool::VerifiableProducer | Tool::VerifiableConsumer | Tool::MetadataQuorum => "",
        }
    }

    /// The line printed before the help screen when the tool is run without arguments.
    pub fn no_args_message(self) -> &'static str {
        match self {
            Tool::Topics => "Create, delete, describe, or change a topic.",
            other => other.help_message(),
        }
    }

    /// The jopt-simple help screen (formats Appendix A), empty where none was captured.
    pub fn help_screen(self) -> &'static str {
        match self {
            Tool::Topics => include_str!("help/topics.txt"),
            Tool::ConsoleProducer => include_str!("help/console-producer.txt"),
            Tool::ConsoleConsumer => include_str!("help/console-consumer.txt"),
            Tool::ConsumerGroups => include_str!("help/consumer-groups.txt"),
            Tool::GetOffsets => include_str!("help/get-offsets.txt"),
            Tool::DeleteRecords => include_str!("help/delete-records.txt"),
            Tool::LeaderElection => include_str!("help/leader-election.txt"),
            _ => "",
        }
    }
}

/// Whether an option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A flag (`--list`).
    None,
    /// `withRequiredArg`: the next token is always taken as the value.
    Required,
    /// `withOptionalArg`: the next token is taken unless it looks like an option.
    Optional,
}

/// The Java type an option value converts to (`ofType`), for "Cannot parse argument" errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueType {
    Str,
    Int,
    Long,
    /// An enum; matching is case-insensitive.
    Choice(Vec<String>),
}

/// One option of a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionDef {
    /// Name without dashes (`bootstrap-server`).
    pub name: String,
    pub arg: ArgKind,
    pub value_type: ValueType,
    /// jopt `availableIf`: the option is only allowed together with one of these.
    pub available_if: Vec<String>,
}

/// A parse failure, with jopt-simple's (or argparse4j's) exact message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionError {
    Unrecognized(String),
    MissingArgument(String),
    CannotParse { option: String, value: String },
    MultipleArguments(String),
    Unavailable(Vec<String>),
}

impl OptionError {
    /// `getMessage()` of the jopt-simple exception.
    pub fn message(&self) -> String {
        match self {
            OptionError::Unrecognized(o) => format!("{o} is not a recognized option"),
            OptionError::MissingArgument(o) => format!("Option {o} requires an argument"),
            OptionError::CannotParse { option, value } => {
                format!("Cannot parse argument '{value}' of option {option}")
            }
            OptionError::MultipleArguments(o) => {
                format!("Found multiple arguments for option {o}, but you asked for only one")
            }
            OptionError::Unavailable(opts) => format!(
                "Option(s) [{}] are unavailable given other options on the command line",
                opts.join(", ")
            ),
        }
    }

    /// The fully qualified exception class.
    pub fn java_class(&self) -> &'static str {
        match self {
            OptionError::Unrecognized(_) => "joptsimple.UnrecognizedOptionException",
            OptionError::MissingArgument(_) => "joptsimple.OptionMissingRequiredArgumentException",
            OptionError::CannotParse { .. } => "joptsimple.OptionArgumentConversionException",
            OptionError::MultipleArguments(_) => "joptsimple.MultipleArgumentsForOptionException",
            OptionError::Unavailable(_) => "joptsimple.UnavailableOptionException",
        }
    }

    /// jopt-simple frames of the exception's stack trace (innermost first). Line numbers are
    /// jopt-simple 5.0.4's; those not quoted in the formats file are best effort.
    fn jopt_frames(&self, short_token: bool) -> Vec<&'static str> {
        match self {
            OptionError::Unrecognized(_) if short_token => vec![
                "joptsimple.OptionException.unrecognizedOption(OptionException.java:108)",
                "joptsimple.OptionParser.validateOptionCharacters(OptionParser.java:633)",
                "joptsimple.OptionParser.handleShortOptionCluster(OptionParser.java:528)",
                "joptsimple.OptionParser.handleShortOptionToken(OptionParser.java:523)",
                "joptsimple.OptionParserState$2.handleArgument(OptionParserState.java:59)",
                "joptsimple.OptionParser.parse(OptionParser.java:396)",
            ],
            OptionError::Unrecognized(_) => vec![
                "joptsimple.OptionException.unrecognizedOption(OptionException.java:108)",
                "joptsimple.OptionParser.handleLongOptionToken(OptionParser.java:510)",
                "joptsimple.OptionParserState$2.handleArgument(OptionParserState.java:56)",
                "joptsimple.OptionParser.parse(OptionParser.java:396)",
            ],
            OptionError::MissingArgument(_) => vec![
                "joptsimple.RequiredArgumentOptionSpec.detectOptionArgument(RequiredArgumentOptionSpec.java:48)",
                "joptsimple.ArgumentAcceptingOptionSpec.handleOption(ArgumentAcceptingOptionSpec.java:271)",
                "joptsimple.OptionParser.handleLongOptionToken(OptionParser.java:513)",
                "joptsimple.OptionParserState$2.handleArgument(OptionParserState.java:56)",
                "joptsimple.OptionParser.parse(OptionParser.java:396)",
            ],
            OptionError::Unavailable(_) => vec![
                "joptsimple.OptionParser.ensureAllowedOptions(OptionParser.java:603)",
                "joptsimple.OptionParser.parse(OptionParser.java:402)",
            ],
            OptionError::CannotParse { .. } | OptionError::MultipleArguments(_) => vec![
                "joptsimple.ArgumentAcceptingOptionSpec.convert(ArgumentAcceptingOptionSpec.java:287)",
                "joptsimple.OptionSet.valueOf(OptionSet.java:175)",
            ],
        }
    }

    /// The Java stack trace text (`Utils.stackTrace` / `printStackTrace`), ending in a newline.
    pub fn stack_trace(&self, tool: Tool, short_token: bool) -> String {
        let mut s = format!("{}: {}\n", self.java_class(), self.message());
        for f in self.jopt_frames(short_token) {
            s.push_str("\tat ");
            s.push_str(f);
            s.push('\n');
        }
        for f in tool_frames(tool) {
            s.push_str("\tat ");
            s.push_str(f);
            s.push('\n');
        }
        s
    }
}

/// Kafka frames below `OptionParser.parse` for each tool. Consumer-groups' are quoted in the
/// formats file; the others' line numbers are best effort.
fn tool_frames(tool: Tool) -> &'static [&'static str] {
    match tool {
        Tool::ConsumerGroups => &[
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommandOptions.<init>(ConsumerGroupCommandOptions.java:212)",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommandOptions.fromArgs(ConsumerGroupCommandOptions.java:125)",
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand.main(ConsumerGroupCommand.java:99)",
        ],
        Tool::Topics => &[
            "org.apache.kafka.tools.TopicCommand$TopicCommandOptions.<init>(TopicCommand.java:742)",
            "org.apache.kafka.tools.TopicCommand.execute(TopicCommand.java:96)",
            "org.apache.kafka.tools.TopicCommand.mainNoExit(TopicCommand.java:85)",
            "org.apache.kafka.tools.TopicCommand.main(TopicCommand.java:80)",
        ],
        Tool::DeleteRecords => &[
            "org.apache.kafka.tools.DeleteRecordsCommand$DeleteRecordsCommandOptions.<init>(DeleteRecordsCommand.java:185)",
            "org.apache.kafka.tools.DeleteRecordsCommand.execute(DeleteRecordsCommand.java:109)",
            "org.apache.kafka.tools.DeleteRecordsCommand.mainNoExit(DeleteRecordsCommand.java:71)",
            "org.apache.kafka.tools.DeleteRecordsCommand.main(DeleteRecordsCommand.java:66)",
        ],
        Tool::LeaderElection => &[
            "org.apache.kafka.tools.LeaderElectionCommand$LeaderElectionCommandOptions.<init>(LeaderElectionCommand.java:353)",
            "org.apache.kafka.tools.LeaderElectionCommand.run(LeaderElectionCommand.java:79)",
            "org.apache.kafka.tools.LeaderElectionCommand.mainNoExit(LeaderElectionCommand.java:71)",
            "org.apache.kafka.tools.LeaderElectionCommand.main(LeaderElectionCommand.java:66)",
        ],
        Tool::ReassignPartitions => &[
            "org.apache.kafka.tools.reassign.ReassignPartitionsCommandOptions.<init>(ReassignPartitionsCommandOptions.java:134)",
            "org.apache.kafka.tools.reassign.ReassignPartitionsCommand.validateAndParseArgs(ReassignPartitionsCommand.java:1302)",
            "org.apache.kafka.tools.reassign.ReassignPartitionsCommand.main(ReassignPartitionsCommand.java:155)",
        ],
        _ => &[],
    }
}

/// The options of a jopt-simple tool, in help-screen (alphabetical) order.
pub fn tool_options(tool: Tool) -> Vec<OptionDef> {
    let mut defs = match tool {
        Tool::Configs => configs_options(),
        Tool::ReassignPartitions => reassign_options(),
        t if t.uses_argparse() => Vec::new(),
        t => options_from_help(t.help_screen()),
    };
    if tool == Tool::ConsumerGroups {
        for d in &mut defs {
            let allowed: &[&str] = match d.name.as_str() {
                "members" | "offsets" | "verbose" => &["describe"],
                "state" => &["describe", "list"],
                "type" => &["list"],
                _ => &[],
            };
            d.available_if = allowed.iter().map(|s| s.to_string()).collect();
        }
    }
    defs
}

/// Reads option names, argument kinds and types back out of a jopt-simple help screen.
fn options_from_help(help: &str) -> Vec<OptionDef> {
    let lines: Vec<&str> = help.lines().collect();
    let col = lines
        .first()
        .and_then(|l| l.find("Description"))
        .unwrap_or(0);
    let left = |l: &str| -> String { l.chars().take(col).collect::<String>() };
    let mut defs = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let l = left(line);
        let Some(rest) = l.strip_prefix("--") else {
            continue;
        };
        let name_end = rest.find(' ').unwrap_or(rest.len());
        let name = rest[..name_end].to_string();
        let mut after = rest[name_end..].trim().to_string();
        if after.is_empty() {
            if let Some(next) = lines.get(i + 1) {
                let n = left(next);
                if n.starts_with("  <") || n.starts_with("  [") {
                    after = n.trim().to_string();
                }
            }
        }
        let arg = match after.chars().next() {
            Some('<') => ArgKind::Required,
            Some('[') => ArgKind::Optional,
            _ => ArgKind::None,
        };
        let type_text: String = after
            .chars()
            .skip(1)
            .take_while(|&c| c != ':' && c != '>')
            .collect();
        let value_type = match type_text.as_str() {
            "Integer" => ValueType::Int,
            "Long" => ValueType::Long,
            t if t.starts_with('[') => ValueType::Choice(
                t.trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .map(str::to_string)
                    .collect(),
            ),
            _ => ValueType::Str,
        };
        defs.push(OptionDef {
            name,
            arg,
            value_type,
            available_if: Vec::new(),
        });
    }
    defs
}

fn simple_defs(list: &[(&str, ArgKind, ValueType)]) -> Vec<OptionDef> {
    list.iter()
        .map(|(n, a, t)| OptionDef {
            name: n.to_string(),
            arg: *a,
            value_type: t.clone(),
            available_if: Vec::new(),
        })
        .collect()
}

/// `kafka-configs` (Scala `ConfigCommand`, 4.0) options.
fn configs_options() -> Vec<OptionDef> {
    use ArgKind::*;
    use ValueType::Str;
    simple_defs(&[
        ("add-config", Required, Str),
        ("add-config-file", Required, Str),
        ("all", None, Str),
        ("alter", None, Str),
        ("bootstrap-controller", Required, Str),
        ("bootstrap-server", Required, Str),
        ("broker", Required, Str),
        ("broker-defaults", None, Str),
        ("broker-logger", Required, Str),
        ("client", Required, Str),
        ("client-defaults", None, Str),
        ("client-metrics", Required, Str),
        ("command-config", Required, Str),
        ("delete-config", Required, Str),
        ("describe", None, Str),
        ("entity-default", None, Str),
        ("entity-name", Required, Str),
        ("entity-type", Required, Str),
        ("group", Required, Str),
        ("help", None, Str),
        ("ip", Required, Str),
        ("ip-defaults", None, Str),
        ("topic", Required, Str),
        ("user", Required, Str),
        ("user-defaults", None, Str),
        ("version", None, Str),
    ])
}

/// `kafka-reassign-partitions` (4.0) options.
fn reassign_options() -> Vec<OptionDef> {
    use ArgKind::*;
    use ValueType::*;
    simple_defs(&[
        ("additional", None, Str),
        ("bootstrap-controller", Required, Str),
        ("bootstrap-server", Required, Str),
        ("broker-list", Required, Str),
        ("cancel", None, Str),
        ("command-config", Required, Str),
        ("disable-rack-aware", None, Str),
        ("execute", None, Str),
        ("generate", None, Str),
        ("help", None, Str),
        ("list", None, Str),
        ("preserve-throttles", None, Str),
        ("reassignment-json-file", Required, Str),
        ("replica-alter-log-dirs-throttle", Required, Long),
        ("throttle", Required, Long),
        ("timeout", Required, Long),
        ("topics-to-move-json-file", Required, Str),
        ("verify", None, Str),
        ("version", None, Str),
    ])
}

/// Options as parsed: every occurrence in command-line order, plus non-option arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedOptions {
    /// `(name, value)` per occurrence; flags have `None`.
    pub entries: Vec<(String, Option<String>)>,
    /// Arguments that are not options (jopt keeps them; argparse positionals such as the
    /// metadata-quorum sub-command).
    pub non_options: Vec<String>,
    /// Type information for conversions.
    pub defs: Vec<OptionDef>,
}

impl ParsedOptions {
    /// `options.has(opt)`.
    pub fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }

    /// `options.valuesOf(opt)`: all values in order.
    pub fn values_of(&self, name: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }

    /// `options.valueOf(opt)`: the one value (error if given several times).
    pub fn value_of(&self, name: &str) -> Result<Option<&str>, OptionError> {
        let v = self.values_of(name);
        match v.len() {
            0 => Ok(None),
            1 => Ok(Some(v[0])),
            _ => Err(OptionError::MultipleArguments(name.to_string())),
        }
    }

    /// Value converted to `Integer` (jopt conversion error text on failure).
    pub fn int_of(&self, name: &str) -> Result<Option<i32>, OptionError> {
        match self.value_of(name)? {
            None => Ok(None),
            Some(v) => v
                .parse::<i32>()
                .map(Some)
                .map_err(|_| OptionError::CannotParse {
                    option: name.to_string(),
                    value: v.to_string(),
                }),
        }
    }

    /// Value converted to `Long`.
    pub fn long_of(&self, name: &str) -> Result<Option<i64>, OptionError> {
        match self.value_of(name)? {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| OptionError::CannotParse {
                    option: name.to_string(),
                    value: v.to_string(),
                }),
        }
    }

    /// Value of an enum option, upper-cased to the matching choice.
    pub fn choice_of(&self, name: &str) -> Result<Option<String>, OptionError> {
        let Some(v) = self.value_of(name)? else {
            return Ok(None);
        };
        let choices = self
            .defs
            .iter()
            .find(|d| d.name == name)
            .and_then(|d| match &d.value_type {
                ValueType::Choice(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap_or_default();
        choices
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(v))
            .map(Some)
            .ok_or_else(|| OptionError::CannotParse {
                option: name.to_string(),
                value: v.to_string(),
            })
    }

    /// Converts every typed option once, so eager tools can report the first bad value.
    pub fn check_conversions(&self) -> Result<(), OptionError> {
        for d in &self.defs {
            if !self.has(&d.name) {
                continue;
            }
            for v in self.values_of(&d.name) {
                let ok = match &d.value_type {
                    ValueType::Str => true,
                    ValueType::Int => v.parse::<i32>().is_ok(),
                    ValueType::Long => v.parse::<i64>().is_ok(),
                    ValueType::Choice(c) => c.iter().any(|c| c.eq_ignore_ascii_case(v)),
                };
                if !ok {
                    return Err(OptionError::CannotParse {
                        option: d.name.clone(),
                        value: v.to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// jopt-simple `OptionParser.parse` with abbreviations disabled. On failure also says whether
/// the offending token was a short (`-x`) token, which changes the stack trace.
pub fn jopt_parse(
    defs: &[OptionDef],
    args: &[String],
) -> Result<ParsedOptions, (OptionError, bool)> {
    let find = |n: &str| defs.iter().find(|d| d.name == n);
    let mut out = ParsedOptions {
        defs: defs.to_vec(),
        ..Default::default()
    };
    let mut i = 0;
    let mut no_more_options = false;
    while i < args.len() {
        let tok = &args[i];
        i += 1;
        if no_more_options {
            out.non_options.push(tok.clone());
            continue;
        }
        if tok == "--" {
            no_more_options = true;
            continue;
        }
        let (body, short) = if let Some(b) = tok.strip_prefix("--") {
            (b, false)
        } else if tok.len() > 1 && tok.starts_with('-') {
            (&tok[1..], true)
        } else {
            out.non_options.push(tok.clone());
            continue;
        };
        let (key, embedded) = match body.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (body, None),
        };
        let Some(def) = find(key) else {
            let name = if short {
                // handleShortOptionCluster: the first character that is not an option.
                body.chars().next().map(String::from).unwrap_or_default()
            } else {
                key.to_string()
            };
            return Err((OptionError::Unrecognized(name), short));
        };
        let value = match def.arg {
            ArgKind::None => None,
            ArgKind::Required => match embedded.filter(|v| !v.is_empty()) {
                Some(v) => Some(v.to_string()),
                None => {
                    if i < args.len() {
                        i += 1;
                        Some(args[i - 1].clone())
                    } else {
                        return Err((OptionError::MissingArgument(def.name.clone()), short));
                    }
                }
            },
            ArgKind::Optional => match embedded.filter(|v| !v.is_empty()) {
                Some(v) => Some(v.to_string()),
                None => match args.get(i) {
                    Some(next) if !looks_like_option(next) => {
                        i += 1;
                        Some(next.clone())
                    }
                    _ => None,
                },
            },
        };
        out.entries.push((def.name.clone(), value));
    }
    // ensureAllowedOptions: availableIf.
    let unavailable: Vec<String> = defs
        .iter()
        .filter(|d| !d.available_if.is_empty() && out.has(&d.name))
        .filter(|d| !d.available_if.iter().any(|a| out.has(a)))
        .map(|d| d.name.clone())
        .collect();
    if !unavailable.is_empty() {
        return Err((OptionError::Unavailable(unavailable), false));
    }
    Ok(out)
}

fn looks_like_option(s: &str) -> bool {
    s.starts_with('-') && s != "-" && s != "--"
}

/// `CommandLineUtils.printUsageAndExit`: message, then the help screen, on stderr; exit 1.
pub fn usage_exit(tool: Tool, message: &str) -> ToolExit {
    ToolExit::err(format!("{message}\n{}", tool.help_screen()), 1)
}

/// `Missing required argument "[topic]"`.
pub fn missing_required(option: &str) -> String {
    format!("Missing required argument \"[{option}]\"")
}

/// `Option "[config]" can't be used with option "[list]"` (`checkInvalidArgs`).
pub fn cant_be_used_with(option: &str, other: &str) -> String {
    format!("Option \"[{option}]\" can't be used with option \"[{other}]\"")
}

/// `Option combination "[[a], [b]]" can't be used with option "[c]"` + optional note
/// (`checkInvalidArgsSet`).
pub fn combination_cant_be_used_with(options: &[&str], other: &str, note: Option<&str>) -> String {
    let set: Vec<String> = options.iter().map(|o| format!("[{o}]")).collect();
    let mut s = format!(
        "Option combination \"[{}]\" can't be used with option \"[{other}]\"",
        set.join(", ")
    );
    if let Some(n) = note {
        s.push(' ');
        s.push_str(n);
    }
    s
}

/// How a jopt parse exception reaches the terminal for `tool` (formats §1.2).
pub fn parse_error_exit(tool: Tool, err: &OptionError, short_token: bool) -> ToolExit {
    let msg = err.message();
    match tool {
        Tool::Topics | Tool::DeleteRecords | Tool::LeaderElection => {
            // System.err.println(e.getMessage()); System.err.println(Utils.stackTrace(e));
            ToolExit::err(
                format!("{msg}\n{}\n", err.stack_trace(tool, short_token)),
                1,
            )
        }
        Tool::ConsoleProducer | Tool::ConsoleConsumer => usage_exit(tool, &msg),
        Tool::ConsumerGroups | Tool::ReassignPartitions => ToolExit::err(
            format!(
                "Exception in thread \"main\" {}",
                err.stack_trace(tool, short_token)
            ),
            1,
        ),
        Tool::GetOffsets => ToolExit::err(format!("Error occurred: {msg}\n"), 1),
        Tool::Configs => ToolExit::err(format!("{msg}\n"), 1),
        Tool::VerifiableProducer | Tool::VerifiableConsumer | Tool::MetadataQuorum => {
            ToolExit::err(format!("{msg}\n"), 1)
        }
    }
}

/// Parses a tool's arguments the way the real tool's front-end does, including `--help`,
/// `--version` and the no-arguments case. `Err` carries the complete terminal output.
pub fn parse_tool_args(tool: Tool, args: &[String]) -> Result<ParsedOptions, ToolExit> {
    if tool.uses_argparse() {
        return argparse::parse(tool, args);
    }
    let defs = tool_options(tool);
    let parsed = match jopt_parse(&defs, args) {
        Ok(p) => p,
        Err((e, short)) => return Err(parse_error_exit(tool, &e, short)),
    };
    if args.is_empty() {
        return Err(usage_exit(tool, tool.no_args_message()));
    }
    if parsed.has("help") {
        return Err(usage_exit(tool, tool.help_message()));
    }
    if parsed.has("version") {
        return Err(ToolExit::ok(format!("{KAFKA_VERSION}\n")));
    }
    Ok(parsed)
}

/// The argparse4j front-end of the verifiable tools and `kafka-metadata-quorum`.
pub mod argparse {
    use super::{OptionDef, ParsedOptions, Tool, ValueType};
    use crate::console::output::ToolExit;

    /// argparse4j's format width with no terminal (`$COLUMNS` unset): 80 - 5.
    pub const FORMAT_WIDTH: usize = 75;

    /// One named argument of an argparse4j parser.
    #[derive(Debug, Clone)]
    pub struct Arg {
        pub flag: &'static str,
        pub metavar: &'static str,
        pub takes_value: bool,
        pub required: bool,
        pub value_type: ValueType,
        /// Member of the parser's required mutually-exclusive group.
        pub in_required_group: bool,
    }

    const fn arg(flag: &'static str, metavar: &'static str) -> Arg {
        Arg {
            flag,
            metavar,
            takes_value: true,
            required: false,
            value_type: ValueType::Str,
            in_required_group: false,
        }
    }

    fn req(mut a: Arg) -> Arg {
        a.required = true;
        a
    }
    fn int(mut a: Arg) -> Arg {
        a.value_type = ValueType::Int;
        a
    }
    fn long(mut a: Arg) -> Arg {
        a.value_type = ValueType::Long;
        a
    }
    fn flag(mut a: Arg) -> Arg {
        a.takes_value = false;
        a
    }
    fn group(mut a: Arg) -> Arg {
        a.in_required_group = true;
        a
    }

    /// Program name argparse4j prints.
    pub fn prog(tool: Tool) -> &'static str {
        match tool {
            Tool::VerifiableProducer => "verifiable-producer",
            Tool::VerifiableConsumer => "verifiable-consumer",
            _ => "kafka-metadata-quorum",
        }
    }

    /// The named arguments in definition order (`-h` first).
    pub fn args(tool: Tool) -> Vec<Arg> {
        let help = flag(arg("-h", ""));
        match tool {
            Tool::VerifiableProducer => vec![
                help,
                req(arg("--topic", "TOPIC")),
                long(arg("--max-messages", "MAX-MESSAGES")),
                long(arg("--throughput", "THROUGHPUT")),
                Arg {
                    value_type: ValueType::Choice(vec!["0".into(), "1".into(), "-1".into()]),
                    ..arg("--acks", "ACKS")
                },
                arg("--producer.config", "CONFIG_FILE"),
                long(arg("--message-create-time", "CREATETIME")),
                int(arg("--value-prefix", "VALUE-PREFIX")),
                int(arg("--repeating-keys", "REPEATING-KEYS")),
                group(arg("--bootstrap-server", "HOST1:PORT1[,HOST2:PORT2[...]]")),
            ],
            Tool::VerifiableConsumer => vec![
                help,
                group(arg("--bootstrap-server", "HOST1:PORT1[,HOST2:PORT2[...]]")),
                req(arg("--topic", "TOPIC")),
                arg("--group-protocol", "GROUP_PROTOCOL"),
                arg("--group-remote-assignor", "GROUP_REMOTE_ASSIGNOR"),
                req(arg("--group-id", "GROUP_ID")),
                arg("--group-instance-id", "GROUP_INSTANCE_ID"),
                int(arg("--max-messages", "MAX-MESSAGES")),
                int(arg("--session-timeout", "TIMEOUT_MS")),
                flag(arg("--verbose", "")),
                flag(arg("--enable-autocommit", "")),
                arg("--reset-policy", "RESETPOLICY"),
                arg("--assignment-strategy", "ASSIGNMENTSTRATEGY"),
                arg("--consumer.config", "CONFIG_FILE"),
            ],
            _ => vec![
                help,
                arg("--command-config", "COMMAND_CONFIG"),
                group(arg("--bootstrap-server", "BOOTSTRAP_SERVER")),
                group(arg("--bootstrap-controller", "BOOTSTRAP_CONTROLLER")),
            ],
        }
    }

    /// Sub-commands (metadata-quorum only) and their flags.
    fn subcommands(tool: Tool) -> Vec<(&'static str, Vec<Arg>)> {
        if tool != Tool::MetadataQuorum {
            return Vec::new();
        }
        vec![
            (
                "describe",
                vec![
                    flag(arg("-h", "")),
                    flag(arg("--status", "")),
                    flag(arg("--replication", "")),
                    flag(arg("--human-readable", "")),
                ],
            ),
            (
                "add-controller",
                vec![flag(arg("-h", "")), flag(arg("--dry-run", ""))],
            ),
            (
                "remove-controller",
                vec![
                    flag(arg("-h", "")),
                    req(int(arg("--controller-id", "CONTROLLER_ID"))),
                    req(arg("--controller-directory-id", "CONTROLLER_DIRECTORY_ID")),
                    flag(arg("--dry-run", "")),
                ],
            ),
        ]
    }

    fn short_syntax(a: &Arg) -> String {
        if a.takes_value {
            format!("{} {}", a.flag, a.metavar)
        } else {
            a.flag.to_string()
        }
    }

    /// The `usage:` block (argparse4j `printUsage`), newline-terminated.
    pub fn usage(tool: Tool) -> String {
        let args = args(tool);
        let mut opts: Vec<String> = Vec::new();
        for a in args.iter().filter(|a| !a.in_required_group) {
            if a.required {
                opts.push(short_syntax(a));
            } else {
                opts.push(format!("[{}]", short_syntax(a)));
            }
        }
        let grouped: Vec<&Arg> = args.iter().filter(|a| a.in_required_group).collect();
        match grouped.len() {
            0 => {}
            1 => opts.push(short_syntax(grouped[0])),
            n => {
                opts.push(format!("({}", short_syntax(grouped[0])));
                for a in &grouped[1..n - 1] {
                    opts.push("|".into());
                    opts.push(short_syntax(a));
                }
                opts.push("|".into());
                opts.push(format!("{})", short_syntax(grouped[n - 1])));
            }
        }
        let subs = subcommands(tool);
        if !subs.is_empty() {
            let names: Vec<&str> = subs.iter().map(|(n, _)| *n).collect();
            opts.push(format!("{{{}}}", names.join(",")));
            opts.push("...".into());
        }
        let head = format!("usage: {}", prog(tool));
        let indent = " ".repeat(head.len());
        let mut out = head.clone();
        let mut width = head.len();
        let mut first = true;
        for o in opts {
            if !first && width + o.len() + 1 > FORMAT_WIDTH {
                out.push('\n');
                out.push_str(&indent);
                width = indent.len();
            }
            out.push(' ');
            out.push_str(&o);
            width += 1 + o.len();
            first = false;
        }
        out.push('\n');
        out
    }

    /// Break opportunities of Java's line `BreakIterator`, simplified: after a run of spaces,
    /// after a newline, and after a hyphen run that is followed by a letter.
    fn segments(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            cur.push(c);
            let next = chars.get(i + 1).copied();
            let brk = match (c, next) {
                (_, None) => true,
                ('\n', _) => true,
                (' ', Some(n)) => n != ' ',
                // No break inside a hyphen run; a break after it when a letter follows.
                ('-', Some(n)) => n.is_alphabetic(),
                _ => false,
            };
            if brk {
                out.push(std::mem::take(&mut cur));
            }
            i += 1;
        }
        out
    }

    /// argparse4j `TextHelper.adjustSpace`: trims, then spreads extra spaces over the blanks,
    /// the remainder going to the middle blocks.
    fn adjust_space(line: &str, width: usize) -> String {
        let t = line.trim_matches(' ');
        let cur = t.chars().count();
        let blocks: Vec<usize> = {
            let chars: Vec<char> = t.chars().collect();
            let mut v = Vec::new();
            let mut cont = false;
            for (i, c) in chars.iter().enumerate() {
                if *c == ' ' {
                    if !cont {
                        v.push(i);
                    }
                    cont = true;
                } else {
                    cont = false;
                }
            }
            v
        };
        if blocks.is_empty() || cur >= width {
            return t.to_string();
        }
        let n = blocks.len();
        let need = width - cur;
        let each = need / n;
        let rem = need % n;
        let rem_start = (n - rem).div_ceil(2);
        let rem_end = rem_start + rem;
        let mut out = String::new();
        let mut b = 0;
        let mut cont = false;
        for c in t.chars() {
            if c == ' ' {
                if !cont {
                    let add = each + usize::from(rem_start <= b && b < rem_end);
                    out.push_str(&" ".repeat(add));
                    b += 1;
                }
                cont = true;
            } else {
                cont = false;
            }
            out.push(c);
        }
        out
    }

    /// argparse4j `TextHelper.wrap` with no indent.
    pub fn wrap(s: &str, width: usize) -> String {
        let mut res = String::new();
        let mut sb = String::new();
        let mut cur = 0usize;
        for sub in segments(s) {
            let w = sub.chars().count();
            cur += w;
            if cur > width {
                res.push_str(&adjust_space(&sb, width));
                res.push('\n');
                sb.clear();
                cur = w;
            }
            sb.push_str(&sub);
            if sub.ends_with('\n') {
                res.push_str(&sb);
                sb.clear();
                cur = 0;
            }
        }
        res.push_str(&sb);
        res
    }

    /// `handleError`: usage, then `<prog>: error: <message>` wrapped to 75 columns, on stderr,
    /// exit 1. `did_you_mean` lists close flags for an unrecognized one.
    pub fn error_exit(tool: Tool, message: &str, unknown_flag: Option<&str>) -> ToolExit {
        let mut s = usage(tool);
        s.push_str(&wrap(
            &format!("{}: error: {message}", prog(tool)),
            FORMAT_WIDTH,
        ));
        s.push('\n');
        if let Some(f) = unknown_flag {
            s.push_str(&did_you_mean(tool, f));
        }
        ToolExit::err(s, 1)
    }

    /// Damerau-Levenshtein with git's costs, as argparse4j uses for "Did you mean".
    fn levenshtein(a: &[char], b: &[char]) -> i32 {
        const SUB: i32 = 2;
        const SWAP: i32 = 0;
        const DEL: i32 = 4;
        const ADD: i32 = 1;
        let bl = b.len();
        let mut dp = [vec![0i32; bl + 1], vec![0i32; bl + 1], vec![0i32; bl + 1]];
        for (i, v) in dp[1].iter_mut().enumerate() {
            *v = i as i32;
        }
        for i in 1..=a.len() {
            dp[0][0] = i as i32;
            for j in 1..=bl {
                let mut v = dp[1][j - 1] + if a[i - 1] == b[j - 1] { 0 } else { SUB };
                if i >= 2
                    && j >= 2
                    && a[i - 1] != b[j - 1]
                    && a[i - 2] == b[j - 1]
                    && a[i - 1] == b[j - 2]
                {
                    v = v.min(dp[2][j - 2] + SWAP);
                }
                v = v.min((dp[1][j] + DEL).min(dp[0][j - 1] + ADD));
                dp[0][j] = v;
            }
            dp.rotate_right(1);
        }
        dp[1][bl]
    }

    fn did_you_mean(tool: Tool, flag: &str) -> String {
        let body = flag.trim_start_matches('-');
        if body.chars().count() < 2 {
            return String::new();
        }
        let bc: Vec<char> = body.chars().collect();
        let mut flags: Vec<&str> = vec!["--help"];
        flags.extend(args(tool).iter().filter(|a| a.flag != "-h").map(|a| a.flag));
        let mut cands: Vec<(i32, &str)> = flags
            .iter()
            .map(|f| {
                let fb = f.trim_start_matches('-');
                let sim = if fb.starts_with(body) {
                    0
                } else {
                    levenshtein(&bc, &fb.chars().collect::<Vec<_>>())
                };
                (sim, *f)
            })
            .collect();
        crate::ordered::sort(&mut cands);
        let Some(&(threshold, _)) = cands.first() else {
            return String::new();
        };
        if threshold >= 7 {
            return String::new();
        }
        let mut s = String::from("\nDid you mean:\n");
        for (sim, f) in cands {
            if sim > threshold {
                break;
            }
            s.push('\t');
            s.push_str(f);
            s.push('\n');
        }
        s
    }

    fn resolve<'a>(list: &'a [Arg], flag: &str) -> Result<Option<&'a Arg>, String> {
        let all_flags = |a: &'a Arg| -> Vec<&'static str> {
            if a.flag == "-h" {
                vec!["-h", "--help"]
            } else {
                vec![a.flag]
            }
        };
        for a in list {
            if all_flags(a).contains(&flag) {
                return Ok(Some(a));
            }
        }
        let mut cand: Vec<(&str, &Arg)> = Vec::new();
        for a in list {
            for f in all_flags(a) {
                if f.starts_with(flag) {
                    cand.push((f, a));
                }
            }
        }
        match cand.len() {
            0 => Ok(None),
            1 => Ok(Some(cand[0].1)),
            _ => {
                let mut names: Vec<&str> = cand.iter().map(|(f, _)| *f).collect();
                crate::ordered::sort(&mut names);
                Err(format!(
                    "ambiguous option: {flag} could match {}",
                    names.join(", ")
                ))
            }
        }
    }

    fn convert(a: &Arg, v: &str) -> Result<(), String> {
        match &a.value_type {
            ValueType::Str => Ok(()),
            ValueType::Int => v.parse::<i32>().map(|_| ()).map_err(|_| {
                format!(
                    "argument {}: could not convert '{v}' to Integer (For input string: \"{v}\")",
                    a.flag
                )
            }),
            ValueType::Long => v.parse::<i64>().map(|_| ()).map_err(|_| {
                format!(
                    "argument {}: could not convert '{v}' to Long (For input string: \"{v}\")",
                    a.flag
                )
            }),
            ValueType::Choice(c) => {
                if c.iter().any(|x| x == v) {
                    Ok(())
                } else {
                    Err(format!(
                        "argument {}: invalid choice: '{v}' (choose from {{{}}})",
                        a.flag,
                        c.join(",")
                    ))
                }
            }
        }
    }

    /// Parses like `ArgumentParser.parseArgs` and handles `-h` / no arguments like the tools.
    pub fn parse(tool: Tool, argv: &[String]) -> Result<ParsedOptions, ToolExit> {
        if argv.is_empty() && tool != Tool::MetadataQuorum {
            // The verifiable tools print help and exit 0 when run without arguments.
            return Err(ToolExit::ok(usage(tool)));
        }
        let fail = |m: String, unknown: Option<&str>| error_exit(tool, &m, unknown);
        let mut list = args(tool);
        let mut out = ParsedOptions {
            defs: Vec::<OptionDef>::new(),
            ..Default::default()
        };
        let subs = subcommands(tool);
        let mut sub: Option<&str> = None;
        let mut group_used: Option<&'static str> = None;
        let mut i = 0;
        while i < argv.len() {
            let term = argv[i].as_str();
            i += 1;
            if term.starts_with('-') && term != "-" && term != "--" && !is_negative_number(term) {
                let (flag, embedded) = match term.split_once('=') {
                    Some((f, v)) => (f, Some(v)),
                    None => (term, None),
                };
                let a = match resolve(&list, flag) {
                    Ok(Some(a)) => a.clone(),
                    Ok(None) => {
                        return Err(fail(
                            format!("unrecognized arguments: '{term}'"),
                            Some(term),
                        ))
                    }
                    Err(m) => return Err(fail(m, None)),
                };
                if a.flag == "-h" {
                    return Err(ToolExit::ok(usage(tool)));
                }
                if a.in_required_group {
                    if let Some(u) = group_used.filter(|u| *u != a.flag) {
                        return Err(fail(
                            format!("argument {}: not allowed with argument {u}", a.flag),
                            None,
                        ));
                    }
                    group_used = Some(a.flag);
                }
                let name = a.flag.trim_start_matches('-').to_string();
                if !a.takes_value {
                    if let Some(v) = embedded {
                        return Err(fail(
                            format!("argument {}: ignore implicit argument '{v}'", a.flag),
                            None,
                        ));
                    }
                    out.entries.push((name, None));
                    continue;
                }
                let value = match embedded {
                    Some(v) => v.to_string(),
                    None => match argv.get(i) {
                        Some(n) if !(n.starts_with('-') && n != "-" && !is_negative_number(n)) => {
                            i += 1;
                            n.clone()
                        }
                        _ => {
                            return Err(fail(
                                format!("argument {}: expected one argument", a.flag),
                                None,
                            ))
                        }
                    },
                };
                if let Err(m) = convert(&a, &value) {
                    return Err(fail(m, None));
                }
                // argparse `store`: the last occurrence wins.
                out.entries.retain(|(n, _)| *n != name);
                out.entries.push((name, Some(value)));
            } else if term == "--" {
                continue;
            } else if sub.is_none() && !subs.is_empty() {
                // Required arguments of the main parser are checked before the sub-command.
                check_required(tool, &list, &out, group_used)?;
                match subs.iter().find(|(n, _)| *n == term) {
                    Some((n, sub_args)) => {
                        sub = Some(n);
                        out.non_options.push(n.to_string());
                        list = sub_args.clone();
                    }
                    None => {
                        let names: Vec<String> =
                            subs.iter().map(|(n, _)| format!("'{n}'")).collect();
                        return Err(fail(
                            format!(
                                "argument {{describe,add-controller,remove-controller}}: invalid choice: '{term}' (choose from {})",
                                names.join(", ")
                            ),
                            None,
                        ));
                    }
                }
            } else {
                let rest: Vec<&str> = argv[i - 1..].iter().map(String::as_str).collect();
                return Err(fail(
                    format!("unrecognized arguments: '{}'", rest.join(" ")),
                    None,
                ));
            }
        }
        if !subs.is_empty() && sub.is_none() {
            return Err(fail("too few arguments".into(), None));
        }
        if sub.is_none() {
            check_required(tool, &list, &out, group_used)?;
        } else {
            // Sub-command's own required arguments.
            let missing = list
                .iter()
                .filter(|a| a.required)
                .rfind(|a| !out.has(a.flag.trim_start_matches('-')));
            if let Some(a) = missing {
                return Err(fail(format!("argument {} is required", a.flag), None));
            }
        }
        Ok(out)
    }

    fn check_required(
        tool: Tool,
        list: &[Arg],
        out: &ParsedOptions,
        group_used: Option<&str>,
    ) -> Result<(), ToolExit> {
        // checkRequiredArgument keeps the last missing one.
        let missing = list
            .iter()
            .filter(|a| a.required && !a.in_required_group)
            .rfind(|a| !out.has(a.flag.trim_start_matches('-')));
        if let Some(a) = missing {
            return Err(error_exit(
                tool,
                &format!("argument {} is required", a.flag),
                None,
            ));
        }
        let grouped: Vec<&str> = list
            .iter()
            .filter(|a| a.in_required_group)
            .map(|a| a.flag)
            .collect();
        if !grouped.is_empty() && group_used.is_none() {
            let mut names = String::new();
            for g in grouped {
                names.push_str(g);
                names.push(' ');
            }
            return Err(error_exit(
                tool,
                &format!("one of the arguments {names}is required"),
                None,
            ));
        }
        Ok(())
    }

    fn is_negative_number(s: &str) -> bool {
        s.len() > 1 && s.starts_with('-') && s[1..].chars().all(|c| c.is_ascii_digit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tool_names_normalise() {
        for w in [
            "kafka-topics",
            "kafka-topics.sh",
            "bin/kafka-topics.sh",
            "./bin/kafka-topics.sh",
            "/opt/kafka/bin/kafka-topics.sh",
        ] {
            assert_eq!(Tool::from_command(w), Some(Tool::Topics), "{w}");
        }
        assert_eq!(
            Tool::from_command("kafka-verifiable-producer.sh"),
            Some(Tool::VerifiableProducer)
        );
        assert_eq!(Tool::from_command("kafka-topic"), None);
        assert_eq!(Tool::from_command("topics"), None);
    }

    #[test]
    fn options_are_read_from_the_help_screens() {
        let defs = tool_options(Tool::Topics);
        let get = |n: &str| defs.iter().find(|d| d.name == n).unwrap().clone();
        assert_eq!(get("partitions").arg, ArgKind::Required);
        assert_eq!(get("partitions").value_type, ValueType::Int);
        assert_eq!(get("list").arg, ArgKind::None);
        assert_eq!(
            get("partition-size-limit-per-response").arg,
            ArgKind::Required
        );
        assert_eq!(
            get("partition-size-limit-per-response").value_type,
            ValueType::Int
        );
        assert_eq!(defs.len(), 26);
        let p = tool_options(Tool::ConsoleProducer);
        assert_eq!(
            p.iter()
                .find(|d| d.name == "compression-codec")
                .unwrap()
                .arg,
            ArgKind::Optional
        );
        let le = tool_options(Tool::LeaderElection);
        assert_eq!(
            le.iter()
                .find(|d| d.name == "election-type")
                .unwrap()
                .value_type,
            ValueType::Choice(vec!["PREFERRED".into(), "UNCLEAN".into()])
        );
        for t in Tool::ALL {
            if !t.uses_argparse() {
                let d = tool_options(t);
                assert!(d.iter().any(|d| d.name == "help"), "{t:?}");
                assert!(d.iter().any(|d| d.name == "version"), "{t:?}");
            }
        }
    }

    #[test]
    fn values_repeat_and_accept_equals() {
        let p = parse_tool_args(
            Tool::Topics,
            &a(&[
                "--bootstrap-server=localhost:9092",
                "--create",
                "--topic",
                "t",
                "--config",
                "a=b",
                "--config=c=d",
                "--partitions",
                "3",
            ]),
        )
        .unwrap();
        assert_eq!(
            p.value_of("bootstrap-server").unwrap(),
            Some("localhost:9092")
        );
        assert_eq!(p.values_of("config"), ["a=b", "c=d"]);
        assert!(p.has("create"));
        assert_eq!(p.int_of("partitions").unwrap(), Some(3));
        assert!(p.value_of("config").is_err());
        assert_eq!(
            p.value_of("config").unwrap_err().message(),
            "Found multiple arguments for option config, but you asked for only one"
        );
    }

    #[test]
    fn required_argument_takes_the_next_token_even_if_it_looks_like_an_option() {
        let p = parse_tool_args(Tool::Topics, &a(&["--topic", "--list"])).unwrap();
        assert_eq!(p.value_of("topic").unwrap(), Some("--list"));
        assert!(!p.has("list"));
    }

    #[test]
    fn conversion_errors_have_jopts_text() {
        let p = parse_tool_args(Tool::Topics, &a(&["--partitions", "abc"])).unwrap();
        let e = p.int_of("partitions").unwrap_err();
        assert_eq!(
            e.message(),
            "Cannot parse argument 'abc' of option partitions"
        );
        let p =
            parse_tool_args(Tool::LeaderElection, &a(&["--election-type", "preferred"])).unwrap();
        assert_eq!(
            p.choice_of("election-type").unwrap().as_deref(),
            Some("PREFERRED")
        );
        let p = parse_tool_args(Tool::LeaderElection, &a(&["--election-type", "foo"])).unwrap();
        assert_eq!(
            p.check_conversions().unwrap_err().message(),
            "Cannot parse argument 'foo' of option election-type"
        );
    }

    #[test]
    fn unknown_option_in_console_consumer_prints_message_and_help() {
        let e = parse_tool_args(Tool::ConsoleConsumer, &a(&["--foo"])).unwrap_err();
        assert_eq!(e.code, 1);
        assert!(e.stdout.is_empty());
        let mut lines = e.stderr.lines();
        assert_eq!(lines.next(), Some("foo is not a recognized option"));
        assert_eq!(
            lines.next(),
            Some(
                "Option                                   Description                            "
            )
        );
        assert!(e.stderr.ends_with(
            "--version                                Display Kafka version.                 \n"
        ));
    }

    #[test]
    fn abbreviations_are_not_recognized_by_jopt_tools() {
        let e = parse_tool_args(Tool::ConsoleProducer, &a(&["--bootstrap", "x"])).unwrap_err();
        assert!(e
            .stderr
            .starts_with("bootstrap is not a recognized option\n"));
    }

    #[test]
    fn consumer_groups_parse_errors_are_uncaught_exceptions() {
        let e = parse_tool_args(Tool::ConsumerGroups, &a(&["--foo"])).unwrap_err();
        assert_eq!(
            e.stderr,
            "Exception in thread \"main\" joptsimple.UnrecognizedOptionException: foo is not a recognized option\n\
\tat joptsimple.OptionException.unrecognizedOption(OptionException.java:108)\n\
\tat joptsimple.OptionParser.handleLongOptionToken(OptionParser.java:510)\n\
\tat joptsimple.OptionParserState$2.handleArgument(OptionParserState.java:56)\n\
\tat joptsimple.OptionParser.parse(OptionParser.java:396)\n\
\tat org.apache.kafka.tools.consumer.group.ConsumerGroupCommandOptions.<init>(ConsumerGroupCommandOptions.java:212)\n\
\tat org.apache.kafka.tools.consumer.group.ConsumerGroupCommandOptions.fromArgs(ConsumerGroupCommandOptions.java:125)\n\
\tat org.apache.kafka.tools.consumer.group.ConsumerGroupCommand.main(ConsumerGroupCommand.java:99)\n"
        );
        assert_eq!(e.code, 1);
        let e = parse_tool_args(Tool::ConsumerGroups, &a(&["--members"])).unwrap_err();
        assert!(e.stderr.starts_with("Exception in thread \"main\" joptsimple.UnavailableOptionException: Option(s) [members] are unavailable given other options on the command line\n"));
        assert!(parse_tool_args(Tool::ConsumerGroups, &a(&["--describe", "--members"])).is_ok());
    }

    #[test]
    fn missing_argument_and_short_options() {
        let e = parse_tool_args(Tool::Topics, &a(&["--list", "--topic"])).unwrap_err();
        assert!(e.stderr.starts_with(
            "Option topic requires an argument\njoptsimple.OptionMissingRequiredArgumentException: Option topic requires an argument\n\tat joptsimple.RequiredArgumentOptionSpec.detectOptionArgument(RequiredArgumentOptionSpec.java:48)\n"
        ));
        assert!(e.stderr.ends_with(")\n\n"));
        let e = parse_tool_args(Tool::GetOffsets, &a(&["-x"])).unwrap_err();
        assert_eq!(e.stderr, "Error occurred: x is not a recognized option\n");
        // A single dash works for a full option name.
        let p = parse_tool_args(Tool::GetOffsets, &a(&["-topic", "t"])).unwrap();
        assert_eq!(p.value_of("topic").unwrap(), Some("t"));
        let e = parse_tool_args(Tool::Configs, &a(&["--foo"])).unwrap_err();
        assert_eq!(e.stderr, "foo is not a recognized option\n");
    }

    #[test]
    fn help_version_and_no_args() {
        let e = parse_tool_args(Tool::Topics, &a(&["--help"])).unwrap_err();
        assert_eq!(e.code, 1);
        let first: Vec<&str> = e.stderr.lines().take(4).collect();
        assert_eq!(
            first,
            [
                "This tool helps to create, delete, describe, or change a topic.",
                "Option                                   Description                            ",
                "------                                   -----------                            ",
                "--alter                                  Alter the number of partitions and     ",
            ]
        );
        let e = parse_tool_args(Tool::Topics, &[]).unwrap_err();
        assert!(e
            .stderr
            .starts_with("Create, delete, describe, or change a topic.\nOption "));
        let e = parse_tool_args(Tool::GetOffsets, &a(&["--version"])).unwrap_err();
        assert_eq!((e.stdout.as_str(), e.code), ("4.0.0\n", 0));
        let e = parse_tool_args(Tool::DeleteRecords, &a(&["--help"])).unwrap_err();
        assert_eq!(
            e.stderr,
            "This tool helps to delete records of the given partitions down to the specified offset.\n".to_string()
                + include_str!("help/delete-records.txt")
        );
    }

    #[test]
    fn usage_messages() {
        assert_eq!(
            missing_required("topic"),
            "Missing required argument \"[topic]\""
        );
        assert_eq!(
            cant_be_used_with("config", "list"),
            "Option \"[config]\" can't be used with option \"[list]\""
        );
        assert_eq!(
            combination_cant_be_used_with(
                &["bootstrap-server", "config"],
                "alter",
                Some("(To alter topic configurations, the kafka-configs tool can be used.)")
            ),
            "Option combination \"[[bootstrap-server], [config]]\" can't be used with option \"[alter]\" (To alter topic configurations, the kafka-configs tool can be used.)"
        );
        let e = usage_exit(Tool::Topics, &missing_required("topic"));
        assert!(e
            .stderr
            .starts_with("Missing required argument \"[topic]\"\nOption "));
    }

    #[test]
    fn argparse_usage_blocks_match_kafka() {
        assert_eq!(
            argparse::usage(Tool::VerifiableProducer),
            "usage: verifiable-producer [-h] --topic TOPIC [--max-messages MAX-MESSAGES]\n                           [--throughput THROUGHPUT] [--acks ACKS]\n                           [--producer.config CONFIG_FILE]\n                           [--message-create-time CREATETIME]\n                           [--value-prefix VALUE-PREFIX]\n                           [--repeating-keys REPEATING-KEYS]\n                           --bootstrap-server HOST1:PORT1[,HOST2:PORT2[...]]\n"
        );
        assert_eq!(
            argparse::usage(Tool::MetadataQuorum),
            "usage: kafka-metadata-quorum [-h] [--command-config COMMAND_CONFIG]\n                             (--bootstrap-server BOOTSTRAP_SERVER |\n                             --bootstrap-controller BOOTSTRAP_CONTROLLER)\n                             {describe,add-controller,remove-controller}\n                             ...\n"
        );
    }

    #[test]
    fn argparse_errors_match_kafka() {
        let e = parse_tool_args(
            Tool::VerifiableProducer,
            &a(&["--bootstrap-server", "b:9092"]),
        )
        .unwrap_err();
        assert_eq!(e.code, 1);
        assert!(e
            .stderr
            .ends_with("\nverifiable-producer: error: argument --topic is required\n"));
        let e = parse_tool_args(Tool::MetadataQuorum, &a(&["describe", "--status"])).unwrap_err();
        assert!(e.stderr.ends_with(
            "\nkafka-metadata-quorum: error: one  of  the  arguments --bootstrap-server --\nbootstrap-controller is required\n"
        ), "{}", e.stderr);
        let e = parse_tool_args(Tool::MetadataQuorum, &[]).unwrap_err();
        assert!(e
            .stderr
            .ends_with("\nkafka-metadata-quorum: error: too few arguments\n"));
        let e = parse_tool_args(
            Tool::MetadataQuorum,
            &a(&[
                "--bootstrap-server",
                "a",
                "--bootstrap-controller",
                "b",
                "describe",
            ]),
        )
        .unwrap_err();
        // Long messages are wrapped at 75 columns and justified, as argparse4j does.
        assert!(e.stderr.ends_with(
            "\nkafka-metadata-quorum: error: argument  --bootstrap-controller: not allowed\nwith argument --bootstrap-server\n"
        ));
        let e = parse_tool_args(
            Tool::VerifiableProducer,
            &a(&["--bootstrap-server", "b", "--topic", "t", "--acks", "2"]),
        )
        .unwrap_err();
        assert!(e.stderr.ends_with(
            "\nverifiable-producer: error: argument  --acks:  invalid  choice: '2' (choose\nfrom {0,1,-1})\n"
        ));
        let e = parse_tool_args(Tool::VerifiableProducer, &a(&["--topc", "t"])).unwrap_err();
        assert!(
            e.stderr
                .ends_with("error: unrecognized arguments: '--topc'\n\nDid you mean:\n\t--topic\n"),
            "{}",
            e.stderr
        );
        let e = parse_tool_args(Tool::VerifiableProducer, &[]).unwrap_err();
        assert_eq!(e.code, 0);
        assert!(e.stdout.starts_with("usage: verifiable-producer [-h]"));
    }

    #[test]
    fn argparse_accepts_unique_prefixes() {
        let p = parse_tool_args(
            Tool::VerifiableConsumer,
            &a(&[
                "--bootstrap",
                "b:9092",
                "--topic",
                "t",
                "--group-id",
                "g",
                "--verb",
            ]),
        )
        .unwrap();
        assert_eq!(p.value_of("bootstrap-server").unwrap(), Some("b:9092"));
        assert!(p.has("verbose"));
        let e = parse_tool_args(Tool::VerifiableConsumer, &a(&["--group", "x"])).unwrap_err();
        assert!(e.stderr.ends_with(
            "\nverifiable-consumer: error: ambiguous option:  --group could match --group-\nid, --group-instance-id, --group-protocol, --group-remote-assignor\n"
        ));
        let p = parse_tool_args(
            Tool::MetadataQuorum,
            &a(&["--bootstrap-server", "b:9092", "describe", "--status"]),
        )
        .unwrap();
        assert_eq!(p.non_options, ["describe"]);
        assert!(p.has("status"));
    }
}
