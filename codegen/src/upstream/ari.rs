//! ARI resources, operations and models from the Swagger 1.1/1.2 files.
//!
//! `resources.json` lists the resource files (`/api-docs/<stem>.{format}`); each
//! resource file holds `apis[]` (a path and its operations) and `models`. Only the
//! keys the manifest needs are read: unknown keys (including the misspelled
//! `descriptioni` and the `__note` key found upstream) are ignored, and no
//! descriptive text (`description`, `summary`, `notes`, error `reason`) is kept.

use crate::manifest::{Allowed, Ari, AriModel, AriOperation, AriParam, AriProperty, AriResource};
use crate::{Result, input_err, read_to_string};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

/// `resources.json`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListing {
    api_version: String,
    apis: Vec<RawListingApi>,
}

/// One entry of `resources.json`'s `apis`.
#[derive(Deserialize)]
struct RawListingApi {
    path: String,
}

/// One resource file, e.g. `channels.json`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResource {
    swagger_version: String,
    #[serde(default)]
    apis: Vec<RawApi>,
    #[serde(default)]
    models: Ordered<RawModel>,
}

/// One `apis[]` entry of a resource file: a path and its operations.
#[derive(Deserialize)]
struct RawApi {
    path: String,
    #[serde(default)]
    operations: Vec<RawOperation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawOperation {
    http_method: String,
    nickname: String,
    #[serde(default)]
    since: Vec<String>,
    #[serde(default)]
    parameters: Vec<RawParam>,
    response_class: String,
    #[serde(default)]
    error_responses: Vec<RawError>,
    #[serde(default)]
    upgrade: Option<String>,
    #[serde(default)]
    websocket_protocol: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawParam {
    name: String,
    param_type: String,
    #[serde(default)]
    required: bool,
    data_type: String,
    #[serde(default)]
    allow_multiple: bool,
    #[serde(default)]
    default_value: Option<serde_json::Value>,
    #[serde(default)]
    allowable_values: Option<RawAllowed>,
}

/// `errorResponses[]`: only the code is kept. Upstream writes it as a number and,
/// in a few places, as a string (`"404"`).
#[derive(Deserialize)]
struct RawError {
    code: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAllowed {
    value_type: String,
    #[serde(default)]
    values: Vec<serde_json::Value>,
    #[serde(default)]
    min: Option<serde_json::Value>,
    #[serde(default)]
    max: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawModel {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    discriminator: Option<String>,
    #[serde(default)]
    sub_types: Vec<String>,
    #[serde(default)]
    properties: Ordered<RawProperty>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProperty {
    #[serde(rename = "type")]
    data_type: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    allowable_values: Option<RawAllowed>,
}

/// A JSON object read as a list of entries in document order (`serde_json::Map`
/// sorts its keys unless the `preserve_order` feature is on; property order
/// matters to the manifest).
struct Ordered<T>(Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct OrderedVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OrderedVisitor<T> {
            type Value = Ordered<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }

        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}

/// Parse a JSON file into `T`, with the path and serde's position in the error.
fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = read_to_string(path)?;
    serde_json::from_str(&text)
        .map_err(|e| input_err(path.display(), format!("invalid ARI Swagger JSON: {e}")))
}

/// The resource file stem of a listing path: `/api-docs/channels.{format}` → `channels`.
fn resource_stem(listing_path: &str) -> Option<&str> {
    let file = listing_path.rsplit('/').next()?;
    let stem = file.strip_suffix(".{format}")?;
    if stem.is_empty() || stem.contains(['.', '\\']) {
        return None;
    }
    Some(stem)
}

fn allowed(raw: RawAllowed, path: &Path, what: &str) -> Result<Allowed> {
    match raw.value_type.as_str() {
        "LIST" => {
            let mut values = Vec::with_capacity(raw.values.len());
            for v in raw.values {
                match v {
                    serde_json::Value::String(s) => values.push(s),
                    other => values.push(other.to_string()),
                }
            }
            Ok(Allowed::List { values })
        }
        "RANGE" => Ok(Allowed::Range {
            min: raw.min,
            max: raw.max,
        }),
        other => Err(input_err(
            path.display(),
            format!("{what}: unknown allowableValues valueType {other:?} (expected LIST or RANGE)"),
        )),
    }
}

fn error_code(code: &serde_json::Value, path: &Path, what: &str) -> Result<u16> {
    let parsed = match code {
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        serde_json::Value::String(s) => s.trim().parse::<u16>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| {
        input_err(
            path.display(),
            format!("{what}: error response code {code} is not an HTTP status"),
        )
    })
}

/// Read `resources.json` and every resource file it lists from `dir`.
pub fn read(dir: &Path) -> Result<Ari> {
    let listing_path = dir.join("resources.json");
    let listing: RawListing = parse(&listing_path)?;
    let mut ari = Ari {
        api_version: listing.api_version,
        ..Ari::default()
    };

    for api in &listing.apis {
        let stem = resource_stem(&api.path).ok_or_else(|| {
            input_err(
                listing_path.display(),
                format!(
                    "apis[].path {:?} is not of the form /api-docs/<name>.{{format}}",
                    api.path
                ),
            )
        })?;
        if ari.resources.iter().any(|r| r.name == stem) {
            return Err(input_err(
                listing_path.display(),
                format!("resource {stem:?} is listed twice"),
            ));
        }
        let file = dir.join(format!("{stem}.json"));
        let raw: RawResource = parse(&file)?;
        ari.resources.push(AriResource {
            name: stem.to_string(),
            swagger_version: raw.swagger_version,
        });

        for api in raw.apis {
            for op in api.operations {
                let method = op.http_method.to_ascii_uppercase();
                let what = format!("{method} {}", api.path);
                let mut params = Vec::with_capacity(op.parameters.len());
                for p in op.parameters {
                    let allowed = match p.allowable_values {
                        Some(a) => {
                            Some(allowed(a, &file, &format!("{what} parameter {}", p.name))?)
                        }
                        None => None,
                    };
                    params.push(AriParam {
                        name: p.name,
                        location: p.param_type,
                        required: p.required,
                        data_type: p.data_type,
                        multiple: p.allow_multiple,
                        default: p.default_value,
                        allowed,
                    });
                }
                let mut errors = Vec::with_capacity(op.error_responses.len());
                for e in &op.error_responses {
                    errors.push(error_code(&e.code, &file, &what)?);
                }
                errors.sort_unstable();
                errors.dedup();
                let websocket_protocol = match op.upgrade.as_deref() {
                    Some(u) if u.eq_ignore_ascii_case("websocket") => {
                        Some(op.websocket_protocol.clone().unwrap_or_default())
                    }
                    Some(other) => {
                        return Err(input_err(
                            file.display(),
                            format!("{what}: unknown upgrade {other:?}"),
                        ));
                    }
                    None => None,
                };
                if ari
                    .operations
                    .iter()
                    .any(|o| o.method == method && o.path == api.path)
                {
                    return Err(input_err(
                        file.display(),
                        format!("{what} is defined twice"),
                    ));
                }
                ari.operations.push(AriOperation {
                    resource: stem.to_string(),
                    nickname: op.nickname,
                    method,
                    path: api.path.clone(),
                    since: op.since,
                    params,
                    response: op.response_class,
                    errors,
                    websocket_protocol,
                });
            }
        }

        for (key, m) in raw.models.0 {
            let name = match m.id {
                Some(id) if id != key => {
                    return Err(input_err(
                        file.display(),
                        format!("model key {key:?} has id {id:?}"),
                    ));
                }
                _ => key,
            };
            if ari.models.iter().any(|x| x.name == name) {
                return Err(input_err(
                    file.display(),
                    format!("model {name:?} is defined twice"),
                ));
            }
            let mut properties = Vec::with_capacity(m.properties.0.len());
            for (pname, p) in m.properties.0 {
                let allowed = match p.allowable_values {
                    Some(a) => Some(allowed(
                        a,
                        &file,
                        &format!("model {name} property {pname}"),
                    )?),
                    None => None,
                };
                properties.push(AriProperty {
                    name: pname,
                    data_type: p.data_type,
                    required: p.required,
                    allowed,
                });
            }
            ari.models.push(AriModel {
                name,
                resource: stem.to_string(),
                discriminator: m.discriminator,
                subtypes: m.sub_types,
                properties,
            });
        }
    }

    for m in &ari.models {
        for s in &m.subtypes {
            if ari.model(s).is_none() {
                return Err(input_err(
                    dir.display(),
                    format!("model {} lists unknown subtype {s:?}", m.name),
                ));
            }
        }
    }

    ari.operations.sort_by(|a, b| {
        (a.path.as_str(), a.method.as_str()).cmp(&(b.path.as_str(), b.method.as_str()))
    });
    ari.models.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ari)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_stems() {
        assert_eq!(
            resource_stem("/api-docs/channels.{format}"),
            Some("channels")
        );
        assert_eq!(
            resource_stem("/api-docs/deviceStates.{format}"),
            Some("deviceStates")
        );
        assert_eq!(resource_stem("/api-docs/channels.json"), None);
        assert_eq!(resource_stem("/api-docs/.{format}"), None);
    }

    #[test]
    fn ordered_keeps_document_order() {
        let o: Ordered<u8> = serde_json::from_str(r#"{"b":1,"a":2,"c":3}"#).unwrap();
        let keys: Vec<&str> = o.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn error_codes_accept_numbers_and_strings() {
        let p = Path::new("x.json");
        assert_eq!(error_code(&serde_json::json!(404), p, "op").unwrap(), 404);
        assert_eq!(error_code(&serde_json::json!("409"), p, "op").unwrap(), 409);
        assert!(error_code(&serde_json::json!("nope"), p, "op").is_err());
        assert!(error_code(&serde_json::json!(70000), p, "op").is_err());
    }

    #[test]
    fn missing_listing_is_an_error() {
        let err = read(Path::new("/nonexistent/ari")).unwrap_err();
        assert!(err.to_string().contains("resources.json"), "{err}");
    }
}
