//! The default environment of the mock AGI driver, shaped like a real capture.

/// An environment in Asterisk's order, as a FastAGI call on a Local channel sends it.
pub fn default_environment() -> Vec<(String, String)> {
    [
        ("agi_network", "yes"),
        ("agi_network_script", "test"),
        ("agi_request", "agi://127.0.0.1:4573/test"),
        ("agi_channel", "Local/200@agi-test-00000001;2"),
        ("agi_language", "en"),
        ("agi_type", "Local"),
        ("agi_uniqueid", "1700000000.1"),
        ("agi_version", "23.4.1"),
        ("agi_callerid", "unknown"),
        ("agi_calleridname", "unknown"),
        ("agi_callingpres", "67"),
        ("agi_callingani2", "0"),
        ("agi_callington", "0"),
        ("agi_callingtns", "0"),
        ("agi_dnid", "unknown"),
        ("agi_rdnis", "unknown"),
        ("agi_context", "agi-test"),
        ("agi_extension", "200"),
        ("agi_priority", "1"),
        ("agi_enhanced", "0.0"),
        ("agi_accountcode", ""),
        ("agi_threadid", "140000000000000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
