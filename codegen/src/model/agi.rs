//! The AGI union model: every command of every release with its parameters
//! merged and its result kind and parameter types from `agi_results.toml`.

use crate::Result;
use crate::fixes::agi_results::{AgiResults, ParamFix, ParamType, ResultFix, ResultKind};
use crate::manifest::{AgiCommand, AmiParam};
use crate::names;
use crate::surface::{Releases, Tagged, releases_doc, union_by, union_ordered};

/// The fixes file, for errors.
const FILE: &str = "specs/fixes/agi_results.toml";

/// Every AGI command, resolved.
#[derive(Debug, Clone)]
pub struct Model {
    /// Release tags, oldest first.
    pub tags: Vec<String>,
    /// Commands sorted by name.
    pub commands: Vec<CommandModel>,
}

/// One command.
#[derive(Debug, Clone)]
pub struct CommandModel {
    /// Name as documented (`stream file`).
    pub name: String,
    /// The words sent (`STREAM FILE`).
    pub words: String,
    /// Rust type name of its `Command` struct.
    pub type_name: String,
    /// Rust method name of `AgiCommands`.
    pub method: String,
    /// How its reply is read.
    pub kind: ResultKind,
    /// What the result means (one line).
    pub reason: String,
    /// `since` versions.
    pub since: Vec<String>,
    /// Releases that have it, as docs write them.
    pub releases: String,
    /// Whether it runs on a hung-up channel, when documented.
    pub dead_safe: Option<bool>,
    /// Parameters in wire order.
    pub params: Vec<ParamModel>,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct ParamModel {
    /// Documented name.
    pub wire_name: String,
    /// Rust field name.
    pub field: String,
    /// Rust type.
    pub ty: ParamType,
    /// A positional argument (else optional: it and every later one).
    pub required: bool,
    /// Its fix (default when none).
    pub fix: ParamFix,
    /// Releases that have it, when not every release of the command.
    pub releases: Option<String>,
}

impl Model {
    /// Build the model; a command without a fix, or a fix naming no command or
    /// parameter of any release, is an error.
    pub fn build(releases: &Releases, fixes: &AgiResults) -> Result<Model> {
        let all = releases.tags();
        let commands = union_by(&releases.lists(|m| &m.agi.commands[..]), |c| c.name.clone());
        check_coverage(&commands, fixes)?;
        let mut models = Vec::new();
        for cmd in &commands {
            let fix = fixes
                .get(&cmd.item.name)
                .ok_or_else(|| missing(&cmd.item.name))?;
            models.push(CommandModel::new(cmd, fix, &all));
        }
        Ok(Model {
            tags: all,
            commands: models,
        })
    }
}

fn missing(name: &str) -> crate::Error {
    crate::input_err(
        FILE,
        format!("AGI command `{name}` has no result kind; add it"),
    )
}

fn check_coverage(commands: &[Tagged<AgiCommand>], fixes: &AgiResults) -> Result<()> {
    for c in commands {
        let fix = fixes
            .get(&c.item.name)
            .ok_or_else(|| missing(&c.item.name))?;
        for p in fix.params.keys() {
            let known = c
                .versions
                .iter()
                .any(|(_, v)| v.params.iter().any(|q| &q.name == p));
            if !known {
                return Err(crate::input_err(
                    FILE,
                    format!("fix `{}`: the command has no parameter `{p}`", c.item.name),
                ));
            }
        }
    }
    for f in &fixes.command {
        if !commands.iter().any(|c| c.item.name == f.name) {
            return Err(crate::input_err(
                FILE,
                format!(
                    "fix `{}`: not an AGI command of any generated release",
                    f.name
                ),
            ));
        }
    }
    Ok(())
}

impl CommandModel {
    fn new(cmd: &Tagged<AgiCommand>, fix: &ResultFix, all: &[String]) -> Self {
        let lists: Vec<(&str, &[AmiParam])> = cmd
            .versions
            .iter()
            .map(|(t, c)| (t.as_str(), &c.params[..]))
            .collect();
        let merged = union_ordered(&lists, |p| p.name.clone());
        let fields = names::dedupe(
            merged
                .iter()
                .map(|p| {
                    let f = fix.params.get(&p.item.name);
                    names::field_name(f.and_then(|f| f.rename.as_deref()).unwrap_or(&p.item.name))
                })
                .collect(),
        );
        let cmd_releases: Vec<String> = cmd.releases().iter().map(|s| s.to_string()).collect();
        let mut params = Vec::new();
        let mut seen_optional = false;
        for (p, field) in merged.iter().zip(fields) {
            let pfix = fix.params.get(&p.item.name).cloned().unwrap_or_default();
            let ty = pfix.ty;
            let required =
                p.item.required && p.in_all(all) && !seen_optional && ty != ParamType::Flag;
            seen_optional |= !required;
            params.push(ParamModel {
                wire_name: p.item.name.clone(),
                field,
                ty,
                required,
                fix: pfix,
                releases: (!p.in_all(&cmd_releases)).then(|| p.releases().join(", ")),
            });
        }
        CommandModel {
            name: cmd.item.name.clone(),
            words: cmd.item.name.to_uppercase(),
            type_name: names::type_name(&cmd.item.name),
            method: names::field_name(&cmd.item.name),
            kind: fix.result,
            reason: fix.reason.trim().to_string(),
            since: cmd.item.since.clone(),
            releases: releases_doc(&cmd.releases(), all),
            dead_safe: cmd.item.dead_safe,
            params,
        }
    }
}
