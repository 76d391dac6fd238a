<?php
/**
 * Plugin Name:       SIR Donate
 * Plugin URI:        https://github.com/sir-giving/sir-donate
 * Description:       The sir-donate donation widget as a block and a [sir_donate] shortcode, with the site's publishable key kept in its settings.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            SIR Giving
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       sir-donate
 *
 * @package SirDonate
 */

defined( 'ABSPATH' ) || exit;

// The widget's version: scripts/pack-wordpress-plugin.py refuses to pack the plugin when the two differ.
define( 'SIR_DONATE_VERSION', '0.1.0' );
define( 'SIR_DONATE_FILE', __FILE__ );

require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/render.php';
require_once __DIR__ . '/includes/admin.php';

add_action( 'init', 'sir_donate_register' );
add_filter( 'wp_kses_allowed_html', 'sir_donate_allow_element', 10, 2 );
add_filter( 'the_content', 'sir_donate_complete_pasted_elements', 20 );
add_filter( 'script_loader_tag', 'sir_donate_loader_tag', 10, 2 );
