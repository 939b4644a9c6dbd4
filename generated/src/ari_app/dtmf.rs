//! DTMF collection on a call with a timeout:
//! `call.collect_dtmf(4, Some('#'), Duration::from_secs(10)).await?`.

use super::call::{Call, CallError, CallItem, Waited};
use crate::ari::AriEvent;
use asterisk_sdk_runtime::tasks::deadline_after;
use std::time::Duration;

/// Why [`Call::collect_dtmf`] stopped collecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigitsEnd {
    /// `max_digits` digits were collected.
    MaxDigits,
    /// The terminator was pressed (it is not part of the digits).
    Terminator,
    /// The timeout passed.
    Timeout,
    /// The call ended (`StasisEnd`) first.
    CallEnded,
}

/// Digits collected by [`Call::collect_dtmf`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Digits {
    /// The digits, in the order pressed (without the terminator).
    pub digits: String,
    /// Why collection stopped.
    pub end: DigitsEnd,
}

impl Call {
    /// Collect DTMF digits (`ChannelDtmfReceived`) until `max_digits` are in,
    /// the `terminator` is pressed, `timeout` has passed since this call, or
    /// the call ends, whichever comes first. Digits pressed before this call
    /// and not yet read count (type-ahead); other events stay readable with
    /// [`Call::next_event`].
    pub async fn collect_dtmf(
        &mut self,
        max_digits: usize,
        terminator: Option<char>,
        timeout: Duration,
    ) -> Result<Digits, CallError> {
        let deadline = deadline_after(timeout);
        let mut digits = String::new();
        let end = loop {
            if digits.chars().count() >= max_digits {
                break DigitsEnd::MaxDigits;
            }
            let waited = self
                .wait_for(Some(deadline), false, |item| match item {
                    CallItem::Event(AriEvent::ChannelDtmfReceived(e)) => Some(e.digit.clone()),
                    _ => None,
                })
                .await?;
            match waited {
                Waited::Found(digit) => {
                    let mut chars = digit.chars();
                    match (chars.next(), chars.next(), terminator) {
                        (Some(c), None, Some(t)) if c == t => break DigitsEnd::Terminator,
                        _ => digits.push_str(&digit),
                    }
                }
                Waited::TimedOut => break DigitsEnd::Timeout,
                // Not asked for (`until_reconnected` is false).
                Waited::Reconnected => {}
                Waited::Ended => break DigitsEnd::CallEnded,
            }
        };
        Ok(Digits { digits, end })
    }
}
