//! On-demand benchmarks of asterisk-sdk against asterisk-rs 0.8.0, both measured
//! in this one process on the same inputs.
//!
//! `cargo run --release --manifest-path tests/bench/Cargo.toml -- [which] [--rounds N]`
//! where `which` is `all` (default), `ami-decode`, `ami-e2e`, `agi` or `ari-decode`;
//! `bus-e2e` (needs nats-server; not part of `all`) runs alone.

mod agi;
mod ami_decode;
mod ami_e2e;
mod ari_decode;
mod bus_e2e;
mod corpus;
mod fake_asterisk;
mod stats;

use stats::Table;

const USAGE: &str =
    "usage: asterisk-sdk-bench [all|ami-decode|ami-e2e|agi|ari-decode|bus-e2e]... [--rounds N]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Subprocess modes of the AGI idle-memory measurement.
    match args.first().map(String::as_str) {
        Some("agi-idle-server") => {
            let (side, n) = (
                args.get(1).cloned().unwrap_or_default(),
                parse_n(args.get(2)),
            );
            exit_on_err(agi::idle_server(&side, n));
            return;
        }
        // Profiling aids: only our side of a decode benchmark, 20 passes.
        Some("profile-ami-decode") => return ami_decode::profile_ours(&corpus::ami_corpus(), 20),
        Some("profile-ari-decode") => return ari_decode::profile_ours(&corpus::ari_events(), 20),
        Some("agi-idle-callers") => {
            let addr = args.get(1).and_then(|a| a.parse().ok());
            let Some(addr) = addr else {
                eprintln!("agi-idle-callers <addr> <n>");
                std::process::exit(2);
            };
            exit_on_err(agi::idle_callers(addr, parse_n(args.get(2))));
            return;
        }
        _ => {}
    }
    let mut which = Vec::new();
    let mut rounds = 5;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => match it.next().and_then(|n| n.parse().ok()) {
                Some(n) if n > 0 => rounds = n,
                _ => usage(),
            },
            "all" => which.extend(["ami-decode", "ami-e2e", "agi", "ari-decode"]),
            "ami-decode" | "ami-e2e" | "agi" | "ari-decode" | "bus-e2e" => which.push(a.as_str()),
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            _ => usage(),
        }
    }
    if which.is_empty() {
        which.extend(["ami-decode", "ami-e2e", "agi", "ari-decode"]);
    }
    let limit = stats::open_files_limit().unwrap_or(u64::MAX);
    if which.contains(&"agi") && limit < (agi::IDLE_SESSIONS as u64 + 256) {
        eprintln!(
            "the open-files limit is {limit}; the agi benchmark needs {} (raise it with `ulimit -n`)",
            agi::IDLE_SESSIONS + 256
        );
        std::process::exit(2);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(2);
        }
    };
    let mut table = Table::default();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    eprintln!(
        "asterisk-sdk-bench: {} with {rounds} rounds, {cpus} CPUs, load {}",
        which.join(", "),
        load()
    );
    for w in &which {
        eprintln!("running {w} ...");
        match *w {
            "ami-decode" => ami_decode::run(&mut table, &corpus::ami_corpus(), rounds),
            "ami-e2e" => ami_e2e::run(&mut table, &rt, &corpus::ami_corpus(), rounds),
            "agi" => agi::run(&mut table, &rt, rounds.min(3)),
            "ari-decode" => ari_decode::run(&mut table, &corpus::ari_events(), rounds),
            "bus-e2e" => bus_e2e::run(&mut table, &rt, rounds),
            _ => unreachable!("validated above"),
        }
    }
    table.note(format!(
        "machine: {cpus} CPUs; load average at the end {}",
        load()
    ));
    table.print();
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn parse_n(a: Option<&String>) -> usize {
    a.and_then(|n| n.parse().ok()).unwrap_or(agi::IDLE_SESSIONS)
}

fn exit_on_err(r: Result<(), String>) {
    if let Err(e) = r {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(2);
}
