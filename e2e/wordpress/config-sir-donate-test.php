<?php
// sir-donate's WordPress tests (scripts/with-wordpress.sh): each run's site settings live in
// its own temporary directory, named by the variable its private Apache sets.
$sir_donate_test_config = isset( $_SERVER['SIR_WORDPRESS_CONFIG'] ) ? $_SERVER['SIR_WORDPRESS_CONFIG'] : getenv( 'SIR_WORDPRESS_CONFIG' );
if ( ! $sir_donate_test_config || ! preg_match( '#^/tmp/sir-wordpress\.[A-Za-z0-9]+/wp-config\.php$#', $sir_donate_test_config ) ) {
	header( 'HTTP/1.0 404 Not Found' );
	exit( 1 );
}
require $sir_donate_test_config;
