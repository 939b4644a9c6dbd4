//! The generated ARI route catalog: sorted and unique, every path placeholder a
//! required path parameter, and routes agreeing with what the typed client sends.
#![cfg(feature = "ari")]

use asterisk_sdk::ari::AriClient;
use asterisk_sdk::ari::catalog::OPERATIONS;
use asterisk_sdk::runtime::ari::{AriTransport, TransportError, TransportFuture};

/// A transport the catalog tests never send through (they only build requests).
struct Unused;

impl AriTransport for Unused {
    fn send(&self, _request: asterisk_sdk::ari::AriRequest) -> TransportFuture<'_> {
        Box::pin(async { Err(TransportError::Disconnected) })
    }
}

#[test]
fn sorted_unique_and_placeholders_are_required_path_params() {
    let keys: Vec<_> = OPERATIONS
        .iter()
        .map(|o| (o.resource, o.path, o.method))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    for op in OPERATIONS {
        assert!(!op.releases.is_empty(), "{} has releases", op.nickname);
        for part in op.path.split('/') {
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let p = op.params.iter().find(|p| p.name == name);
                assert!(
                    p.is_some_and(|p| p.location == "path" && p.required),
                    "{} {}: {name}",
                    op.method,
                    op.path
                );
            }
        }
        for p in op.params {
            assert!(
                p.releases.iter().all(|r| op.releases.contains(r)),
                "{}.{} releases",
                op.nickname,
                p.name
            );
        }
    }
}

#[test]
fn typed_requests_follow_the_catalog_routes() {
    let client = AriClient::new(Unused);
    let find = |resource: &str, nickname: &str| {
        OPERATIONS
            .iter()
            .find(|o| o.resource == resource && o.nickname == nickname)
            .unwrap_or_else(|| panic!("{resource}.{nickname} in the catalog"))
    };
    let play = client.channel("c1").play("sound:hello-world").request();
    let op = find("channels", "play");
    assert_eq!(op.method, play.method);
    assert_eq!(op.path.replace("{channelId}", "c1"), play.path);
    let media = op.params.iter().find(|p| p.name == "media").expect("media");
    assert_eq!((media.location, media.required), ("query", true));

    let create = client.bridges().create().request();
    let op = find("bridges", "create");
    assert_eq!((op.method, op.path), (create.method, create.path.as_str()));
}
