//! The runner: one simulated cluster, Kafka's tools and the playground commands run against it.
//!
//! `Console` owns the `Sim`. A foreground tool runs simulated time until its work is done (a
//! producer until its records are acknowledged, a consumer until `--max-messages`,
//! `--timeout-ms` or the idle rule); a trailing `&` makes it a background job that advances
//! whenever time does; `sleep` and `wait` move the clock. Output of background jobs is attached
//! to the command during which it was produced, as a terminal would show it.

use super::output::ToolExit;
use super::script::{parse_duration, parse_script, ScriptLine};
use super::tools::{self, Task};
use super::Tool;
use crate::engine::rng::SimRng;
use crate::engine::time::Millis;
use crate::engine::{ClusterSpec, Sim};

/// A console consumer with neither `--max-messages` nor `--timeout-ms` stops after this long
/// without a new record while the console waits for it (foreground, or `wait`).
pub const IDLE_STOP_MS: Millis = 10_000;
/// The most simulated time one foreground command or `wait` may take.
pub const WAIT_LIMIT_MS: Millis = 10 * 60_000;
/// See `Console::sleep`.
const SLEEP_LIMIT_MS: u64 = 30 * 86_400_000;

/// A background job (`command &`).
pub(crate) struct Job {
    pub id: u32,
    pub command: String,
    pub task: Task,
}

/// Kafka's command-line tools and the playground commands against one simulated cluster.
pub struct Console {
    pub(crate) sim: Sim,
    /// The console's own PRNG (generated group ids): seeded from the seed, separate from the
    /// engine's so that console choices never shift the simulation.
    pub(crate) rng: SimRng,
    seed: u64,
    pub(crate) jobs: Vec<Job>,
    next_job: u32,
    /// Counter for the names of the clients the tools start (`console-consumer-1`...).
    pub(crate) next_client: u32,
    /// Nothing has run yet: `cluster create` replaces the default cluster silently.
    fresh: bool,
}

/// The console's clusters run with Kafka 4.0's stock `config/server.properties`, as the
/// tutorials' `bin/kafka-server-start.sh config/server.properties` does (this is why every
/// topic's describe shows `segment.bytes=1073741824`).
pub fn console_cluster_spec() -> ClusterSpec {
    ClusterSpec {
        broker_overrides: crate::engine::config::BrokerConfig::stock_server_properties(),
        ..ClusterSpec::default()
    }
}

fn default_sim(seed: u64) -> Sim {
    // The default spec is constant and valid; the minimal cluster is only a safety net.
    Sim::new(seed, console_cluster_spec()).unwrap_or_else(|_| Sim::minimal())
}

impl Console {
    /// A console on the default cluster (3 brokers, KRaft, Kafka 4.x defaults).
    pub fn new(seed: u64) -> Console {
        Console {
            sim: default_sim(seed),
            rng: SimRng::seeded(seed ^ 0x636f_6e73_6f6c_6521),
            seed,
            jobs: Vec::new(),
            next_job: 1,
            next_client: 1,
            fresh: true,
        }
    }

    /// A console over an existing world (the page's scenario), so the terminal and the stage
    /// share one simulation.
    pub fn with_sim(sim: Sim) -> Console {
        let seed = sim.seed();
        Console {
            fresh: false,
            sim,
            ..Console::new(seed)
        }
    }

    /// The simulation, read-only (for views and the UI).
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The simulation, for a driver that advances time itself (the page's animation loop).
    /// Background jobs' output is collected at the next console command.
    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Replaces the world with a new cluster (`cluster create`).
    pub(crate) fn replace_cluster(&mut self, spec: ClusterSpec) -> Result<(), String> {
        let sim = Sim::new(self.seed, spec).map_err(|e| e.message)?;
        self.sim = sim;
        self.jobs.clear();
        self.next_client = 1;
        Ok(())
    }

    /// A unique name for a client a tool starts (`console-consumer-3`).
    pub(crate) fn client_name(&mut self, prefix: &str) -> String {
        loop {
            let n = self.next_client;
            self.next_client += 1;
            let name = format!("{prefix}-{n}");
            if self.sim.client(&name).is_none() {
                return name;
            }
        }
    }

    /// Runs a whole script. Returns (stdout, stderr, exit code): every command's output in
    /// order; a failing command prints its error and the script goes on; exit 0 iff every
    /// command succeeded.
    pub fn run_script(&mut self, text: &str) -> (String, String, i32) {
        let lines = match parse_script(text) {
            Ok(l) => l,
            Err(e) => return (String::new(), format!("kafka-playground: {e}\n"), 2),
        };
        let mut out = String::new();
        let mut err = String::new();
        let mut code = 0;
        for line in &lines {
            let r = self.run_line(line);
            out.push_str(&r.stdout);
            err.push_str(&r.stderr);
            if r.code != 0 {
                code = 1;
            }
        }
        (out, err, code)
    }

    /// One interactive line (the browser terminal): parsed like a script line; several
    /// commands separated by `;` run in order, and the last exit code wins.
    pub fn execute(&mut self, text: &str) -> ToolExit {
        let lines = match parse_script(text) {
            Ok(l) => l,
            Err(e) => return ToolExit::err(format!("kafka-playground: {}\n", e.message), 2),
        };
        let mut total = ToolExit::default();
        for line in &lines {
            total = total.then(self.run_line(line));
        }
        total
    }

    /// Runs one command; output of background jobs produced meanwhile is appended.
    pub fn run_line(&mut self, line: &ScriptLine) -> ToolExit {
        let Some(program) = line.argv.first() else {
            return ToolExit::default();
        };
        let args = &line.argv[1..];
        let first = self.fresh;
        self.fresh = false;
        if let Some(tool) = Tool::from_command(program) {
            let started = tools::start(self, tool, args, line.stdin.as_deref());
            return match started {
                tools::Started::Done(exit) => {
                    let bg = self.advance(None, 0, false);
                    exit.then_keep_code(bg)
                }
                tools::Started::Running(task) => {
                    if line.background {
                        let id = self.next_job;
                        self.next_job += 1;
                        self.jobs.push(Job {
                            id,
                            command: line.argv.join(" "),
                            task,
                        });
                        let bg = self.advance(None, 0, false);
                        ToolExit::default().then_keep_code(bg)
                    } else {
                        self.run_foreground(task)
                    }
                }
            };
        }
        if line.background {
            return ToolExit::err(
                format!("{program}: only Kafka's tools run in the background (`&`); playground commands finish at once\n"),
                1,
            );
        }
        let exit = match program.as_str() {
            "sleep" => self.sleep(args),
            "wait" => self.wait(args),
            "jobs" => self.list_jobs(),
            _ => tools::playground::run(self, program, args, first),
        };
        let bg = self.advance(None, 0, false);
        exit.then_keep_code(bg)
    }

    fn run_foreground(&mut self, mut task: Task) -> ToolExit {
        task.set_idle_stop(true);
        let mut fg = Some(task);
        let out = self.advance(fg.as_mut(), WAIT_LIMIT_MS, false);
        let mut done = fg.map(|mut t| t.finish(&mut self.sim)).unwrap_or_default();
        // Output of the tool itself comes first, then whatever background jobs printed.
        done.stdout = format!("{}{}", out.stdout, done.stdout);
        done.stderr = format!("{}{}", out.stderr, done.stderr);
        done
    }

    /// `sleep DURATION`.
    /// The longest `sleep`: simulated days of a busy cluster take wall-clock time to compute,
    /// and a typo such as `sleep 2147483647` (68 years) must not hang the page.
    fn sleep(&mut self, args: &[String]) -> ToolExit {
        let [d] = args else {
            return ToolExit::err(
                "sleep: usage: sleep DURATION (e.g. 500ms, 5s, 2m, 1h, 7d)\n",
                1,
            );
        };
        match parse_duration(d) {
            Ok(ms) if ms > SLEEP_LIMIT_MS => ToolExit::err(
                format!(
                    "sleep: '{d}' is too long: sleep at most 30d ({SLEEP_LIMIT_MS} ms) at a time\n"
                ),
                1,
            ),
            Ok(ms) => {
                let ms = Millis::try_from(ms).unwrap_or(Millis::MAX);
                self.advance(None, ms, false)
            }
            Err(e) => ToolExit::err(format!("sleep: {e}\n"), 1),
        }
    }

    /// `wait`: runs until every background job has finished (a console consumer without
    /// limits stops once idle for 10 s), at most 10 minutes of simulated time.
    fn wait(&mut self, args: &[String]) -> ToolExit {
        if !args.is_empty() {
            return ToolExit::err("wait: usage: wait (waits for every background job)\n", 1);
        }
        for j in &mut self.jobs {
            j.task.set_idle_stop(true);
        }
        let mut out = self.advance(None, WAIT_LIMIT_MS, true);
        if !self.jobs.is_empty() {
            let names: Vec<String> = self
                .jobs
                .iter()
                .map(|j| format!("[{}] {}", j.id, j.command))
                .collect();
            out.stderr.push_str(&format!(
                "wait: gave up after {} of simulated time; still running: {}\n",
                crate::engine::time::human(WAIT_LIMIT_MS),
                names.join(", ")
            ));
            out.code = 1;
        }
        out
    }

    fn list_jobs(&self) -> ToolExit {
        let mut s = String::new();
        for j in &self.jobs {
            s.push_str(&format!("[{}]  Running    {} &\n", j.id, j.command));
        }
        ToolExit::ok(s)
    }

    /// Moves simulated time forward by up to `limit` ms, pumping the foreground task and every
    /// background job; stops early when the foreground task finishes, or (with `until_jobs`)
    /// when no background job is left. Returns what was printed meanwhile (exit code 0).
    pub(crate) fn advance(
        &mut self,
        mut fg: Option<&mut Task>,
        limit: Millis,
        until_jobs: bool,
    ) -> ToolExit {
        let end = self.sim.now().saturating_add(limit.max(0));
        let mut out = ToolExit::default();
        loop {
            let now = self.sim.now();
            if let Some(t) = fg.as_deref_mut() {
                let o = t.pump(&mut self.sim);
                out.stdout.push_str(&o.stdout);
                out.stderr.push_str(&o.stderr);
            }
            let mut i = 0;
            while i < self.jobs.len() {
                let o = self.jobs[i].task.pump(&mut self.sim);
                out.stdout.push_str(&o.stdout);
                out.stderr.push_str(&o.stderr);
                if self.jobs[i].task.finished() {
                    let mut job = self.jobs.remove(i);
                    let o = job.task.finish(&mut self.sim);
                    out.stdout.push_str(&o.stdout);
                    out.stderr.push_str(&o.stderr);
                } else {
                    i += 1;
                }
            }
            if fg.as_deref().is_some_and(Task::finished) {
                break;
            }
            if until_jobs && self.jobs.is_empty() {
                break;
            }
            if now >= end {
                if let Some(t) = fg.as_deref_mut() {
                    t.give_up();
                }
                break;
            }
            let mut next = end;
            if let Some(d) = fg.as_deref().and_then(Task::deadline) {
                next = next.min(d);
            }
            for j in &self.jobs {
                if let Some(d) = j.task.deadline() {
                    next = next.min(d);
                }
            }
            let next = next.max(now);
            let jobs = &self.jobs;
            let fg_ref = fg.as_deref();
            self.sim.run_while(next - now, |s| {
                fg_ref.is_some_and(|t| t.has_news(s)) || jobs.iter().any(|j| j.task.has_news(s))
            });
        }
        out
    }
}

impl ToolExit {
    /// Appends `more`'s streams but keeps this result's exit code.
    pub(crate) fn then_keep_code(mut self, more: ToolExit) -> ToolExit {
        self.stdout.push_str(&more.stdout);
        self.stderr.push_str(&more.stderr);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_command_does_not_stop_the_script_but_sets_the_exit_status() {
        let mut c = Console::new(1);
        let (out, err, code) = c.run_script(
            "kafka-topics --bootstrap-server b:9092 --create --topic t --replication-factor 9\n\
             kafka-topics --bootstrap-server b:9092 --create --topic t\n",
        );
        assert_eq!(code, 1);
        assert!(out.contains(
            "Error while executing topic command : Unable to replicate the partition 9 time(s)"
        ));
        assert!(out.ends_with("Created topic t.\n"), "{out}");
        assert!(err.contains("InvalidReplicationFactorException"));
        let (_, _, ok) =
            Console::new(1).run_script("kafka-topics --bootstrap-server b:9092 --list\ntime\n");
        assert_eq!(ok, 0);
    }

    #[test]
    fn foreground_consumer_stops_by_the_idle_rule_and_sleep_moves_the_clock() {
        let mut c = Console::new(3);
        let r = c.execute("kafka-console-consumer --bootstrap-server b:9092 --topic t");
        assert_eq!(r.code, 0);
        assert_eq!(r.stderr, "Processed a total of 0 messages\n");
        let t = c.sim().now();
        assert!(
            (IDLE_STOP_MS..IDLE_STOP_MS + 5_000).contains(&t),
            "stopped at {t}"
        );
        c.execute("sleep 2m");
        assert_eq!(c.sim().now(), t + 120_000);
    }

    #[test]
    fn cluster_create_replaces_the_default_cluster() {
        let mut c = Console::new(1);
        let r = c.execute("cluster create --brokers 5");
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(c.sim().brokers().len(), 5);
        assert!(!r.stdout.contains("discarded"));
        let r = c.execute("cluster create --brokers 1");
        assert!(r.stdout.contains("discarded"));
        assert_eq!(c.sim().brokers().len(), 1);
    }

    #[test]
    fn script_errors_are_usage_errors() {
        let (_, err, code) = Console::new(1).run_script("kafka-topics 'open\n");
        assert_eq!(code, 2);
        assert!(
            err.starts_with("kafka-playground: line 1: unterminated"),
            "{err}"
        );
    }
}
