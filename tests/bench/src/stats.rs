//! Measurement helpers: medians of rounds, number formatting and the result table.

use std::time::Duration;

/// Median of `values` (the mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `count` per second over `elapsed`.
pub fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// A number with thousands separators and no decimals (or two below 100).
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    if x.abs() < 100.0 {
        return format!("{x:.2}");
    }
    let s = format!("{:.0}", x.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// `ours / theirs` as `5.12x`.
pub fn fmt_ratio(ours: f64, theirs: f64) -> String {
    if theirs > 0.0 && ours.is_finite() {
        format!("{:.2}x", ours / theirs)
    } else {
        "-".into()
    }
}

/// The median of the per-round ratios `ours[i] / theirs[i]`, formatted like
/// [`fmt_ratio`]. Each round runs both sides back to back, so a burst of load
/// from elsewhere hits both halves of one pair instead of one side's median.
pub fn fmt_paired_ratio(ours: &[f64], theirs: &[f64]) -> String {
    let ratios: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .filter(|(_, t)| **t > 0.0)
        .map(|(o, t)| o / t)
        .collect();
    let m = median(&ratios);
    if m.is_finite() {
        format!("{m:.2}x")
    } else {
        "-".into()
    }
}

/// One line of the result table.
pub struct Row {
    pub bench: String,
    pub metric: String,
    pub ours: String,
    pub theirs: String,
    pub ratio: String,
    pub target: String,
}

impl Row {
    pub fn new(
        bench: &str,
        metric: &str,
        ours: String,
        theirs: String,
        ratio: String,
        target: &str,
    ) -> Row {
        Row {
            bench: bench.into(),
            metric: metric.into(),
            ours,
            theirs,
            ratio,
            target: target.into(),
        }
    }
}

/// The rows of every benchmark run, printed at the end.
#[derive(Default)]
pub struct Table {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Table {
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn print(&self) {
        let head = Row::new(
            "benchmark",
            "metric",
            "ours".into(),
            "asterisk-rs 0.8.0".into(),
            "ratio".into(),
            "target",
        );
        let all: Vec<&Row> = std::iter::once(&head).chain(self.rows.iter()).collect();
        let w = |f: fn(&Row) -> &str| all.iter().map(|r| f(r).len()).max().unwrap_or(0);
        let widths = [
            w(|r| &r.bench),
            w(|r| &r.metric),
            w(|r| &r.ours),
            w(|r| &r.theirs),
            w(|r| &r.ratio),
            w(|r| &r.target),
        ];
        let line = |r: &Row| {
            format!(
                "| {:<a$} | {:<b$} | {:>c$} | {:>d$} | {:>e$} | {:<f$} |",
                r.bench,
                r.metric,
                r.ours,
                r.theirs,
                r.ratio,
                r.target,
                a = widths[0],
                b = widths[1],
                c = widths[2],
                d = widths[3],
                e = widths[4],
                f = widths[5]
            )
        };
        println!();
        println!("{}", line(&head));
        let sep: Vec<String> = widths.iter().map(|n| "-".repeat(*n)).collect();
        println!("|-{}-|", sep.join("-|-"));
        for r in &self.rows {
            println!("{}", line(r));
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("- {n}");
            }
        }
    }
}

/// Resident memory of this process in bytes (`VmRSS` of `/proc/self/status`).
pub fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The soft limit on open files of this process (from `/proc/self/limits`).
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
