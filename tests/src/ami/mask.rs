//! Event masks: which broadcast events a session receives (the `Events` header of
//! Login and the `Events` action).

/// Privilege classes Asterisk knows, in bit order.
const CLASSES: &[&str] = &[
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
];

/// A set of event classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventMask(u32);

impl EventMask {
    /// Every class.
    pub(crate) const ALL: EventMask = EventMask((1 << CLASSES.len()) - 1);
    /// No event at all.
    pub(crate) const NONE: EventMask = EventMask(0);

    fn bit(class: &str) -> u32 {
        CLASSES
            .iter()
            .position(|c| c.eq_ignore_ascii_case(class.trim()))
            .map(|i| 1 << i)
            .unwrap_or(0)
    }

    /// Parse an `Events`/`EventMask` value: `on`/`yes`/`all`/`true`, `off`/`no`/
    /// `none`/`false`, or a comma-separated class list.
    pub(crate) fn parse(value: &str) -> EventMask {
        let v = value.trim();
        let any = |words: &[&str]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
        if any(&["on", "yes", "all", "true", "1"]) {
            return EventMask::ALL;
        }
        if any(&["off", "no", "none", "false", "0", ""]) {
            return EventMask::NONE;
        }
        EventMask(v.split(',').map(EventMask::bit).fold(0, |a, b| a | b))
    }

    /// Classes named in a `Privilege` header (`all` ignored).
    pub(crate) fn of_privilege(value: &str) -> EventMask {
        EventMask(value.split(',').map(EventMask::bit).fold(0, |a, b| a | b))
    }

    /// Whether nothing is allowed.
    pub(crate) fn is_off(self) -> bool {
        self.0 == 0
    }

    /// Whether an event of `classes` passes this mask: the mask is on and holds
    /// every class of the event.
    pub(crate) fn allows(self, classes: EventMask) -> bool {
        !self.is_off() && classes.0 & !self.0 == 0
    }

    /// Raw bits, for atomic storage.
    pub(crate) fn bits(self) -> u32 {
        self.0
    }

    /// From raw bits.
    pub(crate) fn from_bits(bits: u32) -> EventMask {
        EventMask(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert!(EventMask::parse("on").allows(EventMask::of_privilege("call,all")));
        assert!(!EventMask::parse("off").allows(EventMask::of_privilege("call,all")));
        let agi = EventMask::parse("agi");
        assert!(agi.allows(EventMask::of_privilege("agi,all")));
        assert!(!agi.allows(EventMask::of_privilege("system,all")));
        assert!(agi.allows(EventMask::of_privilege("")));
    }
}
