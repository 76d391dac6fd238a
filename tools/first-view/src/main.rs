//! The widget's first view, rendered by Leptos at build time for the loader to paint
//! (docs/decisions/2026-12-07-first-view.md).
//!
//! `first-view --templates out.json` writes the templates; `first-view name=value …` prints one
//! render, for a look. The loader composes a view from a base per mode and language, one value
//! per dimension (each dimension's regions are cut out of Leptos's own renders), then fills the
//! slots. Every composition the loader can make is checked against Leptos's render of the same
//! options before anything is written: a drift fails the build.

mod regions;
mod render;

use std::process::ExitCode;

use regions::{Template, cut_regions};
use render::{Choice, DIMENSIONS, LANGUAGES, MODES, OrgShape, organization_fragment, render_choice, tip_fragment};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--templates") => match args.get(1) {
            Some(path) => write_templates(path),
            None => {
                eprintln!("usage: first-view --templates <out.json>");
                ExitCode::from(2)
            }
        },
        _ => {
            let pairs: Vec<(String, String)> = args
                .iter()
                .map(|arg| {
                    let (name, value) = arg.split_once('=').unwrap_or((arg.as_str(), ""));
                    (name.to_owned(), value.to_owned())
                })
                .collect();
            match render::render_pairs(&pairs, render::Answers::default()) {
                Ok(html) => {
                    println!("{html}");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("bad options: {error}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn write_templates(path: &str) -> ExitCode {
    let mut bases = Vec::new();
    for mode in MODES {
        for language in LANGUAGES {
            let template = match build_template(mode, language) {
                Ok(template) => template,
                Err(error) => {
                    eprintln!("first-view: {mode}/{language}: {error}");
                    return ExitCode::FAILURE;
                }
            };
            bases.push((format!("{mode}/{language}"), template));
        }
    }
    let organizations: Vec<(String, Vec<String>)> = LANGUAGES
        .iter()
        .map(|language| {
            (language.to_string(), OrgShape::ALL.iter().map(|shape| organization_fragment(language, *shape)).collect())
        })
        .collect();
    let tips: Vec<(String, String)> =
        LANGUAGES.iter().map(|language| (language.to_string(), tip_fragment(language))).collect();
    let json = regions::to_json(&bases, &organizations, &tips);
    if let Some(parent) = std::path::Path::new(path).parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(error) = std::fs::write(path, json) {
        eprintln!("first-view: writing {path}: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Cuts one base's regions and checks every composition against Leptos's own render.
fn build_template(mode: &'static str, language: &'static str) -> Result<Template, String> {
    let base_choice = Choice::base(mode, language);
    let base = render_choice(&base_choice);
    let variants: Vec<Vec<String>> = DIMENSIONS
        .iter()
        .enumerate()
        .map(|(dimension, values)| {
            (0..values.len()).map(|value| render_choice(&base_choice.with(dimension, value))).collect()
        })
        .collect();
    let template = cut_regions(&base, &variants)?;
    let mut checked = 0;
    for choice in Choice::every(mode, language) {
        let composed = template.compose(&choice.values);
        let rendered = render_choice(&choice);
        if composed != rendered {
            return Err(format!(
                "composing {:?} differs from Leptos's render:\n  composed: {composed}\n  rendered: {rendered}",
                choice.values
            ));
        }
        checked += 1;
    }
    eprintln!("first-view: {mode}/{language}: {checked} compositions equal Leptos's render");
    Ok(template)
}
