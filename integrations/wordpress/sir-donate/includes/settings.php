<?php
/**
 * The site's settings: what only an administrator decides (the key, where the API and the
 * widget's files live, where donations are delegated) and the defaults for every widget.
 *
 * @package SirDonate
 */

defined( 'ABSPATH' ) || exit;

/** The one option row the plugin keeps (uninstall.php deletes it). */
const SIR_DONATE_OPTION = 'sir_donate_settings';

/**
 * The settings, with every key present.
 *
 * @return array<string, string>
 */
function sir_donate_settings() {
	$stored = get_option( SIR_DONATE_OPTION, array() );
	return array_merge( sir_donate_default_settings(), is_array( $stored ) ? $stored : array() );
}

/**
 * Empty settings: no key yet, the API base follows from the key, the widget's own defaults.
 *
 * @return array<string, string>
 */
function sir_donate_default_settings() {
	return array(
		'key'              => '',
		'api_base'         => '',
		'partner_endpoint' => '',
		'loader_url'       => '',
		'loader_integrity' => '',
		'currency'         => '',
		'theme'            => '',
	);
}

/**
 * Checks the submitted settings. A bad value is refused with a notice naming it, and the
 * stored value stays: nothing the administrator had before is lost.
 *
 * @param mixed $input The submitted form fields.
 * @return array<string, string>
 */
function sir_donate_sanitize_settings( $input ) {
	$previous = sir_donate_settings();
	$input    = is_array( $input ) ? $input : array();
	$clean    = $previous;
	$field    = static function ( $name ) use ( $input ) {
		return isset( $input[ $name ] ) ? trim( sanitize_text_field( $input[ $name ] ) ) : '';
	};
	$refuse   = static function ( $code, $message ) {
		add_settings_error( SIR_DONATE_OPTION, $code, $message, 'error' );
	};

	$key = $field( 'key' );
	if ( preg_match( '/^(sk|rk)_/', $key ) ) {
		$refuse(
			'secret_key',
			__( 'That is a secret key (sk_…). It must never reach a browser, so it was not saved: enter your publishable key (pk_test_… or pk_live_…) and keep the secret key on your server.', 'sir-donate' )
		);
	} elseif ( '' !== $key && ! preg_match( '/^pk_(test|live)_[A-Za-z0-9]+$/', $key ) ) {
		$refuse( 'invalid_key', __( 'The publishable key must start with pk_test_ or pk_live_. It was not saved.', 'sir-donate' ) );
	} else {
		$clean['key'] = $key;
	}

	foreach ( array(
		'api_base'         => __( 'API base', 'sir-donate' ),
		'partner_endpoint' => __( 'Partner endpoint', 'sir-donate' ),
		'loader_url'       => __( 'Loader URL', 'sir-donate' ),
	) as $name => $label ) {
		$url = $field( $name );
		if ( '' === $url || sir_donate_is_url( $url ) ) {
			// The loader's URL is taken as it is; the bases lose a trailing slash, as the widget wants them.
			$clean[ $name ] = 'loader_url' === $name ? $url : untrailingslashit( $url );
		} else {
			/* translators: %s: the setting's name. */
			$refuse( $name, sprintf( __( '%s must be an https:// address (http:// only for this machine). It was not saved.', 'sir-donate' ), $label ) );
		}
	}

	$integrity = $field( 'loader_integrity' );
	if ( '' === $integrity || preg_match( '/^sha(256|384|512)-[A-Za-z0-9+\/]+={0,2}$/', $integrity ) ) {
		$clean['loader_integrity'] = $integrity;
	} else {
		$refuse( 'loader_integrity', __( 'The SRI hash must look like sha384-… (from the release\'s manifest.json). It was not saved.', 'sir-donate' ) );
	}

	$currency = strtoupper( $field( 'currency' ) );
	if ( '' === $currency || preg_match( '/^[A-Z]{3}$/', $currency ) ) {
		$clean['currency'] = $currency;
	} else {
		$refuse( 'currency', __( 'The default currency must be a three-letter ISO 4217 code, such as USD. It was not saved.', 'sir-donate' ) );
	}

	$theme          = $field( 'theme' );
	$clean['theme'] = in_array( $theme, array( '', 'light', 'dark', 'auto' ), true ) ? $theme : $previous['theme'];

	return $clean;
}

/**
 * An https URL, or http to this machine (a local sandbox).
 *
 * @param string $url The address to check.
 * @return bool
 */
function sir_donate_is_url( $url ) {
	$parts = wp_parse_url( $url );
	if ( ! is_array( $parts ) || empty( $parts['scheme'] ) || empty( $parts['host'] ) ) {
		return false;
	}
	if ( 'https' === $parts['scheme'] ) {
		return true;
	}
	return 'http' === $parts['scheme'] && in_array( $parts['host'], array( 'localhost', '127.0.0.1', '[::1]' ), true );
}
