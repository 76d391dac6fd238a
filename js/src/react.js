// @ts-check
"use client";
/*! sir-donate/react · <SirDonate>: the <sir-donate> element as a React 19 component. It renders
 * the element with its options as attributes (on the server too), defines it through
 * loadSirDonate() once mounted, and hands the widget's events to callbacks. */
import { createElement, useEffect, useImperativeHandle, useRef } from "react";
import { impactAttribute } from "./impact.js";
import { loadSirDonate } from "./npm.js";

/** @typedef {import("../react").SirDonateProps} SirDonateProps */
/** @typedef {import("../sir-donate").HTMLSirDonateElement} HTMLSirDonateElement */

/** Each callback prop, and the event it hears. */
var CALLBACKS = /** @type {const} */ ({
  onReady: "ready",
  onLinkCreated: "link-created",
  onCompleted: "completed",
  onError: "error",
});

/** `lockAmount` → `lock-amount`.
 * @param {string} option */
function attributeName(option) {
  return option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** An option as its attribute's text, the same on the server and in the browser (React leaves
 * an array out of a custom element's server HTML): lists joined with commas, as the element reads them.
 * @param {unknown} value */
function attributeValue(value) {
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** @param {SirDonateProps} props */
export function SirDonate(props) {
  var { ref, children, className, style, id, onReady, onLinkCreated, onCompleted, onError, ...options } = props;
  /** @type {import("react").RefObject<HTMLSirDonateElement | null>} */
  var element = useRef(null);
  // The latest callbacks, so that a re-render with new ones moves no listener.
  var callbacks = useRef(props);
  useEffect(() => {
    callbacks.current = props;
  });
  useImperativeHandle(ref, () => /** @type {HTMLSirDonateElement} */ (element.current), []);
  useEffect(() => {
    var target = /** @type {HTMLSirDonateElement} */ (element.current);
    var removers = /** @type {(keyof typeof CALLBACKS)[]} */ (Object.keys(CALLBACKS)).map((name) => {
      var type = `sir-donate:${CALLBACKS[name]}`;
      /** @param {Event} event */
      function listener(event) {
        var callback = /** @type {((detail: unknown) => void) | undefined} */ (callbacks.current[name]);
        if (callback) callback(/** @type {CustomEvent} */ (event).detail);
      }
      target.addEventListener(type, listener);
      return () => {
        target.removeEventListener(type, listener);
      };
    });
    // Defines <sir-donate> (once per page): the element then mounts its own widget, so
    // Strict Mode's second run of this effect adds no second widget.
    loadSirDonate().catch((error) => {
      var callback = callbacks.current.onError;
      if (callback)
        callback({
          code: "load_failed",
          message: `The donation form could not be loaded. ${String(error?.message || error)}`,
          retryable: true,
        });
    });
    return () => {
      removers.forEach((remove) => {
        remove();
      });
    };
  }, []);
  /** @type {Record<string, unknown>} */
  var attributes = { ref: element, className: className, style: style, id: id };
  Object.keys(options).forEach((name) => {
    var value = /** @type {Record<string, unknown>} */ (options)[name];
    if (value != null)
      attributes[attributeName(name)] =
        name === "impact" ? impactAttribute(/** @type {any} */ (value)) : attributeValue(value);
  });
  return createElement("sir-donate", attributes, children);
}
