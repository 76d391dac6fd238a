// Activates the Vue typings, as `/// <reference types="sir-donate/vue" />` does in an app.
import type {} from "sir-donate/vue";
