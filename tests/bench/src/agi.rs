//! `agi`: FastAGI sessions per second for a short script (ANSWER, STREAM FILE,
//! GET DATA, HANGUP) with 1, 10 and 100 concurrent fake callers over loopback,
//! ours vs asterisk-rs-agi; then resident memory per idle session with 10,000
//! connected callers, each server measured in a fresh process of its own and the
//! callers in another.

use crate::fake_asterisk;
use crate::stats::{Row, Table, fmt_num, fmt_ratio, median, rate, rss_bytes};
use asterisk_sdk::agi::{
    AgiChannel, AgiCommands, AgiError, AgiRequest, FastAgiServer, ServerConfig,
};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Sessions per round for each caller count.
const PLAN: [(usize, usize); 3] = [(1, 2_000), (10, 5_000), (100, 5_000)];
/// Idle sessions for the memory figure.
pub const IDLE_SESSIONS: usize = 10_000;

/// Counters kept by a server's handler.
#[derive(Default)]
struct Counters {
    started: AtomicUsize,
    ok: AtomicUsize,
    failed: AtomicUsize,
    first_error: std::sync::Mutex<Option<String>>,
}

impl Counters {
    fn record<E: std::fmt::Display>(&self, r: &Result<(), E>) {
        match r {
            Ok(()) => self.ok.fetch_add(1, Ordering::Relaxed),
            Err(e) => {
                let mut first = self.first_error.lock().unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| e.to_string());
                self.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }

    fn first_error(&self) -> Option<String> {
        self.first_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

async fn our_script(req: AgiRequest, mut ch: AgiChannel) -> Result<(), AgiError> {
    black_box(&req);
    ch.answer().await?;
    black_box(ch.stream_file("hello-world", "", None).await?);
    black_box(ch.get_data("enter-number", Some(5000), Some(4)).await?);
    black_box(ch.hangup(None).await?);
    Ok(())
}

/// Start our server; returns its address and a stop function.
async fn start_ours(max: usize, idle: bool, c: Arc<Counters>) -> (SocketAddr, impl FnOnce()) {
    let mut config = ServerConfig::default();
    config.max_sessions = max;
    let server = FastAgiServer::bind("127.0.0.1:0", config)
        .await
        .expect("bind our FastAGI server");
    let addr = server.local_addr().expect("local addr");
    let stop = server.shutdown_handle();
    tokio::spawn(server.serve(move |req: AgiRequest, mut ch: AgiChannel| {
        let c = c.clone();
        async move {
            c.started.fetch_add(1, Ordering::Relaxed);
            let r = if idle {
                // Idle: a playback in progress, waiting for its reply.
                black_box(&req);
                ch.stream_file("hello-world", "", None).await.map(drop)
            } else {
                our_script(req, ch).await
            };
            c.record(&r);
            r
        }
    }));
    (addr, move || stop.shutdown())
}

struct TheirHandler {
    c: Arc<Counters>,
    idle: bool,
}

async fn their_script(
    req: asterisk_rs_agi::AgiRequest,
    mut ch: asterisk_rs_agi::AgiChannel,
) -> asterisk_rs_agi::error::Result<()> {
    black_box(&req);
    black_box(ch.answer().await?);
    black_box(ch.stream_file("hello-world", "").await?);
    black_box(ch.get_data("enter-number", 5000, 4).await?);
    black_box(ch.hangup(None).await?);
    Ok(())
}

impl asterisk_rs_agi::AgiHandler for TheirHandler {
    async fn handle(
        &self,
        req: asterisk_rs_agi::AgiRequest,
        mut ch: asterisk_rs_agi::AgiChannel,
    ) -> asterisk_rs_agi::error::Result<()> {
        self.c.started.fetch_add(1, Ordering::Relaxed);
        let r = if self.idle {
            black_box(&req);
            ch.stream_file("hello-world", "").await.map(drop)
        } else {
            their_script(req, ch).await
        };
        self.c.record(&r);
        r
    }
}

/// Start asterisk-rs-agi's server; returns its address and a stop function.
async fn start_theirs(max: usize, idle: bool, c: Arc<Counters>) -> (SocketAddr, impl FnOnce()) {
    let (server, stop) = asterisk_rs_agi::AgiServer::builder()
        .bind("127.0.0.1:0")
        .handler(TheirHandler { c, idle })
        .max_connections(max)
        .build()
        .await
        .expect("bind asterisk-rs FastAGI server");
    let addr = server.local_addr().expect("local addr");
    tokio::spawn(server.run());
    (addr, move || stop.shutdown())
}

/// Run `sessions` sessions with `callers` concurrent callers; returns the
/// elapsed time and the sessions whose four commands were all answered.
async fn load(
    addr: SocketAddr,
    env: Arc<Vec<u8>>,
    callers: usize,
    sessions: usize,
) -> (Duration, usize) {
    let remaining = Arc::new(AtomicIsize::new(sessions as isize));
    let complete = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..callers {
        let (remaining, complete, env) = (remaining.clone(), complete.clone(), env.clone());
        tasks.push(tokio::spawn(async move {
            while remaining.fetch_sub(1, Ordering::Relaxed) > 0 {
                if let Ok(4) = fake_asterisk::session(addr, &env).await {
                    complete.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (start.elapsed(), complete.load(Ordering::Relaxed))
}

/// Throughput rounds and the idle-memory figures; adds the rows.
pub fn run(table: &mut Table, rt: &tokio::runtime::Runtime, rounds: usize) {
    let env = Arc::new(fake_asterisk::environment());
    let (oc, tc) = (Arc::new(Counters::default()), Arc::new(Counters::default()));
    let (oaddr, ostop) = rt.block_on(start_ours(1024, false, oc.clone()));
    let (taddr, tstop) = rt.block_on(start_theirs(1024, false, tc.clone()));
    // Warm-up, not measured.
    rt.block_on(load(oaddr, env.clone(), 10, 500));
    rt.block_on(load(taddr, env.clone(), 10, 500));
    let mut incomplete = (0, 0);
    for (callers, sessions) in PLAN {
        let (mut o_rates, mut t_rates) = (Vec::new(), Vec::new());
        for r in 0..rounds {
            let (od, ook) = rt.block_on(load(oaddr, env.clone(), callers, sessions));
            let (td, tok) = rt.block_on(load(taddr, env.clone(), callers, sessions));
            incomplete.0 += sessions - ook;
            incomplete.1 += sessions - tok;
            eprintln!(
                "  agi N={callers} round {}: ours {:.0} ms, theirs {:.0} ms ({sessions} sessions)",
                r + 1,
                od.as_secs_f64() * 1e3,
                td.as_secs_f64() * 1e3
            );
            o_rates.push(rate(ook, od));
            t_rates.push(rate(tok, td));
        }
        let (om, tm) = (median(&o_rates), median(&t_rates));
        table.push(Row::new(
            "agi",
            &format!("sessions/s, N={callers}"),
            fmt_num(om),
            fmt_num(tm),
            fmt_ratio(om, tm),
            ">= 3x",
        ));
    }
    ostop();
    tstop();
    table.push(Row::new(
        "agi",
        "sessions incomplete / handler errors",
        format!("{} / {}", incomplete.0, oc.failed.load(Ordering::Relaxed)),
        format!("{} / {}", incomplete.1, tc.failed.load(Ordering::Relaxed)),
        String::new(),
        "0 / 0",
    ));
    for (side, c) in [("ours", &oc), ("asterisk-rs", &tc)] {
        if let Some(e) = c.first_error() {
            table.note(format!("agi, {side}: first handler error: {e}"));
        }
    }
    let ours = idle_in_subprocess("ours");
    let theirs = idle_in_subprocess("theirs");
    let fmt = |r: &Result<f64, String>| match r {
        Ok(b) => format!("{:.2} KiB", b / 1024.0),
        Err(_) => "failed".into(),
    };
    let ratio = match (&ours, &theirs) {
        (Ok(o), Ok(t)) => format!("{:.2}x less", t / o),
        _ => "-".into(),
    };
    table.push(Row::new(
        "agi",
        &format!("RSS per idle session ({IDLE_SESSIONS})"),
        fmt(&ours),
        fmt(&theirs),
        ratio,
        "<= 10 KiB",
    ));
    for (side, r) in [("ours", &ours), ("asterisk-rs", &theirs)] {
        if let Err(e) = r {
            table.note(format!("agi idle memory, {side}: {e}"));
        }
    }
    table.note(format!(
        "agi: fake callers answer every command with `200 result=0` (HANGUP: `200 result=1`) and wait for the server to close; sessions/s = complete sessions / wall time, median of {rounds} rounds; callers and server share this process's runtime (2 workers)"
    ));
    table.note(
        "agi idle: each server in a fresh process (VmRSS after - before / sessions); the handler has sent STREAM FILE and waits for its reply; callers live in a separate process",
    );
}

/// Measure one side's idle memory in a fresh process of this binary.
fn idle_in_subprocess(side: &str) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args(["agi-idle-server", side, &IDLE_SESSIONS.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| format!("no result ({}): {}", out.status, text.trim()))?;
    eprintln!("  agi idle {side}: {line}");
    line.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("bad result line {line:?}"))
}

/// Subprocess mode `agi-idle-server <ours|theirs> <n>`: serve `n` idle sessions
/// from a callers subprocess and print `RESULT <bytes per session> <before> <after>`.
pub fn idle_server(side: &str, n: usize) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let c = Arc::new(Counters::default());
    let (addr, stop): (SocketAddr, Box<dyn FnOnce()>) = match side {
        "ours" => {
            let (a, s) = rt.block_on(start_ours(n + 16, true, c.clone()));
            (a, Box::new(s))
        }
        "theirs" => {
            let (a, s) = rt.block_on(start_theirs(n + 16, true, c.clone()));
            (a, Box::new(s))
        }
        other => return Err(format!("unknown side {other:?}")),
    };
    std::thread::sleep(Duration::from_millis(200));
    let before = rss_bytes().ok_or("no VmRSS")?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args(["agi-idle-callers", &addr.to_string(), &n.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no child stdout")?;
    let mut ready = String::new();
    let _ = BufReader::new(stdout).read_line(&mut ready);
    let deadline = Instant::now() + Duration::from_secs(120);
    while c.started.load(Ordering::Relaxed) < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let started = c.started.load(Ordering::Relaxed);
    let after = rss_bytes().ok_or("no VmRSS")?;
    // Closing the callers' stdin ends them; then their sessions end here.
    drop(child.stdin.take());
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.ok.load(Ordering::Relaxed) + c.failed.load(Ordering::Relaxed) < started
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    stop();
    if started < n || !ready.starts_with("ready") {
        return Err(format!(
            "only {started} of {n} sessions started (callers said {:?})",
            ready.trim()
        ));
    }
    let per = after.saturating_sub(before) as f64 / n as f64;
    println!("RESULT {per:.1} {before} {after}");
    let _ = std::io::stdout().flush();
    drop(rt);
    Ok(())
}

/// Subprocess mode `agi-idle-callers <addr> <n>`: open `n` sessions, send the
/// environment, print `ready`, then stay idle until stdin closes.
pub fn idle_callers(addr: SocketAddr, n: usize) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let env = fake_asterisk::environment();
    let streams = rt.block_on(async {
        let mut streams = Vec::with_capacity(n);
        let mut pending = Vec::new();
        for i in 0..n {
            pending.push(fake_asterisk::connect(addr, &env));
            if pending.len() == 64 || i + 1 == n {
                for r in futures::future::join_all(pending.drain(..)).await {
                    streams.push(r.map_err(|e| format!("caller connect: {e}"))?);
                }
            }
        }
        Ok::<_, String>(streams)
    })?;
    println!("ready {}", streams.len());
    let _ = std::io::stdout().flush();
    let mut sink = String::new();
    while std::io::stdin()
        .read_line(&mut sink)
        .map(|n| n > 0)
        .unwrap_or(false)
    {}
    drop(streams);
    Ok(())
}
