//! The `asterisk-codegen` command line: manifest | generate | check | diff | stats | extract |
//! compare-supplement.

use asterisk_codegen::diff::{self, Format};
use asterisk_codegen::emit;
use asterisk_codegen::project::Project;
use asterisk_codegen::{extract, stats};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Reads Asterisk's API descriptions, writes versioned manifests and the asterisk-sdk crate.
#[derive(Parser, Debug)]
#[command(name = "asterisk-codegen", version)]
struct Cli {
    /// Project root (default: the nearest ancestor directory holding specs/api).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read raw specs (one folder per release tag) and write specs/api/<tag>.json.
    Manifest {
        /// Folder holding one sub-folder per release tag (like ../shared/specs/asterisk).
        #[arg(long)]
        upstream: PathBuf,
    },
    /// Generate generated/src/** from the manifests and specs/fixes.
    Generate {
        /// Leave out this release (repeatable), as if its manifest were absent:
        /// `just semver` builds the crate without the newest release this way.
        #[arg(long, value_name = "TAG")]
        without: Vec<String>,
    },
    /// Regenerate in memory; exit non-zero listing files that differ from what is committed.
    Check {
        /// Also rebuild the manifests from these raw specs and compare them.
        #[arg(long)]
        upstream: Option<PathBuf>,
    },
    /// What was added, removed and changed between two releases.
    Diff {
        /// Older release tag.
        from: String,
        /// Newer release tag.
        to: String,
        /// text, markdown or json.
        #[arg(long, default_value = "text")]
        format: Format,
    },
    /// Counts of one release, as NOTES.md §3 counts them.
    Stats {
        /// Release tag.
        #[arg(long)]
        tag: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build a release's raw spec folder from an Asterisk source tree.
    Extract {
        /// The Asterisk source tree.
        #[arg(long)]
        asterisk_src: PathBuf,
        /// The release tag to write.
        #[arg(long)]
        tag: String,
        /// Output folder (gets a sub-folder named after the tag).
        #[arg(long)]
        out: PathBuf,
    },
    /// Extract a tree to a temporary folder and compare its supplement.json with a reference one.
    CompareSupplement {
        /// The Asterisk source tree.
        #[arg(long)]
        asterisk_src: PathBuf,
        /// The release tag.
        #[arg(long)]
        tag: String,
        /// The reference supplement.json (e.g. ../shared/specs/asterisk/<tag>/supplement.json).
        #[arg(long)]
        reference: PathBuf,
        /// Exit non-zero when undocumented events or list actions are reproduced (by name)
        /// below this percentage.
        #[arg(long, default_value_t = 95.0)]
        min_percent: f64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("asterisk-codegen: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> asterisk_codegen::Result<ExitCode> {
    if let Command::Extract {
        asterisk_src,
        tag,
        out,
    } = &cli.command
    {
        extract::extract(asterisk_src, tag, out)?;
        println!("wrote {}", out.join(tag).display());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::CompareSupplement {
        asterisk_src,
        tag,
        reference,
        min_percent,
    } = &cli.command
    {
        return compare_supplement(asterisk_src, tag, reference, *min_percent);
    }
    let project = Project::locate(cli.root.as_deref())?;
    match cli.command {
        Command::Manifest { upstream } => {
            for (_, dir) in asterisk_codegen::upstream::release_dirs(&upstream)? {
                if let Some(w) = asterisk_codegen::manifest::supplement_warning(&dir) {
                    eprintln!("{w}");
                }
            }
            let manifests = project.manifests_from_upstream(&upstream)?;
            project.write_manifests(&manifests)?;
            for m in &manifests {
                println!("wrote {}", project.relative(&project.manifest_path(&m.tag)));
            }
        }
        Command::Generate { without } => {
            let files = project.generate_without(&emit::Options::default(), &without)?;
            let (written, removed) = project.write_generated(&files)?;
            let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
            println!(
                "generated {} files ({lines} lines): {written} written, {removed} stale removed",
                files.len()
            );
        }
        Command::Check { upstream } => {
            let drift = asterisk_codegen::check::check(&project, upstream.as_deref())?;
            if drift.is_empty() {
                println!("check: manifests and generated code are up to date");
            } else {
                for d in &drift {
                    println!("{}: {}", d.kind, d.path);
                }
                eprintln!(
                    "check: {} file(s) differ from what the generator produces; run `just regen`",
                    drift.len()
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Diff { from, to, format } => {
            let a = project.load_manifest(&from)?;
            let b = project.load_manifest(&to)?;
            print!("{}", diff::render(&diff::diff(&a, &b), format));
        }
        Command::Stats { tag, json } => {
            let m = project.load_manifest(&tag)?;
            let s = stats::stats(&m);
            if json {
                println!("{}", s.to_json());
            } else {
                print!("{}", s.to_text(&tag));
            }
        }
        Command::Extract { .. } | Command::CompareSupplement { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// `compare-supplement`: extract into a scratch folder, compare, print, clean up.
fn compare_supplement(
    src: &std::path::Path,
    tag: &str,
    reference: &std::path::Path,
    min_percent: f64,
) -> asterisk_codegen::Result<ExitCode> {
    use asterisk_codegen::extract::compare;
    use asterisk_codegen::upstream::supplement::Supplement;
    let reference = Supplement::load(reference)?;
    let scratch = std::env::temp_dir().join(format!(
        "asterisk-codegen-compare-{}-{tag}",
        std::process::id()
    ));
    let result = extract::extract(src, tag, &scratch)
        .and_then(|()| Supplement::load(&scratch.join(tag).join("supplement.json")));
    let _ = std::fs::remove_dir_all(&scratch);
    let ours = result?;
    let sections = compare::compare(&ours, &reference);
    print!("{}", compare::render(tag, &sections));
    let short = sections
        .iter()
        .filter(|s| matches!(s.name, "undocumented_events" | "list_actions"))
        .any(|s| s.name_percent() < min_percent);
    Ok(if short {
        eprintln!(
            "compare-supplement: below {min_percent}% for undocumented events or list actions"
        );
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
