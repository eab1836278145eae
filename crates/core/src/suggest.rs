//! "Did you mean": the one rule for suggesting a name close to a mistyped one,
//! used for exercise names, info.toml keys, check kinds and fields, and the items
//! an architecture check names.

/// How alike (Jaro-Winkler, 0 to 1) a candidate must be to count as a typo.
pub const THRESHOLD: f64 = 0.8;

/// The candidate most like `word`, if one is close enough to be a typo of it (and
/// is not `word` itself).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score >= THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_typo_and_nothing_far_or_equal() {
        let names = ["failing", "passing", "program"];
        assert_eq!(closest("failin", names), Some("failing"));
        assert_eq!(closest("pasing", names), Some("passing"));
        assert_eq!(closest("zzz", names), None);
        assert_eq!(closest("failing", ["failing"]), None);
    }
}
