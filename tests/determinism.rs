//! The trace hash of a fixed scenario is pinned: the browser test (tests/browser.rs) checks the
//! same value, so native and WebAssembly runs are proven identical.

use kafka_playground::scenario::default_scenario;

/// Trace hash of the default scenario after 120 simulated seconds (shared with the browser test).
const GOLDEN: &str = include_str!("golden/default-scenario-120s.hash");

fn golden() -> u64 {
    u64::from_str_radix(GOLDEN.trim().trim_start_matches("0x"), 16).expect("a hex hash")
}

#[test]
fn default_scenario_trace_hash_is_pinned() {
    let mut sim = default_scenario().build().expect("builds");
    sim.run_for(120_000);
    assert_eq!(
        sim.trace_hash(),
        golden(),
        "trace hash changed: {:#x}",
        sim.trace_hash()
    );
}

#[test]
fn same_scenario_twice_same_hash() {
    let run = || {
        let mut sim = default_scenario().build().expect("builds");
        sim.run_for(30_000);
        (sim.trace_hash(), sim.trace().count())
    };
    assert_eq!(run(), run());
}
