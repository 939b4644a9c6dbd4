//! The AGI part of the tour: a small IVR on a FastAGI server (answer, play,
//! collect digits, set a variable, hang up), driven by the mock AGI driver or by a
//! real Asterisk; then one AsyncAGI exchange over AMI.

use crate::ami::Ami;
use crate::settings::Settings;
use crate::{TourResult, step};
use asterisk_sdk::agi::{
    AgiChannel, AgiCommands, AgiError, AgiRequest, AmiAsyncAgi, FastAgiServer, ServerConfig,
};
use asterisk_sdk::ami::actions::Originate;
use asterisk_sdk_mock::agi::MockAgi;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Run both AGI parts.
pub async fn tour(settings: &Settings, ami: &Ami) -> TourResult<()> {
    fast_agi(settings, ami).await?;
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

async fn bind(settings: &Settings) -> TourResult<TcpListener> {
    match TcpListener::bind(&settings.agi_bind).await {
        Ok(l) => Ok(l),
        Err(e) if !settings.agi_bind_explicit && !settings.real() => {
            step(
                "agi",
                format!(
                    "{} is busy ({e}); using a free port for the mock",
                    settings.agi_bind
                ),
            );
            Ok(TcpListener::bind("127.0.0.1:0").await?)
        }
        Err(e) => Err(format!("cannot listen on {}: {e}", settings.agi_bind).into()),
    }
}

async fn fast_agi(settings: &Settings, ami: &Ami) -> TourResult<()> {
    let listener = bind(settings).await?;
    let server = FastAgiServer::from_listener(listener, ServerConfig::default());
    let addr = server.local_addr()?;
    let shutdown = server.shutdown_handle();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let serving =
        tokio::spawn(server.serve(move |request, channel| ivr(request, channel, tx.clone())));
    step("agi", format!("FastAGI server listening on {addr}"));

    let driver = if settings.real() {
        let data = format!("agi://{addr}/tour");
        let originate = Originate::new(&settings.dial)
            .application("AGI")
            .data(&data)
            .async_(true);
        ami.client.send(&originate).await?.into_result()?;
        step("agi", format!("Originate {} -> AGI({data})", settings.dial));
        None
    } else {
        let mock = MockAgi::new()
            .script_path("tour?lang=en")
            .env("agi_callerid", "1000")
            .expect("ANSWER", "200 result=0")
            .expect("STREAM FILE hello-world #", "200 result=0 endpos=11234")
            .expect("GET DATA beep 5000 4", "200 result=1234")
            .expect("SET VARIABLE TOUR_DIGITS 1234", "200 result=1")
            .expect("HANGUP", "200 result=1")
            .send_hangup()
            .close();
        step(
            "agi",
            "mock Asterisk calls the server (agi://…/tour?lang=en)",
        );
        Some(tokio::spawn(mock.run(addr)))
    };

    let summary = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .map_err(|_| "no AGI session within 60 s")?
        .ok_or("the FastAGI server stopped")?;
    if let Some(d) = driver {
        let report = d.await??;
        if !report.mismatches.is_empty() {
            return Err(format!("commands differ from the script: {:?}", report.mismatches).into());
        }
        step(
            "agi",
            format!(
                "mock saw {} commands, all as scripted",
                report.commands.len()
            ),
        );
    }
    let digits = summary.map_err(|e| format!("IVR failed: {e}"))?;
    step("agi", format!("IVR done, collected {digits:?}"));
    shutdown.shutdown();
    serving.await??;
    Ok(())
}

async fn async_agi(settings: &Settings, ami: &Ami) -> TourResult<()> {
    let agi = AmiAsyncAgi::new(ami.client.clone());
    let mut sessions = agi.sessions();
    if let Some(mock) = &ami.mock {
        let channel = "Local/500@asyncagi-00000001;2";
        mock.set_agi_result(
            "GET VARIABLE",
            "200 result=1 (Local/500@asyncagi-00000001;2)",
        );
        mock.start_async_agi(
            channel,
            &[
                ("agi_request", "async"),
                ("agi_channel", channel),
                ("agi_priority", "2"),
            ],
        )
        .await;
    } else {
        let originate = Originate::new(&settings.dial)
            .application("AGI")
            .data("agi:async")
            .async_(true);
        ami.client.send(&originate).await?.into_result()?;
        step(
            "asyncagi",
            format!("Originate {} -> AGI(agi:async)", settings.dial),
        );
    }
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
