<?php
/**
 * A must-use plugin of the test site (scripts/with-wordpress.sh copies it in): the site has
 * no network, so WordPress doesn't ask WordPress.org for updates. Each failed check would
 * log a PHP warning, and the tests hold the log to none.
 */

remove_action( 'admin_init', '_maybe_update_core' );
remove_action( 'admin_init', '_maybe_update_plugins' );
remove_action( 'admin_init', '_maybe_update_themes' );
remove_action( 'wp_version_check', 'wp_version_check' );
