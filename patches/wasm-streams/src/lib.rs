//! `wasm_streams::ReadableStream` with only what `server_fn` 0.8 calls (see README.md): a
//! web stream made from a Rust stream, and a Rust stream read from a web stream.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;

use futures_util::stream::{self, Stream, StreamExt};
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{ReadableStreamDefaultController, ReadableStreamDefaultReader, UnderlyingSource};

/// A web `ReadableStream`.
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

type Chunks = Pin<Box<dyn Stream<Item = Result<JsValue, JsValue>>>>;

impl ReadableStream {
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        Self { raw }
    }

    /// A web stream whose chunks are pulled from `stream`, one per `pull`.
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        let chunks: Rc<RefCell<Option<Chunks>>> = Rc::new(RefCell::new(Some(Box::pin(stream))));
        let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
            move |controller: ReadableStreamDefaultController| {
                let chunks = Rc::clone(&chunks);
                future_to_promise(async move {
                    let Some(mut stream) = chunks.borrow_mut().take() else { return Ok(JsValue::UNDEFINED) };
                    match stream.next().await {
                        Some(Ok(chunk)) => {
                            controller.enqueue_with_chunk(&chunk)?;
                            *chunks.borrow_mut() = Some(stream);
                        }
                        Some(Err(error)) => controller.error_with_e(&error),
                        None => controller.close()?,
                    }
                    Ok(JsValue::UNDEFINED)
                })
            },
        );
        let source = UnderlyingSource::new();
        source.set_pull(pull.into_js_value().unchecked_ref());
        let raw = web_sys::ReadableStream::new_with_underlying_source(&source).expect_throw("ReadableStream");
        Self { raw }
    }

    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// The chunks, read until the web stream ends or fails (its error is the last item).
    pub fn into_stream(self) -> impl Stream<Item = Result<JsValue, JsValue>> + 'static {
        let reader: Option<ReadableStreamDefaultReader> = Some(self.raw.get_reader().unchecked_into());
        stream::unfold(reader, |reader| async move {
            let reader = reader?;
            match JsFuture::from(reader.read()).await {
                Ok(result) => {
                    let done = Reflect::get(&result, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
                    let value = Reflect::get(&result, &"value".into()).unwrap_or(JsValue::UNDEFINED);
                    (!done).then_some((Ok(value), Some(reader)))
                }
                Err(error) => Some((Err(error), None)),
            }
        })
    }
}
