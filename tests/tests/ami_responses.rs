//! Typed success responses (`specs/fixes/ami_responses.toml`): `client.send`
//! returns them for their actions against the mock, every field the catalog
//! lists decodes, and real answers from the committed captures decode too.

use asterisk_sdk::ami::actions::{
    Challenge, CoreSettings, CoreStatus, Events, ExtensionState, GetConfig, GetConfigJson, Getvar,
    ListCategories, ListCommands, MailboxCount, MailboxStatus, MixMonitor, ModuleCheck, Ping,
    PresenceState, QueueRule, SiPshowpeer,
};
use asterisk_sdk::ami::catalog::ACTIONS;
use asterisk_sdk::ami::responses::{ChallengeResponse, GetvarResponse, PingResponse};
use asterisk_sdk::domain::ExtensionState as ExtState;
use asterisk_sdk::runtime::ami::{
    Action, ActionResponse, AmiClient, AmiError, Frame, FrameDecoder, Message, RawAction, Response,
};
use asterisk_sdk_mock::ami::{MockAmi, Reply};
use bytes::BytesMut;
use std::time::Duration;

#[path = "../fixtures/capture.rs"]
mod capture;

async fn connect(mock: &MockAmi) -> AmiClient {
    let addr = mock.addr();
    AmiClient::builder()
        .host(addr.ip().to_string())
        .port(addr.port())
        .credentials("admin", "amp111")
        .action_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("login")
}

/// The typed-response actions: at least 18, each with as many types and
/// examples as fields.
#[test]
fn catalog_lists_response_fields_with_types_and_examples() {
    let typed: Vec<_> = ACTIONS
        .iter()
        .filter(|a| !a.response_fields.is_empty())
        .collect();
    assert!(typed.len() >= 18, "{} typed responses", typed.len());
    for a in &typed {
        assert_eq!(
            a.response_fields.len(),
            a.response_types.len(),
            "{}",
            a.name
        );
        assert_eq!(
            a.response_fields.len(),
            a.response_examples.len(),
            "{}",
            a.name
        );
    }
    let getvar = ACTIONS.iter().find(|a| a.name == "Getvar").unwrap();
    assert_eq!(getvar.response_fields, ["Variable", "Value"]);
    let ping = ACTIONS.iter().find(|a| a.name == "Ping").unwrap();
    assert_eq!(ping.response_types, ["text", "f64"]);
    let ext = ACTIONS.iter().find(|a| a.name == "ExtensionState").unwrap();
    assert!(ext.response_types.contains(&"domain:ExtensionState"));
    // Actions without headers of their own keep the plain Response.
    let hangup = ACTIONS.iter().find(|a| a.name == "Hangup").unwrap();
    assert!(hangup.response_fields.is_empty());
}

#[tokio::test]
async fn getvar_yields_variable_and_value_with_raw_kept() {
    let mock = MockAmi::builder().start().await.unwrap();
    mock.set_response("Getvar", |m: &Message| {
        Reply::success()
            .header("Variable", m.get("Variable").unwrap_or_default())
            .header("Value", "sales-7")
    });
    let client = connect(&mock).await;
    let r: GetvarResponse = client.send(&Getvar::new("QUEUE")).await.unwrap();
    assert_eq!(r.variable.as_deref(), Some("QUEUE"));
    assert_eq!(r.value.as_deref(), Some("sales-7"));
    assert!(r.is_success());
    assert_eq!(r.raw.get("Value"), Some("sales-7"));
    assert_eq!(r.response.action(), Some("Getvar"));
    // An Error answer still decodes, and into_result names the action.
    mock.set_response("Getvar", |_: &Message| Reply::error("No such channel"));
    let r = client.send(&Getvar::new("QUEUE")).await.unwrap();
    assert_eq!(r.value, None);
    match r.into_result() {
        Err(AmiError::ActionFailed {
            action, message, ..
        }) => {
            assert_eq!(
                (action.as_str(), message.as_str()),
                ("Getvar", "No such channel")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn mock_answers_typed_actions_with_their_fields() {
    let mock = MockAmi::builder().start().await.unwrap();
    let client = connect(&mock).await;

    let ping = client
        .send(&Ping::new())
        .timeout(Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(ping.ping.as_deref(), Some("Pong"));
    assert!(ping.timestamp.is_some_and(|t| t > 1.0e9), "{ping:?}");

    let s = client.send(&CoreSettings::new()).await.unwrap();
    assert_eq!(s.ami_version.as_deref(), Some("12.0.0"));
    assert_eq!(s.asterisk_version.as_deref(), Some("23.4.1"));
    assert_eq!(s.core_cdr_enabled, Some(true));
    assert_eq!(s.core_max_load_avg, Some(0.0));

    let st = client.send(&CoreStatus::new()).await.unwrap();
    assert_eq!(st.core_current_calls, Some(0));
    assert!(st.core_startup_date.is_some());

    let e = client
        .send(&ExtensionState::new("100", "default"))
        .await
        .unwrap();
    assert_eq!(e.exten.as_deref(), Some("100"));
    assert_eq!(e.state, Some(ExtState::Idle));

    let mc = client
        .send(&MailboxCount::new("100@default"))
        .await
        .unwrap();
    assert_eq!(mc.mailbox.as_deref(), Some("100@default"));
    assert_eq!((mc.new_messages, mc.old_messages), (Some(2), Some(5)));
    let ms = client
        .send(&MailboxStatus::new("100@default"))
        .await
        .unwrap();
    assert_eq!(ms.waiting, Some(1));

    let ev = client.send(&Events::new("off")).await.unwrap();
    assert_eq!(ev.events, Some(false));
    let ch = client.send(&Challenge::new("MD5")).await.unwrap();
    assert!(ch.challenge.as_deref().is_some_and(|c| !c.is_empty()));

    let q = client.send(&QueueRule::new()).await.unwrap();
    assert_eq!((q.rule_lists.len(), q.rules.len()), (1, 1));
    let cats = client.send(&ListCategories::new("sip.conf")).await.unwrap();
    assert_eq!(cats.categories.len(), 1);
    let cfg = client.send(&GetConfig::new("sip.conf")).await.unwrap();
    assert_eq!(cfg.lines.len(), 1);
    let cmds = client.send(&ListCommands::new()).await.unwrap();
    assert_eq!(cmds.commands.len(), 1);
    assert_eq!(cmds.commands[0].0.as_str(), "Ping");

    let p = client
        .send(&PresenceState::new("CustomPresence:100"))
        .await
        .unwrap();
    assert_eq!(p.state.as_deref(), Some("available"));
    let j = client.send(&GetConfigJson::new("sip.conf")).await.unwrap();
    assert!(j.json.as_deref().is_some_and(|v| v.starts_with('{')));
    let mc = client.send(&ModuleCheck::new("chan_iax2")).await.unwrap();
    assert_eq!(mc.version.as_deref(), Some(""));
    let mm = client
        .send(&MixMonitor::new("Local/100@default-0001;1"))
        .await
        .unwrap();
    assert!(mm.mix_monitor_id.is_some());
}

/// Serialize a typed response: its JSON has `name`, `headers` and one key per
/// decoded field, so the key count tells how many fields decoded.
fn decoded_fields<T: serde::Serialize>(typed: &T) -> usize {
    let json = serde_json::to_value(typed).unwrap();
    json.as_object().map_or(0, |o| o.len()) - 2
}

/// Every field the catalog lists decodes from the mock's answer (an example
/// that does not parse as its type would leave its field out).
#[tokio::test]
async fn every_catalog_response_field_decodes_from_the_mock() {
    async fn check<A: Action>(client: &AmiClient, action: A)
    where
        A::Response: serde::Serialize,
    {
        let info = ACTIONS.iter().find(|a| a.name == action.name()).unwrap();
        let typed = client.send(&action).await.unwrap();
        assert!(typed.response().is_success(), "{}", info.name);
        assert_eq!(
            decoded_fields(&typed),
            info.response_fields.len(),
            "{}: {}",
            info.name,
            serde_json::to_string(&typed).unwrap()
        );
    }
    let mock = MockAmi::builder().start().await.unwrap();
    let client = connect(&mock).await;
    check(&client, Ping::new()).await;
    check(&client, CoreSettings::new()).await;
    check(&client, CoreStatus::new()).await;
    check(&client, Getvar::new("X")).await;
    check(&client, ExtensionState::new("100", "default")).await;
    check(&client, MailboxCount::new("100")).await;
    check(&client, MailboxStatus::new("100")).await;
    check(&client, PresenceState::new("CustomPresence:100")).await;
    check(&client, GetConfigJson::new("x.conf")).await;
    check(&client, ModuleCheck::new("x")).await;
    check(&client, MixMonitor::new("Local/1@x-1;1")).await;
    check(&client, QueueRule::new()).await;
    check(&client, ListCategories::new("x.conf")).await;
    check(&client, GetConfig::new("x.conf")).await;
    check(&client, ListCommands::new()).await;
    // SIPshowpeer exists only in 20.20.1.
    let old = MockAmi::builder().release("20.20.1").start().await.unwrap();
    let old_client = connect(&old).await;
    check(&old_client, SiPshowpeer::new("100")).await;
}

/// Every action with a typed response in the catalog is answered by the mock
/// with each of its headers (checked on the raw answer, for all of them).
#[tokio::test]
async fn mock_answer_carries_every_catalog_response_header() {
    let mock = MockAmi::builder().release("20.20.1").start().await.unwrap();
    let client = connect(&mock).await;
    for info in ACTIONS.iter().filter(|a| !a.response_fields.is_empty()) {
        if !info.releases.contains(&"20.20.1") || info.name == "Challenge" {
            continue;
        }
        let mut action = RawAction::new(info.name);
        for p in info.required {
            action = action.header(*p, "x");
        }
        let r: Response = client.send(&action).await.unwrap();
        assert!(r.is_success(), "{}: {:?}", info.name, r.message);
        for h in info.response_fields {
            let present = match *h {
                "*" => r.raw.len() > 2,
                p if p.ends_with('-') => r.raw.headers().any(|x| x.name.starts_with(p)),
                _ => r.get(h).is_some(),
            };
            assert!(present, "{}: {h} missing", info.name);
        }
    }
}

/// The messages of the bytes Asterisk sent in a `.txt` transcript, framed by the
/// client's own decoder.
fn server_messages(rel: &str) -> Vec<Message> {
    let mut buf = BytesMut::from(&capture::server_bytes(rel)[..]);
    let mut decoder = FrameDecoder::new();
    let mut out = Vec::new();
    while let Some(frame) = decoder.decode(&mut buf) {
        if let Ok(Frame::Message(m)) = frame {
            out.push(m);
        }
    }
    out
}

#[test]
fn real_ping_and_challenge_answers_decode() {
    let pings: Vec<PingResponse> = server_messages("asterisk-23.4.1/ami-session.txt")
        .into_iter()
        .filter(|m| m.get("Ping").is_some())
        .map(|m| PingResponse::from_response(Response::from_message(m)))
        .collect();
    assert_eq!(pings.len(), 1);
    assert_eq!(pings[0].ping.as_deref(), Some("Pong"));
    assert!(
        pings[0].timestamp.is_some_and(|t| t > 1.7e9),
        "{:?}",
        pings[0]
    );

    let challenges: Vec<ChallengeResponse> = server_messages("asterisk-23.4.1/ami-md5-login.txt")
        .into_iter()
        .filter(|m| m.get("Challenge").is_some())
        .map(|m| ChallengeResponse::from_response(Response::from_message(m)))
        .collect();
    assert!(!challenges.is_empty());
    for c in &challenges {
        let v = c.challenge.as_deref().unwrap();
        assert!(
            !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
            "{v:?}"
        );
    }
}
