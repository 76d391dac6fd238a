#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
//! Native table tests of the pure donation logic and the API error mapping.

use sir_donate::api::{ApiError, Endpoint, ErrorBody};
use sir_donate::domain::{
    AmountError, Analytics, Attribution, Currency, DonationStatus, Environment, Frequency, IMPACT_MAX_CHARS, KeyError,
    OptionError, Prefill, PublishableKey, RawOptions, WidgetOptions, attribution_value_ok, check_https_or_loopback,
    major_units, parse_amount, parse_retry_after, plain_amount, validate_email,
};
use sir_donate::i18n;

#[test]
fn keys_are_parsed_into_environments_and_secret_keys_refused() {
    let cases: &[(&str, Result<Environment, KeyError>)] = &[
        ("pk_test_abc123", Ok(Environment::Sandbox)),
        ("pk_live_abc123", Ok(Environment::Production)),
        ("  pk_test_abc123  ", Ok(Environment::Sandbox)),
        ("sk_test_abc123", Err(KeyError::Secret)),
        ("sk_live_abc123", Err(KeyError::Secret)),
        ("sk_anything", Err(KeyError::Secret)),
        ("pk_test_", Err(KeyError::Invalid)),
        ("pk_prod_abc", Err(KeyError::Invalid)),
        ("PK_TEST_abc", Err(KeyError::Invalid)),
        ("pk_test_abc\r\nX-Evil: 1", Err(KeyError::Invalid)),
        ("", Err(KeyError::Invalid)),
        ("rk_test_abc", Err(KeyError::Invalid)),
    ];
    for (input, expected) in cases {
        let got = PublishableKey::parse(input).map(|k| k.environment());
        assert_eq!(&got, expected, "key {input:?}");
    }
}

#[test]
fn a_refused_secret_key_never_appears_in_the_error() {
    let secret = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
    let error = ApiError::from(PublishableKey::parse(secret).unwrap_err());
    assert_eq!(error.code(), "secret_key_refused");
    assert!(!error.to_string().contains("c324ca5b"));
    assert!(!format!("{error:?}").contains("c324ca5b"));
}

#[test]
fn environments_document_their_hosts() {
    assert_eq!(Environment::Sandbox.default_api_base(), "https://devapi.sirgiving.org");
    assert_eq!(Environment::Production.default_api_base(), "https://api.sirgiving.org");
}

#[test]
fn amounts_convert_to_minor_units_exactly() {
    let usd = Currency::USD;
    let jpy = Currency::parse("jpy").unwrap();
    let kwd = Currency::parse("KWD").unwrap();
    let cases: &[(&str, Currency, char, Result<u64, AmountError>)] = &[
        ("25", usd, '.', Ok(2500)),
        ("25.5", usd, '.', Ok(2550)),
        ("25.50", usd, '.', Ok(2550)),
        ("25.500", usd, '.', Ok(2550)),
        ("0.01", usd, '.', Ok(1)),
        (".5", usd, '.', Ok(50)),
        ("1,234.56", usd, '.', Ok(123_456)),
        ("1 234,56", usd, ',', Ok(123_456)),
        ("1.234,56", usd, ',', Ok(123_456)),
        ("12,5", usd, ',', Ok(1250)),
        ("1\u{a0}000", usd, ',', Ok(100_000)),
        ("0.1", usd, '.', Ok(10)),
        ("0.29", usd, '.', Ok(29)), // 0.29 * 100 is 28.999… in floats
        ("1000", jpy, '.', Ok(1000)),
        ("10.5", jpy, '.', Err(AmountError::TooPrecise)),
        ("1.234", kwd, '.', Ok(1234)),
        ("25.505", usd, '.', Err(AmountError::TooPrecise)),
        ("", usd, '.', Err(AmountError::Empty)),
        ("   ", usd, '.', Err(AmountError::Empty)),
        ("abc", usd, '.', Err(AmountError::NotANumber)),
        ("$25", usd, '.', Err(AmountError::NotANumber)),
        ("-5", usd, '.', Err(AmountError::NotANumber)),
        ("1e3", usd, '.', Err(AmountError::NotANumber)),
        ("2.5.0", usd, '.', Err(AmountError::NotANumber)),
        (".", usd, '.', Err(AmountError::NotANumber)),
        ("0", usd, '.', Err(AmountError::Zero)),
        ("0.00", usd, '.', Err(AmountError::Zero)),
        ("99999999999999999999999", usd, '.', Err(AmountError::Overflow)),
        ("90071992547409.93", usd, '.', Err(AmountError::Overflow)),
        ("90071992547409.92", usd, '.', Ok(9_007_199_254_740_992)),
    ];
    for (input, currency, separator, expected) in cases {
        assert_eq!(&parse_amount(input, *currency, *separator), expected, "amount {input:?} {}", currency.code());
    }
}

#[test]
fn only_https_or_loopback_http_links_are_followed() {
    let safe = [
        "https://checkout.stripe.com/c/pay/abc",
        "https://www.every.org/donate?x=1",
        "HTTPS://EXAMPLE.ORG/",
        "http://127.0.0.1:8787/checkout/abc",
        "http://127.1.2.3/checkout",
        "http://localhost:8787/checkout/abc",
        "http://[::1]:8787/checkout/abc",
    ];
    let unsafe_links = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://evil.example/pay",
        "http://127.0.0.1.evil.example/",
        "http://127.0.0.1@evil.example/",
        "http://localhost.evil.example/",
        "https://",
        "//evil.example/pay",
        "/checkout/abc",
        "https://exa mple.org/",
        "https://example.org/\n",
        "",
    ];
    for link in safe {
        assert!(check_https_or_loopback(link).is_ok(), "{link} should be accepted");
    }
    for link in unsafe_links {
        assert!(check_https_or_loopback(link).is_err(), "{link:?} should be refused");
    }
}

#[test]
fn retry_after_reads_seconds_and_http_dates_with_a_clamp() {
    let now = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
    assert_eq!(parse_retry_after("2", now, 60), Some(2));
    assert_eq!(parse_retry_after(" 0 ", now, 60), Some(0));
    assert_eq!(parse_retry_after("3600", now, 60), Some(60));
    assert_eq!(parse_retry_after("99999999999999999999", now, 60), Some(60));
    assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now, 60), Some(10));
    assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now, 60), Some(0));
    assert_eq!(parse_retry_after("Mon, 07 Nov 1994 08:49:37 GMT", now, 60), Some(60));
    assert_eq!(parse_retry_after("soon", now, 60), None);
    assert_eq!(parse_retry_after("-1", now, 60), None);
    assert_eq!(parse_retry_after("", now, 60), None);
}

/// An error body with these `code` and `message` fields, as `ErrorBody::parse` reads
/// them (that JSON reading runs in the browser: `tests/web.rs`).
fn body(code: Option<&str>, message: Option<&str>) -> ErrorBody {
    ErrorBody { code: code.map(str::to_owned), message: message.map(str::to_owned) }
}

#[test]
fn http_failures_map_to_stable_codes() {
    use Endpoint::*;
    let cases: &[(Endpoint, u16, Option<&str>, &str, bool)] = &[
        (Config, 401, Some("UNAUTHORIZED"), "unauthorized", false),
        (Config, 403, None, "forbidden", false),
        (Organization, 404, Some("ORGANIZATION_NOT_FOUND"), "organization_not_found", false),
        (Organization, 404, None, "organization_not_found", false),
        (Status, 404, None, "donation_not_found", false),
        (CreateLink, 422, Some("ORGANIZATION_INACTIVE"), "organization_inactive", false),
        (CreateLink, 403, Some("donations_disabled"), "donations_disabled", false),
        (CreateLink, 403, Some("PARTNER_INACTIVE"), "donations_disabled", false),
        (CreateLink, 400, None, "invalid_request", false),
        (CreateLink, 429, None, "rate_limited", true),
        (Config, 500, None, "server_error", true),
        (Status, 503, None, "server_error", true),
    ];
    for (endpoint, status, code, expected, retryable) in cases {
        let error = ApiError::from_response(*endpoint, *status, &body(*code, None), None);
        assert_eq!(error.code(), *expected, "{endpoint:?} {status} {code:?}");
        assert_eq!(error.retryable(), *retryable, "{endpoint:?} {status}");
    }
}

#[test]
fn invalid_request_carries_the_servers_message_as_plain_text() {
    assert_eq!(
        ApiError::from_response(Endpoint::CreateLink, 400, &body(None, Some("amount must be positive")), None),
        ApiError::InvalidRequest("amount must be positive".into())
    );
    assert_eq!(
        ApiError::from_response(Endpoint::CreateLink, 418, &body(None, None), None),
        ApiError::InvalidRequest("HTTP 418".into())
    );
    let rate_limited = ApiError::from_response(Endpoint::CreateLink, 429, &body(None, None), Some(7));
    assert_eq!(rate_limited, ApiError::RateLimited { retry_after_secs: Some(7) });
    assert!(rate_limited.to_string().contains("7 seconds"));
    // What the donor reads is i18n's, in their language.
    assert_eq!((i18n::EN.error)(&rate_limited), "Lots of people are giving right now. Please try again in 7 seconds.");
    assert!((i18n::FR.error)(&rate_limited).starts_with("Beaucoup de personnes donnent"));
    assert_eq!(
        (i18n::EN.error)(&ApiError::InvalidRequest("amount must be positive".into())),
        "The donation couldn't be created: amount must be positive"
    );
}

#[test]
fn unknown_donation_statuses_read_as_processing() {
    let cases = [
        ("pending", DonationStatus::Pending),
        ("COMPLETED", DonationStatus::Completed),
        ("paid", DonationStatus::Completed),
        ("canceled", DonationStatus::Cancelled),
        ("failed", DonationStatus::Failed),
        ("expired", DonationStatus::Expired),
        ("reward_queued", DonationStatus::Processing),
        ("", DonationStatus::Processing),
    ];
    for (text, status) in cases {
        assert_eq!(DonationStatus::from_api(text), status, "{text:?}");
    }
    assert!(DonationStatus::Completed.is_terminal());
    assert!(!DonationStatus::Processing.is_terminal());
}

#[test]
fn emails_are_trimmed_then_checked_by_the_shared_rule() {
    // The rule itself is tabled in crates/rules; the widget only forgives the spaces around it.
    assert!(validate_email(" jane@example.com "));
    assert!(!validate_email("ja ne@example.com") && !validate_email("jane@example..com"));
}

fn options(pairs: &[(&str, &str)]) -> Result<WidgetOptions, OptionError> {
    let raw: RawOptions = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    WidgetOptions::from_raw(&raw)
}

#[test]
fn options_default_sensibly() {
    let o = options(&[("key", "pk_test_x"), ("org", "american-red-cross")]).unwrap();
    assert_eq!(o.organizations, ["american-red-cross"]);
    assert_eq!(o.amounts.currency, Currency::USD);
    assert_eq!(o.amounts.presets, [1000, 2500, 5000, 10000]);
    assert_eq!(o.amounts.default, Some(2500));
    assert_eq!(o.frequency, Frequency::Once);
    assert!(!o.lock_frequency);
}

#[test]
fn options_are_validated_and_name_the_bad_one() {
    let o = options(&[
        ("key", "pk_test_x"),
        ("org", "a-b, c-d"),
        ("amounts", "5, 12.50,20"),
        ("amount", "12.5"),
        ("min", "2"),
        ("max", "500"),
        ("currency", "eur"),
        ("frequency", "monthly"),
        ("lockFrequency", ""),
    ])
    .unwrap();
    assert_eq!(o.organizations, ["a-b", "c-d"]);
    assert_eq!(o.amounts.presets, [500, 1250, 2000]);
    assert_eq!(o.amounts.default, Some(1250));
    assert_eq!((o.amounts.min, o.amounts.max), (200, 50_000));
    assert_eq!(o.amounts.currency.code(), "EUR");
    assert_eq!(o.frequency, Frequency::Monthly);
    assert!(o.lock_frequency);

    let bad: &[(&[(&str, &str)], &str)] = &[
        (&[("org", "x"), ("colour", "red")], "colour"),
        (&[("key", "pk_test_x")], "org"),
        (&[("org", "Red Cross!")], "org"),
        (&[("org", "x"), ("amounts", "10,abc")], "amounts"),
        (&[("org", "x"), ("amount", "-1")], "amount"),
        (&[("org", "x"), ("min", "50"), ("max", "10")], "min"),
        (&[("org", "x"), ("max", "10"), ("amount", "20")], "amount"),
        (&[("org", "x"), ("currency", "dollars")], "currency"),
        (&[("org", "x"), ("frequency", "weekly")], "frequency"),
        (&[("org", "x"), ("lockFrequency", "maybe")], "lockFrequency"),
        (&[("org", "x"), ("partnerEndpoint", "http://partner.example")], "partnerEndpoint"),
        (&[("org", "x"), ("partnerEndpoint", "javascript:alert(1)")], "partnerEndpoint"),
        (&[("org", "x"), ("theme", "purple")], "theme"),
        (&[("org", "x"), ("requiredFields", "email,phone")], "requiredFields"),
        (&[("org", "x"), ("lockAmount", "yes")], "lockAmount"),
        (&[("org", "x"), ("mode", "modal")], "mode"),
        (&[("org", "x"), ("target", "_blank")], "target"),
    ];
    for (pairs, option) in bad {
        assert_eq!(options(pairs).unwrap_err().option, *option, "{pairs:?}");
    }
}

#[test]
fn publishable_key_is_another_name_for_key() {
    let alias = options(&[("publishableKey", "pk_test_x"), ("org", "water-org")]).unwrap();
    assert_eq!(alias.key, "pk_test_x");
    let both = options(&[("key", "pk_test_x"), ("publishableKey", "pk_test_x"), ("org", "water-org")]).unwrap();
    assert_eq!(both.key, "pk_test_x");
    let differ = options(&[("key", "pk_test_x"), ("publishableKey", "pk_test_y"), ("org", "water-org")]);
    assert_eq!(differ.unwrap_err().option, "publishableKey");

    // Folded into `key`, so that a later change under either name replaces it.
    let mut raw: RawOptions = [("publishableKey", "pk_test_x"), ("org", "water-org")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    raw.fold_key_alias().unwrap();
    assert_eq!(raw.get("key").map(String::as_str), Some("pk_test_x"));
    assert_eq!(raw.get("publishableKey"), None);
    raw.extend([("key".to_owned(), "pk_test_y".to_owned())]);
    assert_eq!(WidgetOptions::from_raw(&raw).unwrap().key, "pk_test_y");
}

#[test]
fn campaign_options_are_checked_and_default_sensibly() {
    let plain = options(&[("org", "water-org")]).unwrap();
    assert!(plain.attribution && !plain.url_prefill);
    assert_eq!((plain.analytics, plain.goal, plain.campaign.as_deref()), (Analytics::Off, None, None));
    assert!(plain.impact.is_empty());

    let o = options(&[
        ("org", "water-org"),
        ("partnerEndpoint", "https://partner.example/api"),
        ("attribution", "false"),
        ("campaign", "spring_2026-a"),
        ("analytics", "datalayer"),
        ("impact", "25: A week of clean water | 50.50:  A month: of school meals |"),
        ("urlPrefill", ""),
        ("goal", "5000"),
    ])
    .unwrap();
    assert!(!o.attribution && o.url_prefill);
    assert_eq!(
        (o.analytics, o.goal, o.campaign.as_deref()),
        (Analytics::DataLayer, Some(500_000), Some("spring_2026-a"))
    );
    assert_eq!(o.impact, [(2500, "A week of clean water".to_owned()), (5050, "A month: of school meals".to_owned())]);
    assert_eq!(options(&[("org", "x"), ("analytics", "gtag")]).unwrap().analytics, Analytics::Gtag);

    let long = format!("25: {}", "x".repeat(IMPACT_MAX_CHARS + 1));
    let bad: &[(&[(&str, &str)], &str)] = &[
        (&[("org", "x"), ("attribution", "maybe")], "attribution"),
        (&[("org", "x"), ("campaign", "spring 2026")], "campaign"),
        (&[("org", "x"), ("campaign", &"c".repeat(65))], "campaign"),
        (&[("org", "x"), ("analytics", "segment")], "analytics"),
        (&[("org", "x"), ("impact", "A week of clean water")], "impact"),
        (&[("org", "x"), ("impact", "ten: A week")], "impact"),
        (&[("org", "x"), ("impact", "25:")], "impact"),
        (&[("org", "x"), ("impact", "25: a | 25.00: b")], "impact"),
        (&[("org", "x"), ("impact", "25: two\nlines")], "impact"),
        (&[("org", "x"), ("impact", &long)], "impact"),
        (&[("org", "x"), ("urlPrefill", "sometimes")], "urlPrefill"),
        (&[("org", "x"), ("goal", "5000")], "goal"),
        (&[("org", "x"), ("partnerEndpoint", "https://p.example"), ("goal", "lots")], "goal"),
    ];
    for (pairs, option) in bad {
        assert_eq!(options(pairs).unwrap_err().option, *option, "{pairs:?}");
    }
}

#[test]
fn attribution_keeps_what_the_partner_server_accepts() {
    let long = "a".repeat(201);
    let params = [
        ("utm_source", "newsletter"),
        ("utm_source", "second-one-ignored"),
        ("utm_medium", "email"),
        ("utm_campaign", "=HYPERLINK(\"x\")"), // a spreadsheet formula
        ("utm_term", "two words"),             // a space: not what a URL value carries
        ("utm_content", long.as_str()),
        ("gclid", "Cj0KCQ-abc_123"),
        ("fbclid", "-starts-with-minus"),
        ("sd_amount", "25"), // not attribution
    ];
    let kept = Attribution::from_params(params);
    let names: Vec<_> = kept.pairs().iter().map(|(name, value)| (*name, value.as_str())).collect();
    assert_eq!(names, [("utm_source", "newsletter"), ("utm_medium", "email"), ("gclid", "Cj0KCQ-abc_123")]);
    assert!(Attribution::from_params([("utm_source", "")]).is_empty());
    assert!(attribution_value_ok("a.b~c:d/e+f%20g@h!i$j(k)l*m,n;o=p|q"));
    for bad in ["<script>", "a\"b", "a b", "+1", "@x", "é"] {
        assert!(!attribution_value_ok(bad), "{bad:?}");
    }
}

#[test]
fn a_prefill_is_checked_like_the_attributes_and_bad_values_are_left_out() {
    let widget = options(&[("org", "water-org,st-jude"), ("min", "5"), ("max", "500")]).unwrap();
    let (prefill, warnings) = Prefill::from_url(
        [("sd_amount", "30.50"), ("sd_frequency", "monthly"), ("sd_org", "st-jude"), ("sd_amount", "99")],
        "",
        &widget,
    );
    assert_eq!(
        prefill,
        Prefill { amount: Some(3050), frequency: Some(Frequency::Monthly), org: Some("st-jude".into()), open: true }
    );
    assert!(warnings.is_empty());

    let (prefill, warnings) =
        Prefill::from_url([("sd_amount", "1000"), ("sd_frequency", "weekly"), ("sd_org", "evil-org")], "", &widget);
    assert_eq!(prefill, Prefill { open: true, ..Prefill::default() });
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings.iter().all(|w| w.starts_with("sir-donate: ignored sd_")), "{warnings:?}");
    assert!(warnings[0].contains("1000"));

    // `#donate` alone opens; nothing at all leaves the page as it is.
    assert_eq!(Prefill::from_url([], "donate", &widget).0, Prefill { open: true, ..Prefill::default() });
    assert_eq!(Prefill::from_url([("utm_source", "x")], "top", &widget).0, Prefill::default());

    let locked =
        options(&[("org", "water-org"), ("amount", "25"), ("lockAmount", "true"), ("lockFrequency", "true")]).unwrap();
    let (prefill, warnings) = Prefill::checked(Some("50"), Some("monthly"), None, &locked);
    assert_eq!((prefill.amount, prefill.frequency), (None, None));
    assert!(warnings[0].contains("locked") && warnings[1].contains("locked"), "{warnings:?}");
}

#[test]
fn amounts_are_written_as_a_donor_types_them() {
    assert_eq!(plain_amount(3000, Currency::USD, '.'), "30");
    assert_eq!(plain_amount(2550, Currency::USD, ','), "25,50");
    assert_eq!(plain_amount(2505, Currency::USD, '.'), "25.05");
    assert_eq!(plain_amount(2500, Currency::parse("JPY").unwrap(), '.'), "2500");
    assert_eq!(major_units(2550, Currency::USD), 25.5);
}
