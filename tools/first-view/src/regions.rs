//! Regions: where a dimension's renders differ from the base render, found by a diff of
//! their tokens (tags, comments, text), so the loader composes a view from Leptos's own
//! fragments and never writes markup.

/// A base render with each dimension's regions cut out.
pub struct Template {
    segments: Vec<Segment>,
}

enum Segment {
    Text(String),
    /// A dimension's region: one text per value of the dimension.
    Region {
        dimension: usize,
        values: Vec<String>,
    },
}

impl Template {
    /// The view for one value per dimension.
    pub fn compose(&self, values: &[usize]) -> String {
        self.segments
            .iter()
            .map(|segment| match segment {
                Segment::Text(text) => text.as_str(),
                Segment::Region { dimension, values: texts } => texts[values[*dimension]].as_str(),
            })
            .collect()
    }
}

/// `variants[d][v]` is the render with dimension `d` at value `v` and every other at 0
/// (so `variants[d][0]` is `base`).
pub fn cut_regions(base: &str, variants: &[Vec<String>]) -> Result<Template, String> {
    let base_tokens = tokens(base);
    // (dimension, start, end) in base tokens, and per value the aligned range of its tokens.
    let mut regions: Vec<(usize, usize, usize, Vec<String>)> = Vec::new();
    for (dimension, renders) in variants.iter().enumerate() {
        let aligned: Vec<(Vec<&str>, Vec<Option<usize>>)> = renders
            .iter()
            .map(|render| {
                let variant = tokens(render);
                let matches = align(&base_tokens, &variant);
                (variant, matches)
            })
            .collect();
        let mut hunks: Vec<(usize, usize)> =
            aligned.iter().flat_map(|(variant, matches)| hunks(matches, variant.len())).collect();
        hunks.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in hunks {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        for (start, end) in merged {
            let texts = aligned
                .iter()
                .map(|(variant, matches)| {
                    let from = if start == 0 { Some(0) } else { matches[start - 1].map(|m| m + 1) };
                    let to = if end == base_tokens.len() { Some(variant.len()) } else { matches[end] };
                    match (from, to) {
                        (Some(from), Some(to)) if from <= to => Ok(variant[from..to].concat()),
                        _ => Err(format!("dimension {dimension}: a region's edges do not align")),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            regions.push((dimension, start, end, texts));
        }
    }
    regions.sort_by_key(|(_, start, end, _)| (*start, *end));
    let mut segments = Vec::new();
    let mut at = 0;
    for (dimension, start, end, values) in regions {
        if start < at {
            return Err(format!("dimension {dimension}'s region overlaps another's at token {start}"));
        }
        if start > at {
            segments.push(Segment::Text(base_tokens[at..start].concat()));
        }
        segments.push(Segment::Region { dimension, values });
        at = end;
    }
    if at < base_tokens.len() {
        segments.push(Segment::Text(base_tokens[at..].concat()));
    }
    Ok(Template { segments })
}

/// The base ranges where `variant` differs: unmatched base tokens, and (as empty ranges)
/// the places where the variant has tokens the base lacks.
fn hunks(matches: &[Option<usize>], variant_len: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut next_variant = 0;
    let mut index = 0;
    while index <= matches.len() {
        match matches.get(index).copied() {
            Some(None) => {
                let start = index;
                while matches.get(index).is_some_and(Option::is_none) {
                    index += 1;
                }
                out.push((start, index));
            }
            Some(Some(matched)) => {
                if matched > next_variant {
                    out.push((index, index));
                }
                next_variant = matched + 1;
                index += 1;
            }
            None => {
                if variant_len > next_variant {
                    out.push((index, index));
                }
                index += 1;
            }
        }
    }
    out
}

/// A longest common subsequence of tokens: for each base token, its match in `variant`.
fn align(base: &[&str], variant: &[&str]) -> Vec<Option<usize>> {
    let (n, m) = (base.len(), variant.len());
    let mut lengths = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[at(i, j)] = if base[i] == variant[j] {
                lengths[at(i + 1, j + 1)] + 1
            } else {
                lengths[at(i + 1, j)].max(lengths[at(i, j + 1)])
            };
        }
    }
    let mut matches = vec![None; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if base[i] == variant[j] {
            matches[i] = Some(j);
            i += 1;
            j += 1;
        } else if lengths[at(i + 1, j)] >= lengths[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    matches
}

/// Tags (with their attributes), comments and text runs.
fn tokens(html: &str) -> Vec<&str> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = if bytes[start] == b'<' {
            let mut quote = None;
            let mut index = start + 1;
            while index < bytes.len() {
                match (quote, bytes[index]) {
                    (None, b'>') => break,
                    (None, b'"' | b'\'') => quote = Some(bytes[index]),
                    (Some(open), byte) if byte == open => quote = None,
                    _ => {}
                }
                index += 1;
            }
            (index + 1).min(bytes.len())
        } else {
            bytes[start..].iter().position(|&b| b == b'<').map_or(bytes.len(), |offset| start + offset)
        };
        out.push(&html[start..end]);
        start = end;
    }
    out
}

/// The element whose start tag begins with `start_tag`, with its contents.
pub fn element_at(html: &str, start_tag: &str) -> Option<String> {
    let from = html.find(start_tag)?;
    let mut depth = 0usize;
    let mut length = 0;
    for token in tokens(&html[from..]) {
        length += token.len();
        if token.starts_with("</") {
            depth -= 1;
        } else if token.starts_with("<!") {
            // a comment: Leptos's markers
        } else if let Some(tag) = token.strip_prefix('<') {
            let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
            if !matches!(name.as_str(), "input" | "img" | "br" | "hr" | "meta" | "link" | "source" | "wbr") {
                depth += 1;
            }
        }
        if depth == 0 {
            return Some(html[from..from + length].to_owned());
        }
    }
    None
}

/// `{"bases":{"inline/en":[text, [dimension, [value texts]], …]},"organizations":{"en":[…]},"tips":{"en":…}}`
pub fn to_json(
    bases: &[(String, Template)],
    organizations: &[(String, Vec<String>)],
    tips: &[(String, String)],
) -> String {
    let bases = bases
        .iter()
        .map(|(name, template)| {
            let segments = template
                .segments
                .iter()
                .map(|segment| match segment {
                    Segment::Text(text) => quote(text),
                    Segment::Region { dimension, values } => {
                        format!("[{dimension},[{}]]", values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(","))
                    }
                })
                .collect::<Vec<_>>()
                .join(",");
            format!("{}:[{segments}]", quote(name))
        })
        .collect::<Vec<_>>()
        .join(",");
    let organizations = organizations
        .iter()
        .map(|(language, fragments)| {
            format!("{}:[{}]", quote(language), fragments.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","))
        })
        .collect::<Vec<_>>()
        .join(",");
    let tips =
        tips.iter().map(|(language, tip)| format!("{}:{}", quote(language), quote(tip))).collect::<Vec<_>>().join(",");
    format!("{{\"bases\":{{{bases}}},\"organizations\":{{{organizations}}},\"tips\":{{{tips}}}}}\n")
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composes_what_each_dimension_changed() {
        let base = "<p>a</p><i>x</i><b>1</b>";
        let variants = vec![
            vec![base.to_owned(), "<p>a</p><i>y</i><u>z</u><b>1</b>".to_owned()],
            vec![base.to_owned(), "<p>a</p><i>x</i><b>2</b>".to_owned()],
        ];
        let template = cut_regions(base, &variants).unwrap();
        assert_eq!(template.compose(&[1, 1]), "<p>a</p><i>y</i><u>z</u><b>2</b>");
        assert_eq!(template.compose(&[0, 1]), "<p>a</p><i>x</i><b>2</b>");
    }

    #[test]
    fn finds_a_whole_element() {
        let html = "<div class=\"a\"><div>x</div><img src=\"y\"></div><p>z</p>";
        assert_eq!(element_at(html, "<div class=\"a\"").unwrap(), "<div class=\"a\"><div>x</div><img src=\"y\"></div>");
    }
}
