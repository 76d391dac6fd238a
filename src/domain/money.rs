use thiserror::Error;

/// An ISO 4217 currency code and how many minor units it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("currency must be a three-letter ISO 4217 code such as USD")]
pub struct CurrencyError;

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a three-letter code, case-insensitively.
    ///
    /// # Errors
    /// [`CurrencyError`] unless the input is exactly three ASCII letters.
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => {
                Ok(Currency([a.to_ascii_uppercase(), b.to_ascii_uppercase(), c.to_ascii_uppercase()]))
            }
            _ => Err(CurrencyError),
        }
    }

    pub fn code(&self) -> &str {
        // Always three ASCII letters, by construction.
        std::str::from_utf8(&self.0).unwrap_or("USD")
    }

    /// Digits after the decimal point, per ISO 4217. The API takes `amount` in these
    /// minor units (cents for USD).
    pub fn minor_digits(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG" | b"RWF" | b"UGX"
            | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }

    /// How many minor units make one major unit (100 for USD).
    pub fn minor_per_major(&self) -> u64 {
        10u64.pow(self.minor_digits())
    }
}

/// Why a donor's amount entry was not accepted.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AmountError {
    #[error("enter an amount")]
    Empty,
    #[error("enter the amount as a number")]
    NotANumber,
    #[error("too many digits after the decimal separator")]
    TooPrecise,
    #[error("the amount is too large")]
    Overflow,
    #[error("the amount must be more than zero")]
    Zero,
    #[error("the amount is below the minimum of {min} minor units")]
    BelowMinimum { min: u64 },
    #[error("the amount is above the maximum of {max} minor units")]
    AboveMaximum { max: u64 },
}

/// Converts what a donor typed into integer minor units, with exact integer arithmetic.
///
/// `decimal_separator` is the locale's (`.` or `,`). Spaces, no-break spaces,
/// apostrophes and the other of `.`/`,` are taken as digit grouping and ignored,
/// and a leading currency symbol is not accepted (the field shows it).
///
/// ```
/// use sir_donate::domain::{parse_amount, Currency};
/// assert_eq!(parse_amount("25", Currency::USD, '.'), Ok(2500));
/// assert_eq!(parse_amount("1.234,5", Currency::parse("EUR").unwrap(), ','), Ok(123_450));
/// ```
///
/// # Errors
/// See [`AmountError`].
pub fn parse_amount(input: &str, currency: Currency, decimal_separator: char) -> Result<u64, AmountError> {
    let group_separator = if decimal_separator == ',' { '.' } else { ',' };
    let text = input.trim();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut major: u64 = 0;
    let mut fraction: u64 = 0;
    let mut fraction_digits: u32 = 0;
    let mut seen_digit = false;
    let mut in_fraction = false;
    for c in text.chars() {
        if c == decimal_separator {
            if in_fraction {
                return Err(AmountError::NotANumber);
            }
            in_fraction = true;
        } else if let Some(digit) = c.to_digit(10) {
            seen_digit = true;
            if in_fraction {
                fraction_digits += 1;
                if fraction_digits > currency.minor_digits() {
                    // "25.50" with a trailing zero is still exact; "25.505" is not.
                    if digit != 0 {
                        return Err(AmountError::TooPrecise);
                    }
                    continue;
                }
                fraction = fraction * 10 + u64::from(digit);
            } else {
                major =
                    major.checked_mul(10).and_then(|m| m.checked_add(u64::from(digit))).ok_or(AmountError::Overflow)?;
            }
        } else if !in_fraction && (c == group_separator || matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')) {
            continue;
        } else {
            return Err(AmountError::NotANumber);
        }
    }
    if !seen_digit {
        return Err(AmountError::NotANumber);
    }
    let used_digits = fraction_digits.min(currency.minor_digits());
    let fraction_minor = fraction * 10u64.pow(currency.minor_digits() - used_digits);
    let total = major
        .checked_mul(currency.minor_per_major())
        .and_then(|m| m.checked_add(fraction_minor))
        .ok_or(AmountError::Overflow)?;
    // The API takes a JSON integer; stay within what JavaScript represents exactly.
    if total > (1u64 << 53) {
        return Err(AmountError::Overflow);
    }
    if total == 0 {
        return Err(AmountError::Zero);
    }
    Ok(total)
}

/// A tip of `percent` on `amount` minor units, rounded half up, in integers only.
///
/// ```
/// assert_eq!(sir_donate::domain::tip_minor(2500, 10), 250);
/// assert_eq!(sir_donate::domain::tip_minor(1234, 15), 185); // 185.1
/// ```
pub fn tip_minor(amount: u64, percent: u32) -> u64 {
    amount.saturating_mul(u64::from(percent)).saturating_add(50) / 100
}
