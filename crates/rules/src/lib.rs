//! **sir-rules**: the validation rules the widget (in the browser) and the servers must
//! agree on, in one place with one test table.
//!
//! No dependencies and nothing generic: the widget's wasm carries exactly this code, so
//! sharing it costs no bytes there.

/// The longest email address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Text fit to store and show: no control characters (a NUL byte alone makes PostgreSQL
/// refuse a row; others garble logs).
///
/// ```
/// assert!(sir_rules::plain_text("Water.org"));
/// assert!(!sir_rules::plain_text("me\u{0}@example.com"));
/// ```
pub fn plain_text(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// A deliberately simple email check: one `@`, a non-empty local part, a dotted domain
/// without empty labels at its ends or in its middle, no whitespace or control
/// characters, at most 254 characters. Real validation is the mail provider's job; this
/// catches typos.
///
/// ```
/// assert!(sir_rules::well_formed_email("jane@example.com"));
/// assert!(!sir_rules::well_formed_email("jane@example..com"));
/// ```
pub fn well_formed_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let cases = [
            ("jane@example.com", true),
            ("a.b+c@mail.example.org", true),
            ("x@y.co", true),
            ("", false),
            ("jane", false),
            ("@example.com", false),
            ("jane@", false),
            ("jane@example", false),
            ("jane@.example.com", false),
            ("jane@example.com.", false),
            ("jane@example..com", false),
            ("jane@@example.com", false),
            ("ja@ne@example.com", false),
            ("ja ne@example.com", false),
            ("jane@exa\tmple.com", false),
            (" jane@example.com", false),
            ("ja\u{0}ne@example.com", false),
            ("jane@exam\u{7f}ple.com", false),
        ];
        for (email, expected) in cases {
            assert_eq!(well_formed_email(email), expected, "{email:?}");
        }
        let longest = format!("{}@example.com", "a".repeat(MAX_EMAIL_CHARS - 12));
        assert!(well_formed_email(&longest));
        assert!(!well_formed_email(&format!("a{longest}")));
    }
}
