//! Release tags: parsing and ordering (`20.20.1` < `21.12.3` < `22.10.1` < `23.4.1`).

use std::cmp::Ordering;

/// Numeric components of a tag like `23.4.1` (non-numeric parts compare as 0).
pub fn version_key(tag: &str) -> Vec<u64> {
    tag.split(['.', '-'])
        .map(|p| p.parse::<u64>().unwrap_or(0))
        .collect()
}

/// Compare two release tags by version.
pub fn compare(a: &str, b: &str) -> Ordering {
    version_key(a).cmp(&version_key(b)).then_with(|| a.cmp(b))
}

/// Sort tags oldest first.
pub fn sort_tags(tags: &mut [String]) {
    tags.sort_by(|a, b| compare(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_numerically() {
        let mut t = vec![
            "23.4.1".to_string(),
            "20.20.1".into(),
            "21.12.3".into(),
            "22.10.1".into(),
        ];
        sort_tags(&mut t);
        assert_eq!(t, ["20.20.1", "21.12.3", "22.10.1", "23.4.1"]);
        assert_eq!(compare("9.0.0", "10.0.0"), Ordering::Less);
    }
}
