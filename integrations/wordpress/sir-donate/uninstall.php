<?php
/**
 * Deleting the plugin deletes its one option.
 *
 * @package SirDonate
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'sir_donate_settings' );
