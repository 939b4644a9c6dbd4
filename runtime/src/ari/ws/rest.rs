//! REST over the WebSocket: an [`AriRequest`] as a `RESTRequest` message, and a
//! `RESTResponse` message as an [`AriResponse`].

use crate::ari::{AriRequest, AriResponse};
use serde::Deserialize;
use std::borrow::Cow;

/// The `uri` of a `RESTRequest`: the path without its leading `/`, then the
/// encoded query string.
pub(crate) fn request_uri(request: &AriRequest) -> String {
    let mut uri = request.path.trim_start_matches('/').to_string();
    for (i, (name, value)) in request.query.iter().enumerate() {
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(&crate::percent::encode_component(name));
        uri.push('=');
        uri.push_str(&crate::percent::encode_component(value));
    }
    uri
}

/// The JSON text of the `RESTRequest` message.
pub(crate) fn encode_request(request: &AriRequest, request_id: &str) -> String {
    let mut msg = serde_json::Map::new();
    msg.insert("type".into(), "RESTRequest".into());
    msg.insert("transaction_id".into(), request_id.into());
    msg.insert("request_id".into(), request_id.into());
    msg.insert("method".into(), request.method.into());
    msg.insert("uri".into(), request_uri(request).into());
    if let Some(body) = &request.body {
        msg.insert("content_type".into(), "application/json".into());
        msg.insert("message_body".into(), body.to_string().into());
    }
    serde_json::Value::Object(msg).to_string()
}

/// Quick test before parsing: could this message be a `RESTResponse`?
pub(crate) fn may_be_response(text: &str) -> bool {
    text.contains("\"RESTResponse\"")
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    value: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    request_id: Option<Cow<'a, str>>,
    status_code: u16,
    #[serde(borrow, default)]
    content_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    headers: Vec<Header<'a>>,
    #[serde(borrow, default)]
    message_body: Option<Cow<'a, str>>,
}

/// `(request_id, response)` of a `RESTResponse` message; `None` for any other
/// message (or a malformed response, which then reaches the event stream).
pub(crate) fn decode_response(text: &str) -> Option<(String, AriResponse)> {
    let r: Response<'_> = serde_json::from_str(text).ok()?;
    if r.kind != "RESTResponse" {
        return None;
    }
    let content_type = r.content_type.map(Cow::into_owned).or_else(|| {
        r.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-type"))
            .map(|h| h.value.to_string())
    });
    Some((
        r.request_id.map(Cow::into_owned).unwrap_or_default(),
        AriResponse {
            status: r.status_code,
            content_type,
            body: r
                .message_body
                .map(|b| b.into_owned().into_bytes())
                .unwrap_or_default(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_requests() {
        let mut req = AriRequest::new("POST", "/channels/1795727858.4/play")
            .query("media", "sound:hello-world")
            .query("lang", "en US");
        assert_eq!(
            request_uri(&req),
            "channels/1795727858.4/play?media=sound%3Ahello-world&lang=en%20US"
        );
        req.body = Some(serde_json::json!({"variables": {"A": "1"}}));
        let v: serde_json::Value =
            serde_json::from_str(&encode_request(&req, "r-1")).expect("JSON");
        assert_eq!(v["type"], "RESTRequest");
        assert_eq!(v["request_id"], "r-1");
        assert_eq!(v["method"], "POST");
        assert_eq!(v["content_type"], "application/json");
        let body: serde_json::Value =
            serde_json::from_str(v["message_body"].as_str().expect("string")).expect("JSON");
        assert_eq!(body["variables"]["A"], "1");
    }

    #[test]
    fn decodes_responses() {
        let text = r#"{"type":"RESTResponse","transaction_id":"t","request_id":"r-7","status_code":200,"reason_phrase":"OK","uri":"channels/x","headers":[{"name":"Content-type","value":"application/json"}],"message_body":"{\"id\":\"x\"}","timestamp":"2025-03-17T08:32:38.709-0600","asterisk_id":"e4","application":"a"}"#;
        let (id, resp) = decode_response(text).expect("a response");
        assert_eq!(id, "r-7");
        assert_eq!(resp.status, 200);
        assert_eq!(resp.content_type.as_deref(), Some("application/json"));
        assert_eq!(resp.body, br#"{"id":"x"}"#);
        let no_body = r#"{"type":"RESTResponse","request_id":"r","status_code":204,"reason_phrase":"No Content","uri":"u"}"#;
        assert_eq!(decode_response(no_body).map(|(_, r)| r.body.len()), Some(0));
        assert!(decode_response(r#"{"type":"StasisStart"}"#).is_none());
        assert!(decode_response("{").is_none());
    }
}
