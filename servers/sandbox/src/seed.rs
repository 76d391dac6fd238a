//! The seeded partners and nonprofits, printed at start and listed in the README.
//!
//! Fixed values, so demo pages, tests and docs can name them. All partners belong to
//! the sandbox environment, so only `_test_` keys exist here (API reference §1.1).

/// A partner account with its three credentials (API reference §1.2).
#[derive(Debug)]
pub struct Partner {
    pub id: &'static str,
    pub name: &'static str,
    pub slug: &'static str,
    pub publishable_key: &'static str,
    pub secret_key: &'static str,
    pub hmac_secret: &'static str,
    pub is_active: bool,
    pub enabled_features: &'static [&'static str],
    pub tip_enabled: bool,
    pub tip_default_percent: u32,
}

pub const PARTNERS: [Partner; 3] = [
    Partner {
        id: "665f1c2ab7e4d9a1c3f00001",
        name: "Demo Partner",
        slug: "demo-partner",
        publishable_key: "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378",
        secret_key: "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7",
        hmac_secret: "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3",
        is_active: true,
        enabled_features: &["DONATIONS", "ACTIONS"],
        tip_enabled: true,
        tip_default_percent: 10,
    },
    Partner {
        id: "665f1c2ab7e4d9a1c3f00002",
        name: "Paused Partner",
        slug: "paused-partner",
        publishable_key: "pk_test_473d7cd0569b6d7d931c29cc8d0a7d17a1d3b9f1b5f263d8df546c8c552aee89",
        secret_key: "sk_test_4b303a24af24e55705a4082061b7a9f4ccb95ea764127f1a11e14a37098f5844",
        hmac_secret: "6e5727ed40de9146880b6b2bd39b6b4a032d62a47722888a0345c864ef761fd0",
        is_active: false,
        enabled_features: &["DONATIONS", "ACTIONS"],
        tip_enabled: true,
        tip_default_percent: 10,
    },
    Partner {
        id: "665f1c2ab7e4d9a1c3f00003",
        name: "Actions-only Partner",
        slug: "actions-only-partner",
        publishable_key: "pk_test_8babb4a144cb9f342b774cbf7667bce4f449f70c429996f6eb458730fb1ac6c7",
        secret_key: "sk_test_ce22a575a0b471b91cbc65e2c27ec8da4437c7090ad4f9b4cba76b49bd13217c",
        hmac_secret: "3127bb07ae61eb7915cd31976244078937e6bbd92d543760e4a9779755b2ce81",
        is_active: true,
        enabled_features: &["ACTIONS"],
        tip_enabled: false,
        tip_default_percent: 0,
    },
];

#[derive(Debug)]
pub struct Nonprofit {
    /// ObjectId-like, as the API's MongoDB ids are (API reference §1.3).
    pub id: &'static str,
    pub slug: &'static str,
    pub name: &'static str,
    pub ein: &'static str,
    pub active: bool,
    /// Logo background colour.
    pub color: &'static str,
}

pub const NONPROFITS: [Nonprofit; 7] = [
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100001",
        slug: "american-red-cross",
        name: "American Red Cross",
        ein: "53-0196605",
        active: true,
        color: "#c8102e",
    },
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100002",
        slug: "doctors-without-borders",
        name: "Doctors Without Borders, USA",
        ein: "13-3433452",
        active: true,
        color: "#d52b1e",
    },
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100003",
        slug: "st-jude",
        name: "St. Jude Children's Research Hospital",
        ein: "62-0646012",
        active: true,
        color: "#6d2077",
    },
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100004",
        slug: "feeding-america",
        name: "Feeding America",
        ein: "36-3673599",
        active: true,
        color: "#e35205",
    },
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100005",
        slug: "water-org",
        name: "Water.org",
        ein: "58-2486889",
        active: true,
        color: "#0072ce",
    },
    // Its name needs escaping everywhere it is shown: tests prove nobody renders it as HTML.
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100006",
        slug: "kids-arts-fund",
        name: "Kids & Arts <Fund> \"Create\" 'Now'",
        ein: "12-3456789",
        active: true,
        color: "#2e7d32",
    },
    Nonprofit {
        id: "64b7f0c2a91e4d3b8c100007",
        slug: "defunct-relief-fund",
        name: "Defunct Relief Fund",
        ein: "98-7654321",
        active: false,
        color: "#616161",
    },
];

impl Partner {
    pub fn donations_enabled(&self) -> bool {
        self.enabled_features.contains(&"DONATIONS")
    }
}

pub fn nonprofit(slug: &str) -> Option<&'static Nonprofit> {
    NONPROFITS.iter().find(|n| n.slug == slug)
}

/// The seeded data, as printed at start under the listening line.
pub fn describe(public_url: &str) -> String {
    let mut out = String::from("Seeded partners (sandbox environment):\n");
    for p in &PARTNERS {
        let state = match (p.is_active, p.donations_enabled()) {
            (false, _) => "inactive: create-link answers 403 PARTNER_INACTIVE",
            (true, false) => "no DONATIONS feature: create-link answers 403 DONATIONS_DISABLED",
            (true, true) => "active",
        };
        out.push_str(&format!(
            "  {} [{}] ({state})\n    publishable key: {}\n    secret key:      {}\n    hmacSecret:      {}\n",
            p.name, p.slug, p.publishable_key, p.secret_key, p.hmac_secret
        ));
    }
    out.push_str("Seeded nonprofits (GET /v1/partner/organizations/{slug}):\n");
    for n in &NONPROFITS {
        let state = if n.active { "" } else { "  [inactive]" };
        out.push_str(&format!("  {:<24} {} (EIN {}){state}\n", n.slug, n.name, n.ein));
    }
    out.push_str(&format!("All of this, as a page: {public_url}/"));
    out
}
