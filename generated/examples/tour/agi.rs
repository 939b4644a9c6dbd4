//! The AGI part of the tour: a small IVR on a FastAGI server (answer, play,
//! collect digits, set a variable, hang up), driven by the mock AGI driver or by a
//! real Asterisk; then one AsyncAGI exchange over AMI.

use crate::ami::Ami;
use crate::support::settings::Settings;
use crate::{step, support};
use asterisk_sdk::agi::{
    AgiChannel, AgiCommands, AgiError, AgiRequest, AmiAsyncAgi, FastAgiServer, ServerConfig,
};
use asterisk_sdk_mock::agi::MockAgi;
use std::time::Duration;
use tokio::sync::mpsc;

/// Run both AGI parts.
pub async fn tour(settings: &Settings, ami: &Ami) -> support::Result<()> {
    fast_agi(settings).await?;
    async_agi(settings, ami).await
}

/// What the IVR collected, reported back to the tour.
type Summary = Result<String, String>;

/// The IVR: answer, play a prompt, collect up to 4 digits, store them, hang up.
async fn ivr(
    request: AgiRequest,
    mut channel: AgiChannel,
    done: mpsc::UnboundedSender<Summary>,
) -> Result<(), AgiError> {
    let result = async {
        step(
            "agi",
            format!(
                "session on {} (script {:?}, caller {:?})",
                request.channel, request.script, request.caller_id
            ),
        );
        channel.answer().await?;
        step("agi", "ANSWER -> ok");
        let played = channel.stream_file("hello-world", "#", None).await?;
        step(
            "agi",
            format!(
                "STREAM FILE hello-world -> digit {:?}, endpos {}",
                played.digit, played.endpos
            ),
        );
        let input = channel.get_data("beep", Some(5000), Some(4)).await?;
        step(
            "agi",
            format!(
                "GET DATA beep -> digits {:?} (timed out: {})",
                input.digits, input.timed_out
            ),
        );
        channel.set_variable("TOUR_DIGITS", &input.digits).await?;
        step("agi", format!("SET VARIABLE TOUR_DIGITS {}", input.digits));
        channel.hangup(None).await?;
        step("agi", "HANGUP -> ok");
        Ok::<String, AgiError>(input.digits)
    }
    .await;
    let summary = match &result {
        Ok(d) => Ok(d.clone()),
        Err(e) => Err(e.to_string()),
    };
    let _ = done.send(summary);
    result.map(|_| ())
}

async fn fast_agi(settings: &Settings) -> support::Result<()> {
    let listener = support::agi::listener(settings).await?;
    let server = FastAgiServer::from_listener(listener, ServerConfig::default());
    let addr = server.local_addr()?;
    let shutdown = server.shutdown_handle();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let serving =
        tokio::spawn(server.serve(move |request, channel| ivr(request, channel, tx.clone())));
    step("agi", format!("FastAGI server listening on {addr}"));

    let script = MockAgi::new()
        .env("agi_callerid", "1000")
        .expect("ANSWER", "200 result=0")
        .expect("STREAM FILE hello-world #", "200 result=0 endpos=11234")
        .expect("GET DATA beep 5000 4", "200 result=1234")
        .expect("SET VARIABLE TOUR_DIGITS 1234", "200 result=1")
        .expect("HANGUP", "200 result=1")
        .send_hangup()
        .close();
    let caller = support::agi::call(settings, addr, "tour?lang=en", script).await?;

    let summary = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .map_err(|_| "no AGI session within 60 s")?
        .ok_or("the FastAGI server stopped")?;
    step("agi", caller.finish().await?);
    let digits = summary.map_err(|e| format!("IVR failed: {e}"))?;
    step("agi", format!("IVR done, collected {digits:?}"));
    shutdown.shutdown();
    serving.await??;
    Ok(())
}

async fn async_agi(settings: &Settings, ami: &Ami) -> support::Result<()> {
    let agi = AmiAsyncAgi::new(ami.client.clone());
    let mut sessions = agi.sessions();
    let started = ami
        .server
        .start_async_agi_call(&ami.client, &settings.dial)
        .await?;
    step("asyncagi", started);
    let mut session = tokio::time::timeout(Duration::from_secs(30), sessions.next())
        .await
        .map_err(|_| "no AsyncAGIStart within 30 s")?
        .ok_or("the AMI event stream ended")??;
    step(
        "asyncagi",
        format!("AsyncAGIStart on {}", session.request.channel),
    );
    session.channel.answer().await?;
    step("asyncagi", "ANSWER over Action: AGI -> ok");
    let name = session.channel.get_variable("CHANNEL(name)").await?;
    step(
        "asyncagi",
        format!("GET VARIABLE CHANNEL(name) -> {name:?}"),
    );
    session.channel.asyncagi_break().await?;
    step("asyncagi", "ASYNCAGI BREAK -> back to the dialplan");
    Ok(())
}
