//! "Did you mean" suggestions for typos in field names, enum values and config keys.

const MAX_WORD: usize = 256;
const MAX_CANDIDATES: usize = 200;

/// At most `max` items joined with `, `, then "and N more": a list in a message stays short
/// whatever the input (the fields of a record of 4000 fields).
pub fn short_list(items: &[&str], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // A suggestion is for a typo of a name: a huge "word" is not one, and comparing it costs
    // its length squared per candidate (a 1 MB key took 1.8 s).
    if word.len() > MAX_WORD {
        return None;
    }
    let word_lower = word.to_ascii_lowercase();
    let len = word.chars().count();
    candidates
        .into_iter()
        // A score of 0.7 needs lengths within 30% of each other: skip the rest cheaply, and
        // look at a bounded number of candidates (a record of 4000 fields, once per path).
        .filter(|c| {
            let n = c.chars().count();
            n.abs_diff(len) * 10 <= 3 * n.max(len)
        })
        .take(MAX_CANDIDATES)
        .map(|c| {
            let score =
                strsim::normalized_damerau_levenshtein(&word_lower, &c.to_ascii_lowercase());
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.7)
        // Highest score wins; ties go to the alphabetically first candidate for determinism.
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["name", "partitions", "replicas", "config"];
        assert_eq!(did_you_mean("partitons", fields), Some("partitions"));
        assert_eq!(did_you_mean("replica", fields), Some("replicas"));
        assert_eq!(did_you_mean("colour", fields), None);
        assert_eq!(did_you_mean(&"x".repeat(1 << 20), fields), None);
        let many: Vec<&str> = (0..30).map(|_| "f").collect();
        assert_eq!(short_list(&many, 3), "f, f, f and 27 more");
    }
}
