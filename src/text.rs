//! Plain-text number formatting shared by every layer: the scenario's diagnostics and the
//! reports group digits the same way. Nothing here knows Lync.

/// An integer with a comma between groups of three digits: `12,000`.
pub fn group_digits(n: u64) -> String {
    group(&n.to_string())
}

/// Digits with a comma between groups of three, from the right.
pub fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three_from_the_right() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(12_000), "12,000");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(group_digits(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(group("1234"), "1,234");
    }
}
