//! Reading the page's options object into [`RawOptions`].

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::domain::{OptionError, RawOptions};

/// Reads a plain object of options. Strings are kept; numbers and booleans become
/// text the way JavaScript writes them; arrays become comma-separated lists.
pub fn read(options: &JsValue) -> Result<RawOptions, JsValue> {
    let mut raw = RawOptions::new();
    if options.is_undefined() || options.is_null() {
        return Ok(raw);
    }
    let Some(object) = options.dyn_ref::<Object>() else {
        return Err(to_js_error(OptionError::new("options", "must be an object")));
    };
    for entry in Object::entries(object).iter() {
        let entry: Array = entry.unchecked_into();
        let name = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let text = if let Some(list) = value.dyn_ref::<Array>() {
            list.iter().map(|item| to_text(&name, &item)).collect::<Result<Vec<_>, _>>()?.join(",")
        } else if let (Some(lines), "impact") =
            (value.dyn_ref::<Object>().filter(|_| !value.is_function()), name.as_str())
        {
            impact_text(lines)?
        } else {
            to_text(&name, &value)?
        };
        raw.insert(name, text);
    }
    raw.fold_key_alias().map_err(to_js_error)?;
    Ok(raw)
}

/// `impact` as an object, `{ 25: "A week of clean water" }`, in its attribute's text form.
fn impact_text(lines: &Object) -> Result<String, JsValue> {
    let mut entries = Vec::new();
    for entry in Object::entries(lines).iter() {
        let entry: Array = entry.unchecked_into();
        let line = to_text("impact", &entry.get(1))?;
        if line.contains('|') {
            return Err(to_js_error(OptionError::new("impact", "text must not contain |")));
        }
        entries.push(format!("{}: {line}", entry.get(0).as_string().unwrap_or_default()));
    }
    Ok(entries.join("|"))
}

fn to_text(name: &str, value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        Ok(text)
    } else if let Some(flag) = value.as_bool() {
        Ok(if flag { "true" } else { "false" }.to_owned())
    } else if value.as_f64().is_some() {
        // JavaScript's own Number#toString: no float formatting code in the wasm.
        js_sys::Number::from(value.clone())
            .to_string_with_radix(10)
            .map(String::from)
            .map_err(|_| to_js_error(OptionError::new(name, "must be a finite number")))
    } else {
        Err(to_js_error(OptionError::new(name, "must be a string, number or boolean")))
    }
}

/// A `SirDonateOptionError`: an `Error` with `code` and `option`, for a typed rejection.
pub fn to_js_error(error: OptionError) -> JsValue {
    let js_error = js_sys::Error::new(&error.to_string());
    js_error.set_name("SirDonateOptionError");
    let _ = Reflect::set(&js_error, &"code".into(), &"invalid_option".into());
    let _ = Reflect::set(&js_error, &"option".into(), &error.option.as_str().into());
    js_error.into()
}
