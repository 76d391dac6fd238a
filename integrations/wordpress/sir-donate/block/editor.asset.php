<?php
/**
 * The editor script's dependencies (written by hand: the script needs no build step).
 *
 * @package SirDonate
 */

return array(
	'dependencies' => array( 'wp-blocks', 'wp-block-editor', 'wp-components', 'wp-element', 'wp-i18n', 'wp-server-side-render' ),
	'version'      => '0.1.0',
);
