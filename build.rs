//! Minifies `style/widget.css` into `OUT_DIR` for `include_str!`: the stylesheet ships
//! inside the wasm, and its comments and indentation were a third of its bytes.

use std::path::Path;

fn main() {
    const SOURCE: &str = "style/widget.css";
    println!("cargo::rerun-if-changed={SOURCE}");
    let css = std::fs::read_to_string(SOURCE).expect("style/widget.css is readable");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("widget.css"), minify(&css)).expect("OUT_DIR is writable");
}

/// Drops comments and collapses whitespace. A space goes only where it is needed:
/// never next to `{`, `}`, `;` or `,`, nor after `:`. A space *before* `:` stays, since
/// it is a descendant combinator in a selector (`.a :focus`). The stylesheet has no
/// string with runs of spaces, so collapsing them inside quotes changes nothing.
fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    without_comments.push_str(rest);

    let mut minified = String::with_capacity(without_comments.len());
    let mut pending_space = false;
    for c in without_comments.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let after_tight = minified.ends_with(['{', '}', ';', ',', ':']) || minified.is_empty();
        if pending_space && !after_tight && !matches!(c, '{' | '}' | ';' | ',') {
            minified.push(' ');
        }
        pending_space = false;
        minified.push(c);
    }
    minified
}
