<?php
/**
 * The few wp-cli commands the WordPress tests need (wp-cli isn't packaged in Debian), run by
 * scripts/with-wordpress.sh and the tests through WORDPRESS_CLI:
 *   install              installs the site, an administrator and an Author; activates the plugin
 *   option NAME          prints the option as JSON (false when absent)
 *   uninstall            deactivates and uninstalls the plugin, as deleting it in the admin does
 */

[ , $command ] = $argv + array( null, null );
define( 'WP_INSTALLING', 'install' === $command );
// Debian's wp-config.php reads the host; the site sends no mail from a test run.
$_SERVER['HTTP_HOST'] = getenv( 'HTTP_HOST' );
$_SERVER['WORDPRESS_CONFIG'] = getenv( 'WORDPRESS_CONFIG' );
$_SERVER['SIR_WORDPRESS_CONFIG'] = getenv( 'SIR_WORDPRESS_CONFIG' );
function wp_new_blog_notification() {}

require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

const PLUGIN = 'sir-donate/sir-donate.php';

switch ( $command ) {
	case 'install':
		wp_install( 'Friends of the River', 'admin', 'admin@example.org', false, '', 'admin-password-1' );
		$author = wp_insert_user(
			array(
				'user_login' => 'author',
				'user_pass'  => 'author-password-1',
				'user_email' => 'author@example.org',
				'role'       => 'author',
			)
		);
		if ( is_wp_error( $author ) ) {
			fwrite( STDERR, $author->get_error_message() . "\n" );
			exit( 1 );
		}
		// The block editor's welcome guide would cover the editor on a first visit.
		foreach ( get_users() as $user ) {
			update_user_meta( $user->ID, $GLOBALS['wpdb']->get_blog_prefix() . 'persisted_preferences', array( 'core/edit-post' => array( 'welcomeGuide' => false ) ) );
		}
		$activated = activate_plugin( PLUGIN );
		if ( is_wp_error( $activated ) ) {
			fwrite( STDERR, $activated->get_error_message() . "\n" );
			exit( 1 );
		}
		break;
	case 'option':
		echo wp_json_encode( get_option( $argv[2] ) ), "\n";
		break;
	case 'uninstall':
		deactivate_plugins( PLUGIN );
		uninstall_plugin( PLUGIN );
		break;
	default:
		fwrite( STDERR, "usage: wp.php install | option NAME | uninstall\n" );
		exit( 2 );
}
