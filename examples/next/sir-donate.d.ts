// The bare <sir-donate> element in JSX (app/element/page.tsx); the SirDonate component needs nothing.
/// <reference types="sir-donate/react" />
