//! What a C function sends on the AMI wire: the messages it builds, found by
//! walking its body (and the functions it calls or passes as callbacks) through
//! the emit primitives of Asterisk's manager API.
//!
//! The walk understands:
//! - `astman_append(s, fmt, …)`: lines of the format; `Event: X` starts a message,
//!   `Name: …` adds a header, an empty line ends the message, `Response:` starts a
//!   reply (not an event). A line that is only `%s` takes the headers of its
//!   argument (see below).
//! - `astman_send_list_complete_start(s, m, "X", n)` … `_end(s)`: completion event
//!   `X` with `ActionID`, `EventList`, `ListItems`, plus what is appended between.
//! - `astman_send_listack(s, m, msg, "start")`: the list acknowledgement.
//! - Broadcasts: `manager_event`, `ast_manager_event`, `ast_manager_event_multichan`,
//!   `ast_manager_event_blob_create` (the stasis `manager_*_event` callbacks' builder;
//!   in `main/manager_channels.c` the dispatcher puts the channel snapshot first,
//!   in `main/manager_bridges.c` the bridge snapshot), `ast_manager_publish_event`
//!   (JSON body: no fields known).
//! - `ast_sip_create_ami_event("X", ami)`: PJSIP list item `X` with `ActionID`.
//! - Buffers: `snprintf`/`sprintf`/`ast_asprintf`/`ast_str_set`/`ast_str_append` into
//!   a variable remember the lines written to it; `v = ast_manager_build_channel_state_string_prefix(snap, "P")`
//!   (and the bridge and prefix-less forms) make `v` a snapshot block `<channel_snapshot prefix='P'>`.
//!   A `%s` argument naming such a variable (by its last identifier) expands to its lines;
//!   an unknown one whose name contains `idtext` or `actionid` is an `ActionID` header.
//! - An event name given as `cond ? "A" : "B"` is both events; a local assigned
//!   different literals in one function names none; an `Event: %s` whose value
//!   cannot be read is kept as [`UNRESOLVED`].
//! - A buffer a called function `return`s becomes the variable the call is assigned to.
//! - A header that follows a message ended (by an empty line) in the same function
//!   call belongs to that message: the two sides of an `if`/`else` that end it.
//! - Broadcasts flagged `EVENT_FLAG_SHUTDOWN` are never sent; `ast_manager_event`
//!   and `ast_manager_event_multichan` add `ChanVariable(<channel>)`.
//! - Calls to functions defined in the same file (or non-static ones elsewhere) and
//!   same-file functions named as callbacks are walked in place, up to
//!   [`MAX_DEPTH`] levels, with string-literal arguments bound to their parameters.

use super::scan::{CFile, Function, Tok, conversions};
use super::tree::Tree;
use std::collections::{HashMap, HashSet};

/// The header `ast_manager_event`/`ast_manager_event_multichan` add per channel variable.
pub const CHAN_VARIABLE: &str = "ChanVariable(<channel>)";

/// The name of a reply event whose `Event:` value the walk cannot read
/// (e.g. `blob->manager_event`); see `facts` for how list actions name it.
pub const UNRESOLVED: &str = "<unresolved>";

/// How deep calls are followed from a root function.
pub const MAX_DEPTH: usize = 4;

/// Call names the walk interprets itself.
const PRIMITIVES: [&str; 18] = [
    "astman_append",
    "astman_send_list_complete",
    "astman_send_list_complete_start",
    "astman_send_list_complete_end",
    "astman_send_listack",
    "manager_event",
    "ast_manager_event",
    "ast_manager_event_multichan",
    "ast_manager_event_blob_create",
    "ast_manager_publish_event",
    "ast_sip_create_ami_event",
    "ast_str_append",
    "ast_str_set",
    "snprintf",
    "sprintf",
    "ast_asprintf",
    "ast_manager_build_channel_state_string_prefix",
    "ast_manager_build_bridge_state_string_prefix",
];

/// How a message reaches the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Sent to every session with the right class.
    Broadcast,
    /// Appended to one session's reply (a list item, or a one-off event).
    Item,
    /// Started by `astman_send_list_complete_start`.
    Complete,
}

/// One message an emit site builds.
#[derive(Debug, Clone)]
pub struct Message {
    /// The event name (`Event:` header).
    pub name: String,
    /// How it is sent.
    pub kind: Kind,
    /// `EVENT_FLAG_*` names of a broadcast's class argument.
    pub flags: Vec<String>,
    /// Header names and snapshot placeholders, in emit order.
    pub fields: Vec<String>,
    /// The file holding the emit site.
    pub file: String,
    /// Line of the emit site.
    pub line: u32,
}

/// What one walk found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Messages in emit order.
    pub messages: Vec<Message>,
    /// The last argument of every `astman_send_listack` (`"start"`, …).
    pub acks: Vec<String>,
    /// Header names written into buffers (`ast_str_set`, `snprintf`, …), in the
    /// order the buffers were first written.
    pub buffer_fields: Vec<String>,
}

/// One line-level piece of a message.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Event(String),
    Response,
    Field(String),
    Blank,
}

/// The value an argument stands for.
#[derive(Debug, Clone)]
enum Val {
    Lit(String),
    /// `cond ? "A" : "B"`: either literal.
    Alts(Vec<String>),
    Items(Vec<Item>),
    Unknown,
}

#[derive(Debug, Clone, Default)]
struct Buffer {
    items: Vec<Item>,
    mid_line: bool,
}

/// Functions that reach an emit primitive within [`MAX_DEPTH`] calls.
pub fn relevant(tree: &Tree) -> HashSet<(String, usize)> {
    let mut rel: HashSet<(String, usize)> = HashSet::new();
    let mut callees: HashMap<(String, usize), Vec<(String, usize)>> = HashMap::new();
    for (path, file) in &tree.files {
        for (idx, f) in file.functions.iter().enumerate() {
            let mut direct = false;
            let mut list = Vec::new();
            for i in f.open..f.close {
                match &file.tokens[i].tok {
                    Tok::Ident(name) => {
                        if PRIMITIVES.contains(&name.as_str()) {
                            direct = true;
                        } else if let Some((cf, ci)) = tree.resolve(file, name) {
                            list.push((cf.path.clone(), ci));
                        }
                    }
                    Tok::Str(s) if s.contains("Event:") => direct = true,
                    _ => {}
                }
            }
            if direct {
                rel.insert((path.clone(), idx));
            }
            callees.insert((path.clone(), idx), list);
        }
    }
    for _ in 0..MAX_DEPTH {
        let add: Vec<(String, usize)> = callees
            .iter()
            .filter(|(k, v)| !rel.contains(*k) && v.iter().any(|c| rel.contains(c)))
            .map(|(k, _)| k.clone())
            .collect();
        if add.is_empty() {
            break;
        }
        rel.extend(add);
    }
    rel
}

/// Walk the function at `idx` of `file` as a root.
pub fn walk(tree: &Tree, relevant: &HashSet<(String, usize)>, file: &CFile, idx: usize) -> Walked {
    let mut w = Walker {
        tree,
        relevant,
        out: Walked::default(),
        current: None,
        mid_line: false,
        vars: HashMap::new(),
        var_order: Vec::new(),
        stack: Vec::new(),
        reopen: None,
        frames: Vec::new(),
        next_frame: 0,
    };
    let _ = w.walk_fn(file, idx, &HashMap::new());
    w.finish();
    for v in &w.var_order {
        for it in w
            .vars
            .get(v)
            .map(|b| b.items.as_slice())
            .unwrap_or_default()
        {
            if let Item::Field(f) = it
                && !w.out.buffer_fields.contains(f)
            {
                w.out.buffer_fields.push(f.clone());
            }
        }
    }
    w.out
}

struct Walker<'t> {
    tree: &'t Tree,
    relevant: &'t HashSet<(String, usize)>,
    out: Walked,
    current: Option<Message>,
    mid_line: bool,
    vars: HashMap<String, Buffer>,
    var_order: Vec<String>,
    stack: Vec<(String, usize)>,
    /// The message just ended by an empty line, and the invocation it ended in.
    reopen: Option<(usize, u64)>,
    /// Invocation ids of the functions on `stack`.
    frames: Vec<u64>,
    next_frame: u64,
}

impl<'t> Walker<'t> {
    /// Walk one function; returns the buffer it `return`s, if it builds one.
    fn walk_fn(
        &mut self,
        file: &'t CFile,
        idx: usize,
        bindings: &HashMap<String, Val>,
    ) -> Option<Buffer> {
        let key = (file.path.clone(), idx);
        if self.stack.contains(&key) || self.stack.len() > MAX_DEPTH {
            return None;
        }
        self.stack.push(key);
        self.next_frame += 1;
        self.frames.push(self.next_frame);
        // Buffers are visible to callees, never to callers or siblings.
        let saved = self.vars.clone();
        let mut bindings = bindings.clone();
        let f: &Function = &file.functions[idx];
        let mut returned: Option<String> = None;
        let mut ambiguous: HashSet<String> = HashSet::new();
        let mut i = f.open + 1;
        while i < f.close {
            // `name = "literal";`: a local string constant.
            if file.is_punct(i, '=')
                && let Some(Tok::Str(v)) = file.tokens.get(i + 1).map(|t| &t.tok)
                && matches!(
                    file.tokens.get(i + 2).map(|t| &t.tok),
                    Some(Tok::Punct(';' | ','))
                )
                && let Some(name) = i.checked_sub(1).and_then(|k| file.ident(k))
            {
                // Assigned different literals (per branch): no single value.
                let clash = matches!(bindings.get(name), Some(Val::Lit(old)) if old != v)
                    || ambiguous.contains(name);
                if clash {
                    ambiguous.insert(name.to_string());
                    bindings.remove(name);
                } else {
                    bindings.insert(name.to_string(), Val::Lit(v.clone()));
                }
            }
            if file.ident(i) == Some("return")
                && let Some(r) = file.ident(i + 1)
                && file.is_punct(i + 2, ';')
            {
                returned = Some(r.to_string());
            }
            if let Some(call) = file.call_at(i) {
                if self.primitive(file, &call, &bindings) {
                    i = call.close + 1;
                    continue;
                }
                if let Some((cf, ci)) = self.tree.resolve(file, &call.name)
                    && self.relevant.contains(&(cf.path.clone(), ci))
                {
                    let params = cf.functions[ci].params.clone();
                    let mut inner = HashMap::new();
                    for (p, a) in params.iter().zip(&call.args) {
                        let v = self.eval(file, *a, &bindings);
                        if !p.is_empty() && !matches!(v, Val::Unknown) {
                            inner.insert(p.clone(), v);
                        }
                    }
                    let built = self.walk_fn(cf, ci, &inner);
                    if let (Some(buf), Some(target)) = (built, assigned_var(file, call.at)) {
                        self.set_var(target, buf);
                    }
                }
            } else if let Some(name) = file.ident(i)
                && !file.is_punct(i + 1, '(')
                && let Some(ci) = file.function_index(name)
                && self.relevant.contains(&(file.path.clone(), ci))
            {
                // A same-file function passed as a callback.
                let _ = self.walk_fn(file, ci, &HashMap::new());
            }
            i += 1;
        }
        self.stack.pop();
        self.frames.pop();
        let out = returned.and_then(|r| self.vars.get(&r).cloned());
        if self.stack.is_empty() {
            // Keep the root's buffers for `buffer_fields`.
            return out;
        }
        self.vars = saved;
        out
    }

    /// Interpret a primitive call; false when `call` is not one.
    fn primitive(
        &mut self,
        file: &CFile,
        call: &super::scan::Call,
        b: &HashMap<String, Val>,
    ) -> bool {
        let a = &call.args;
        let line = file.tokens[call.at].line;
        let lit = |w: &Self, k: usize| -> Option<String> {
            a.get(k).and_then(|r| match w.eval(file, *r, b) {
                Val::Lit(s) => Some(s),
                _ => None,
            })
        };
        let names = |w: &Self, k: usize| -> Vec<String> {
            match a.get(k).map(|r| w.eval(file, *r, b)) {
                Some(Val::Lit(s)) => vec![s],
                Some(Val::Alts(v)) => v,
                _ => Vec::new(),
            }
        };
        let flags = |k: usize| -> Vec<String> {
            a.get(k)
                .map(|r| {
                    file.idents(*r)
                        .into_iter()
                        .filter(|s| s.starts_with("EVENT_FLAG_"))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        match call.name.as_str() {
            "astman_append" => {
                if let Some(fmt) = lit(self, 1) {
                    let (items, mid) =
                        self.format(file, &fmt, &a[2.min(a.len())..], b, self.mid_line);
                    self.mid_line = mid;
                    for it in items {
                        self.feed(it, file, line);
                    }
                }
            }
            "astman_send_list_complete_start" => {
                self.finish();
                if let Some(name) = lit(self, 2) {
                    self.current = Some(Message {
                        name,
                        kind: Kind::Complete,
                        flags: Vec::new(),
                        fields: vec!["ActionID".into(), "EventList".into(), "ListItems".into()],
                        file: file.path.clone(),
                        line,
                    });
                }
                self.mid_line = false;
            }
            "astman_send_list_complete" => {
                // main/manager.c's one-call form: start and end.
                self.finish();
                if let Some(name) = lit(self, 2) {
                    self.out.messages.push(Message {
                        name,
                        kind: Kind::Complete,
                        flags: Vec::new(),
                        fields: vec!["ActionID".into(), "EventList".into(), "ListItems".into()],
                        file: file.path.clone(),
                        line,
                    });
                }
                self.mid_line = false;
            }
            "astman_send_list_complete_end" => {
                self.finish();
                self.mid_line = false;
            }
            "astman_send_listack" => {
                let v = lit(self, 3).unwrap_or_else(|| "?".into());
                self.out.acks.push(v);
            }
            "manager_event" => self.broadcast(
                file,
                line,
                flags(0),
                names(self, 1),
                a.get(2),
                &a[3.min(a.len())..],
                b,
                "",
            ),
            "ast_manager_event" => {
                self.broadcast(
                    file,
                    line,
                    flags(1),
                    names(self, 2),
                    a.get(3),
                    &a[4.min(a.len())..],
                    b,
                    "",
                );
                self.chan_variables();
            }
            "ast_manager_event_multichan" => {
                self.broadcast(
                    file,
                    line,
                    flags(0),
                    names(self, 1),
                    a.get(4),
                    &a[5.min(a.len())..],
                    b,
                    "",
                );
                self.chan_variables();
            }
            "ast_manager_event_blob_create" => {
                let lead = match file.path.as_str() {
                    "main/manager_channels.c" => "<channel_snapshot prefix=''>",
                    "main/manager_bridges.c" => "<bridge_snapshot prefix=''>",
                    _ => "",
                };
                self.broadcast(
                    file,
                    line,
                    flags(0),
                    names(self, 1),
                    a.get(2),
                    &a[3.min(a.len())..],
                    b,
                    lead,
                )
            }
            "ast_manager_publish_event" => {
                self.broadcast(file, line, flags(1), names(self, 0), None, &[], b, "")
            }
            "ast_sip_create_ami_event" => {
                if let Some(name) = lit(self, 0) {
                    self.out.messages.push(Message {
                        name,
                        kind: Kind::Item,
                        flags: Vec::new(),
                        fields: vec!["ActionID".into()],
                        file: file.path.clone(),
                        line,
                    });
                }
            }
            "ast_str_append" | "ast_str_set" | "snprintf" | "sprintf" | "ast_asprintf" => {
                let fmt_at = match call.name.as_str() {
                    "sprintf" | "ast_asprintf" => 1,
                    _ => 2,
                };
                let (Some(target), Some(fmt)) = (
                    a.first().and_then(|r| last_ident(file, *r)),
                    lit(self, fmt_at),
                ) else {
                    return true;
                };
                let append = call.name == "ast_str_append";
                let prev = if append {
                    self.vars.get(&target).cloned().unwrap_or_default()
                } else {
                    Buffer::default()
                };
                let (items, mid) = self.format(
                    file,
                    &fmt,
                    &a[(fmt_at + 1).min(a.len())..],
                    b,
                    prev.mid_line,
                );
                let mut buf = prev;
                buf.items.extend(items);
                buf.mid_line = mid;
                self.set_var(target, buf);
            }
            "ast_manager_build_channel_state_string_prefix"
            | "ast_manager_build_bridge_state_string_prefix" => {
                // `v = builder(snapshot, "Prefix")` (the prefix-less forms are macros
                // or wrappers; see `snapshot_of`).
                if let Some(target) = assigned_var(file, call.at) {
                    let item = snapshot_of(file, call, self, b);
                    self.set_var(
                        target,
                        Buffer {
                            items: vec![Item::Field(item)],
                            mid_line: false,
                        },
                    );
                }
            }
            _ => {
                if let Some(item) = builder_item(file, call, self, b)
                    && let Some(target) = assigned_var(file, call.at)
                {
                    self.set_var(
                        target,
                        Buffer {
                            items: vec![Item::Field(item)],
                            mid_line: false,
                        },
                    );
                    return true;
                }
                return false;
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn broadcast(
        &mut self,
        file: &CFile,
        line: u32,
        flags: Vec<String>,
        names: Vec<String>,
        fmt: Option<&(usize, usize)>,
        rest: &[(usize, usize)],
        b: &HashMap<String, Val>,
        lead: &str,
    ) {
        if names.is_empty() {
            return;
        }
        // Shutdown "events" close sessions and are never sent (main/manager.c).
        if flags.iter().any(|f| f == "EVENT_FLAG_SHUTDOWN") {
            return;
        }
        let mut fields: Vec<String> = Vec::new();
        if !lead.is_empty() {
            fields.push(lead.to_string());
        }
        if let Some(Val::Lit(fmt)) = fmt.map(|r| self.eval(file, *r, b)) {
            let (items, _) = self.format(file, &fmt, rest, b, false);
            for it in items {
                if let Item::Field(f) = it
                    && !fields.contains(&f)
                {
                    fields.push(f);
                }
            }
        }
        for name in names {
            self.out.messages.push(Message {
                name,
                kind: Kind::Broadcast,
                flags: flags.clone(),
                fields: fields.clone(),
                file: file.path.clone(),
                line,
            });
        }
    }

    /// Events sent with channels get main/manager.c's legacy `ChanVariable(<channel>): name=value`
    /// lines (`append_channel_vars`, configured by `channelvars`).
    fn chan_variables(&mut self) {
        if let Some(m) = self.out.messages.last_mut()
            && m.kind == Kind::Broadcast
        {
            m.fields.push(CHAN_VARIABLE.to_string());
        }
    }

    fn set_var(&mut self, name: String, buf: Buffer) {
        if !self.var_order.contains(&name) {
            self.var_order.push(name.clone());
        }
        self.vars.insert(name, buf);
    }

    fn feed(&mut self, item: Item, file: &CFile, line: u32) {
        match item {
            Item::Event(name) => {
                self.finish();
                self.current = Some(Message {
                    name,
                    kind: Kind::Item,
                    flags: Vec::new(),
                    fields: Vec::new(),
                    file: file.path.clone(),
                    line,
                });
            }
            Item::Response => {
                self.finish();
                self.current = Some(Message {
                    name: String::new(),
                    kind: Kind::Item,
                    flags: Vec::new(),
                    fields: Vec::new(),
                    file: file.path.clone(),
                    line,
                });
            }
            Item::Field(f) => {
                let m = match self.current.as_mut() {
                    Some(m) => Some(m),
                    // A header after a message ended in another branch of the
                    // same function (`if (a) end; else more headers + end`).
                    None => match self.reopen {
                        Some((idx, frame)) if Some(&frame) == self.frames.last() => {
                            self.out.messages.get_mut(idx)
                        }
                        _ => None,
                    },
                };
                if let Some(m) = m
                    && !m.fields.contains(&f)
                {
                    m.fields.push(f);
                }
            }
            Item::Blank => self.finish(),
        }
    }

    fn finish(&mut self) {
        if self.current.is_none() {
            return;
        }
        self.reopen = None;
        if let Some(m) = self.current.take()
            && !m.name.is_empty()
        {
            self.out.messages.push(m);
            if m_is_item(self.out.messages.last())
                && let Some(&frame) = self.frames.last()
            {
                self.reopen = Some((self.out.messages.len() - 1, frame));
            }
        }
    }

    /// What an argument stands for.
    fn eval(&self, file: &CFile, r: (usize, usize), b: &HashMap<String, Val>) -> Val {
        if let Some(s) = file.literal(r) {
            return Val::Lit(s.to_string());
        }
        if let Some(alts) = ternary_literals(file, r) {
            return Val::Alts(alts);
        }
        let ids = file.idents(r);
        if ids.len() == 1 {
            let id = ids[0];
            if let Some(v) = b.get(id) {
                return v.clone();
            }
            if let Some(c) = self.tree.constant(file, id) {
                return Val::Lit(c);
            }
        }
        // A builder called in place.
        let mut k = r.0;
        while k < r.1 {
            if let Some(call) = file.call_at(k)
                && let Some(item) = builder_item(file, &call, self, b)
            {
                return Val::Items(vec![Item::Field(item)]);
            }
            k += 1;
        }
        // A buffer, named by the argument's last identifier (`ast_str_buffer(d->id_text)`).
        if let Some(id) = last_ident(file, r) {
            if let Some(buf) = self.vars.get(&id) {
                return Val::Items(buf.items.clone());
            }
            if let Some(v @ Val::Items(_)) = b.get(&id) {
                return v.clone();
            }
        }
        if ids.iter().any(|id| is_action_id_name(id)) {
            return Val::Items(vec![Item::Field("ActionID".into())]);
        }
        Val::Unknown
    }

    /// The line items of a printf format with its arguments; `mid_line` says the
    /// output so far ends inside a line. Returns the items and whether the format
    /// ends inside a line.
    fn format(
        &self,
        file: &CFile,
        fmt: &str,
        args: &[(usize, usize)],
        b: &HashMap<String, Val>,
        mid_line: bool,
    ) -> (Vec<Item>, bool) {
        let convs = conversions(fmt);
        // Argument index of each conversion's value.
        let mut arg_of = Vec::new();
        let mut next = 0;
        for (consumed, range) in &convs {
            next += consumed;
            arg_of.push((range.clone(), next - 1));
        }
        let mut items = Vec::new();
        let mut start = 0;
        let mut first = true;
        let bytes = fmt.len();
        while start <= bytes {
            let end = fmt[start..].find('\n').map_or(bytes, |p| start + p);
            let terminated = end < bytes;
            let continuation = first && mid_line;
            first = false;
            if !continuation {
                let seg = fmt[start..end].trim_end_matches('\r');
                if seg.is_empty() {
                    if terminated {
                        items.push(Item::Blank);
                    }
                } else {
                    let mut pos = start;
                    // Leading whole-argument conversions expand to their lines.
                    while let Some((range, ai)) = arg_of.iter().find(|(r, _)| r.start == pos) {
                        if !fmt[range.clone()].ends_with('s') {
                            break;
                        }
                        let v = args
                            .get(*ai)
                            .map_or(Val::Unknown, |r| self.eval(file, *r, b));
                        match v {
                            Val::Lit(s) => items.extend(self.format(file, &s, &[], b, false).0),
                            Val::Items(v) => items.extend(v),
                            Val::Alts(_) | Val::Unknown => {}
                        }
                        pos = range.end;
                    }
                    let rest = fmt[pos..end].trim_end_matches('\r');
                    if let Some(v) = rest.strip_prefix("Event:") {
                        let v = v.trim();
                        let name = match arg_of
                            .iter()
                            .find(|(r, _)| fmt[r.clone()] == *v && r.start >= pos && r.end <= end)
                        {
                            Some((_, ai)) => match args.get(*ai).map(|r| self.eval(file, *r, b)) {
                                Some(Val::Lit(s)) => s,
                                _ => UNRESOLVED.to_string(),
                            },
                            None if !v.contains('%') => v.to_string(),
                            None => UNRESOLVED.to_string(),
                        };
                        items.push(Item::Event(name));
                    } else if rest.starts_with("Response:") {
                        items.push(Item::Response);
                    } else if let Some((name, _)) = rest.split_once(':')
                        && is_header_name(name)
                    {
                        items.push(Item::Field(name.to_string()));
                    }
                }
            }
            if !terminated {
                // Inside a line only if literal text (not just `%s` values) is pending.
                let mut tail = fmt[start..].to_string();
                for (r, _) in arg_of.iter().rev().filter(|(r, _)| r.start >= start) {
                    tail.replace_range(r.start - start..r.end - start, "");
                }
                return (items, !tail.is_empty() || (continuation && mid_line));
            }
            start = end + 1;
        }
        (items, false)
    }
}

/// `cond ? "A" : "B"` (both branches single literals): `["A", "B"]`.
fn ternary_literals(file: &CFile, r: (usize, usize)) -> Option<Vec<String>> {
    let mut q = None;
    let mut colon = None;
    let mut k = r.0;
    while k < r.1 {
        match &file.tokens[k].tok {
            Tok::Punct('(' | '[' | '{') => {
                k = file.pair[k].map_or(k + 1, |p| p + 1);
                continue;
            }
            Tok::Punct('?') if q.is_none() => q = Some(k),
            Tok::Punct(':') if q.is_some() && colon.is_none() => colon = Some(k),
            _ => {}
        }
        k += 1;
    }
    let (q, colon) = (q?, colon?);
    let a = file.literal((q + 1, colon))?;
    let b = file.literal((colon + 1, r.1))?;
    Some(vec![a.to_string(), b.to_string()])
}

/// The placeholder of a snapshot builder call, if `call` is one.
fn builder_item(
    file: &CFile,
    call: &super::scan::Call,
    w: &Walker<'_>,
    b: &HashMap<String, Val>,
) -> Option<String> {
    match call.name.as_str() {
        "ast_manager_build_channel_state_string_prefix"
        | "ast_manager_build_bridge_state_string_prefix"
        | "ast_manager_build_channel_state_string"
        | "ast_manager_build_bridge_state_string" => Some(snapshot_of(file, call, w, b)),
        _ => None,
    }
}

/// `<channel_snapshot prefix='P'>` / `<bridge_snapshot prefix='P'>` for a builder call.
fn snapshot_of(
    file: &CFile,
    call: &super::scan::Call,
    w: &Walker<'_>,
    b: &HashMap<String, Val>,
) -> String {
    let kind = if call.name.contains("bridge") {
        "bridge"
    } else {
        "channel"
    };
    let prefix = if call.name.ends_with("_prefix") {
        match call.args.get(1).map(|r| w.eval(file, *r, b)) {
            Some(Val::Lit(s)) => s,
            _ => String::new(),
        }
    } else {
        String::new()
    };
    format!("<{kind}_snapshot prefix='{prefix}'>")
}

/// The variable assigned by `v = call(…)` where the call's name is at `at`.
fn assigned_var(file: &CFile, at: usize) -> Option<String> {
    let eq = at.checked_sub(1)?;
    if !file.is_punct(eq, '=') || file.is_punct(eq.checked_sub(1)?, '=') {
        return None;
    }
    file.ident(eq - 1).map(str::to_string)
}

fn m_is_item(m: Option<&Message>) -> bool {
    m.is_some_and(|m| m.kind == Kind::Item)
}

/// The last identifier of an argument (`&data->id_text` → `id_text`).
fn last_ident(file: &CFile, r: (usize, usize)) -> Option<String> {
    file.idents(r)
        .into_iter()
        .rev()
        .find(|s| *s != "sizeof")
        .map(str::to_string)
}

/// Whether a variable name reads as an `ActionID: …` line buffer.
fn is_action_id_name(id: &str) -> bool {
    let n: String = id
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    n.contains("idtext") || n.contains("actionid") || n == "idtxt"
}

/// Whether `s` can be an AMI header name (letters, digits, `-`, `_`, `(`, `)`; no spaces, no `%`).
fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '(' | ')'))
}
