//! Fixes of ARI operations (`specs/fixes/ari_operations.toml`): handles, body
//! shapes the Swagger type does not say, and documented defaults the server
//! requires to be sent.
//!
//! - `[[handle]]`: a type addressing one instance by a path parameter
//!   (`ChannelHandle`), with the operations under a path prefix as methods;
//! - `[[body]]`: how a `containers` body parameter is written, and an extra
//!   setter adding one entry;
//! - `[[send_default]]`: a parameter whose documented default the request sends
//!   itself when the caller leaves it unset.
//!
//! Every entry has a `name` and a one-line `reason`; one that applies to no
//! operation of any release is an error (checked in [`crate::model::ari`]).

use crate::Result;
use serde::Deserialize;
use std::path::Path;

/// Every ARI operation fix.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AriOperationFixes {
    /// Handles, in file order.
    #[serde(default)]
    pub handle: Vec<HandleFix>,
    /// Body parameter shapes.
    #[serde(default)]
    pub body: Vec<BodyFix>,
    /// Defaults sent when unset.
    #[serde(default)]
    pub send_default: Vec<SendDefaultFix>,
}

/// A handle type over one resource's instances.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleFix {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// The resource (Swagger file) of its operations.
    pub resource: String,
    /// Path prefix of its operations, with the id placeholder (`/channels/{channelId}`).
    pub prefix: String,
    /// Rust type name (`ChannelHandle`).
    pub handle: String,
    /// The path parameter the handle fills.
    pub id_param: String,
    /// The `AriClient` method returning one (`channel`).
    pub client_method: String,
    /// The ARI model it stands for (`Channel`), which gets a `handle` method.
    pub model: String,
    /// The model's property holding the id.
    pub model_id: String,
}

/// How a body parameter of type `containers` is sent, by parameter name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyFix {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// The body parameter's name.
    pub param: String,
    /// How it is written, when not `{"param": {key: value}}`.
    #[serde(default)]
    pub encoding: Option<BodyEncoding>,
    /// Name of an extra setter adding one entry.
    #[serde(default)]
    pub entry_setter: Option<String>,
}

/// The wire shape of a `containers` body parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    /// `{"param": [{"attribute": key, "value": value}, …]}`.
    AttributeList,
}

/// A parameter whose documented default is sent when the caller sets none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendDefaultFix {
    /// Fix name.
    pub name: String,
    /// One-line reason.
    pub reason: String,
    /// Operations, as `resource.nickname`.
    pub operations: Vec<String>,
    /// The parameter.
    pub param: String,
}

impl AriOperationFixes {
    /// Load `ari_operations.toml`.
    pub fn load(path: &Path) -> Result<Self> {
        let f: AriOperationFixes = super::load_toml(path)?;
        let named = f
            .handle
            .iter()
            .map(|h| (&h.name, &h.reason))
            .chain(f.body.iter().map(|b| (&b.name, &b.reason)))
            .chain(f.send_default.iter().map(|s| (&s.name, &s.reason)));
        let mut seen = std::collections::BTreeSet::new();
        for (name, reason) in named {
            if !seen.insert(name) {
                return Err(crate::input_err(
                    path.display(),
                    format!("fix `{name}` defined twice"),
                ));
            }
            if reason.trim().is_empty() {
                return Err(crate::input_err(
                    path.display(),
                    format!("fix `{name}` has no reason"),
                ));
            }
        }
        if let Some(b) = f
            .body
            .iter()
            .find(|b| b.encoding.is_none() && b.entry_setter.is_none())
        {
            return Err(crate::input_err(
                path.display(),
                format!(
                    "fix `{}` sets neither `encoding` nor `entry_setter`",
                    b.name
                ),
            ));
        }
        Ok(f)
    }

    /// The body fix of the parameter named `param`.
    pub fn body(&self, param: &str) -> Option<&BodyFix> {
        self.body.iter().find(|b| b.param == param)
    }

    /// The send-default fix of `param` of operation `operation` (`resource.nickname`).
    pub fn send_default(&self, operation: &str, param: &str) -> Option<&SendDefaultFix> {
        self.send_default
            .iter()
            .find(|s| s.param == param && s.operations.iter().any(|o| o == operation))
    }
}
