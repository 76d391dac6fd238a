import { createApp } from "vue";
import { loadSirDonate } from "sir-donate";
import App from "./App.vue";

// Defines <sir-donate>. The widget's code loads once a widget nears the viewport.
loadSirDonate().catch(console.error);

createApp(App).mount("#app");
