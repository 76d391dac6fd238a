// Activates the Svelte typings, as `/// <reference types="sir-donate/svelte" />` does in an app.
import type {} from "sir-donate/svelte";
