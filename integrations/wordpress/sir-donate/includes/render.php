<?php
/**
 * One way to render the widget, for the shortcode, the block and a pasted element; the
 * loader, enqueued only where a widget renders; and the HTML filter's allow-list.
 *
 * @package SirDonate
 */

defined( 'ABSPATH' ) || exit;

/**
 * The options an Author may set on a widget, as `<sir-donate>` attributes: every option of
 * the widget (js/options.json) but `key` (`publishable-key`), `api-base` and
 * `partner-endpoint`, which decide where donations go and so come from the settings only.
 * Values go to the widget as written (escaped): it checks them, and shows a bad one as a
 * clear error in place of the form.
 *
 * @return string[]
 */
function sir_donate_display_options() {
	return array(
		'org',
		'amounts',
		'amount',
		'min',
		'max',
		'currency',
		'locale',
		'frequency',
		'lock-frequency',
		'lock-amount',
		'required-fields',
		'mode',
		'target',
		'label',
		'theme',
		'referral-code',
		'campaign',
		'impact',
		'url-prefill',
		'goal',
		'attribution',
		'analytics',
	);
}

/** The on/off options: an empty, "false", "0" or "no" value leaves them off. */
const SIR_DONATE_FLAGS = array( 'lock-frequency', 'lock-amount', 'url-prefill' );

/**
 * The options only the settings decide, as attributes. The key goes out as
 * `publishable-key` (the widget's `key` under a name every framework can pass); `key`
 * itself is never written, and refused from Authors like these.
 */
const SIR_DONATE_SITE_ATTRIBUTES = array(
	'publishable-key'  => 'key',
	'api-base'         => 'api_base',
	'partner-endpoint' => 'partner_endpoint',
);

/** Registers the shortcode and the block. */
function sir_donate_register() {
	add_shortcode( 'sir_donate', 'sir_donate_shortcode' );
	register_block_type(
		dirname( SIR_DONATE_FILE ) . '/block',
		array( 'render_callback' => 'sir_donate_render_block' )
	);
}

/**
 * `[sir_donate org="water-org" amounts="10,25,50" mode="button"]`: one parameter per option,
 * in kebab-case or snake_case (`lock-amount`, `lock_amount`). Enclosed content is the
 * fallback shown until the widget is ready and kept if it can't load.
 *
 * @param array|string $attributes The shortcode's parameters.
 * @param string|null  $content    Enclosed content, if any.
 * @return string
 */
function sir_donate_shortcode( $attributes, $content = null ) {
	$options = array();
	foreach ( (array) $attributes as $name => $value ) {
		if ( is_string( $name ) ) {
			$options[ str_replace( '_', '-', strtolower( $name ) ) ] = (string) $value;
		}
	}
	return sir_donate_render( $options, null === $content ? '' : wp_kses_post( $content ) );
}

/**
 * The block's server render: its camelCase attributes, through the shortcode's code.
 *
 * @param array $attributes The block's attributes.
 * @return string
 */
function sir_donate_render_block( $attributes ) {
	// Only the display options: the rest (className, align, lock) are the block's own.
	$options = array();
	foreach ( sir_donate_display_options() as $name ) {
		$camel = lcfirst( str_replace( ' ', '', ucwords( str_replace( '-', ' ', $name ) ) ) );
		if ( isset( $attributes[ $camel ] ) ) {
			$value            = $attributes[ $camel ];
			$options[ $name ] = is_bool( $value ) ? ( $value ? 'true' : '' ) : (string) $value;
		}
	}
	$fallback = '';
	if ( ! empty( $attributes['fallbackUrl'] ) ) {
		$fallback = sprintf( '<a href="%s">%s</a>', esc_url( $attributes['fallbackUrl'] ), esc_html__( 'Donate', 'sir-donate' ) );
	}
	return sprintf( '<div %s>%s</div>', get_block_wrapper_attributes(), sir_donate_render( $options, $fallback ) );
}

/**
 * The `<sir-donate>` element for these display options, with the site's key, API base and
 * defaults, every value escaped. Enqueues the loader. A parameter that is no display option
 * (a typo, or `key`, which only the settings set) is left out, and said so in a notice
 * that only those who can edit posts see.
 *
 * @param array<string, string> $options  Display options by attribute name.
 * @param string                $fallback Safe HTML shown until the widget is ready.
 * @return string
 */
function sir_donate_render( array $options, $fallback = '' ) {
	$attributes = sir_donate_site_attributes();
	$ignored    = array();
	foreach ( $options as $name => $value ) {
		$value = trim( $value );
		if ( ! in_array( $name, sir_donate_display_options(), true ) ) {
			$ignored[] = $name;
		} elseif ( in_array( $name, SIR_DONATE_FLAGS, true ) ) {
			if ( ! in_array( strtolower( $value ), array( '', 'false', '0', 'no' ), true ) ) {
				$attributes[ $name ] = in_array( strtolower( $value ), array( 'true', '1', 'yes' ), true ) ? 'true' : $value;
			}
		} elseif ( '' !== $value ) {
			$attributes[ $name ] = $value;
		}
	}
	sir_donate_enqueue_loader();

	$html = '<sir-donate';
	foreach ( $attributes as $name => $value ) {
		$html .= sprintf( ' %s="%s"', $name, esc_attr( $value ) );
	}
	$html .= '>' . $fallback . '</sir-donate>';
	if ( $ignored && current_user_can( 'edit_posts' ) ) {
		$html = sprintf(
			'<p class="sir-donate-notice"><strong>%s</strong> %s</p>',
			esc_html__( 'SIR Donate:', 'sir-donate' ),
			esc_html(
				sprintf(
					/* translators: %s: the parameters, comma-separated. */
					__( 'ignored %s (not a display option; the key, API base and partner endpoint come from Settings → SIR Donate). Only editors see this note.', 'sir-donate' ),
					implode( ', ', $ignored )
				)
			)
		) . $html;
	}
	return $html;
}

/**
 * What the settings put on every widget: the key, the API base and partner endpoint when
 * set, and the default currency and theme.
 *
 * @return array<string, string>
 */
function sir_donate_site_attributes() {
	$settings   = sir_donate_settings();
	$attributes = array();
	foreach ( SIR_DONATE_SITE_ATTRIBUTES as $attribute => $setting ) {
		if ( '' !== $settings[ $setting ] ) {
			$attributes[ $attribute ] = $settings[ $setting ];
		}
	}
	foreach ( array( 'currency', 'theme' ) as $name ) {
		if ( '' !== $settings[ $name ] ) {
			$attributes[ $name ] = $settings[ $name ];
		}
	}
	return $attributes;
}

/** Prints the loader in this page's footer (once, however many widgets). */
function sir_donate_enqueue_loader() {
	$url = sir_donate_settings()['loader_url'];
	if ( '' === $url ) {
		return;
	}
	// No version query: the URL is pinned by its integrity, and a query would change nothing.
	wp_enqueue_script( 'sir-donate-loader', $url, array(), null, true );
}

/**
 * The loader's tag: async, in CORS mode, and pinned by its SRI hash when one is set.
 *
 * @param string $tag    The `<script>` tag WordPress built.
 * @param string $handle The script's handle.
 * @return string
 */
function sir_donate_loader_tag( $tag, $handle ) {
	if ( 'sir-donate-loader' !== $handle ) {
		return $tag;
	}
	$settings = sir_donate_settings();
	$extra    = ' async crossorigin="anonymous"';
	if ( '' !== $settings['loader_integrity'] ) {
		$extra .= sprintf( ' integrity="%s"', esc_attr( $settings['loader_integrity'] ) );
	}
	return preg_replace( '/<script(?=[\s>])/', '<script' . $extra, $tag, 1 );
}

/**
 * Lets `<sir-donate>` through the HTML filter with its display options, so that an Author
 * (or anyone without `unfiltered_html`) can paste the widget's snippet. Never `key`,
 * `api-base` or `partner-endpoint`, and never a script: the element gets those from the
 * settings (sir_donate_complete_pasted_elements).
 *
 * @param array  $tags    Allowed tags and their attributes.
 * @param string $context The filter's context.
 * @return array
 */
function sir_donate_allow_element( $tags, $context ) {
	if ( 'post' !== $context ) {
		return $tags;
	}
	$attributes = array(
		'class' => true,
		'id'    => true,
	);
	foreach ( sir_donate_display_options() as $name ) {
		$attributes[ $name ] = true;
	}
	$tags['sir-donate'] = $attributes;
	return $tags;
}

/**
 * A `<sir-donate>` element in a post's HTML (pasted into a Custom HTML block, say) that
 * carries no key of its own gets the site's key, API base and defaults, and the page gets
 * the loader. An element with a key (an administrator's own snippet) is left as it is.
 *
 * @param string $content The post's rendered content.
 * @return string
 */
function sir_donate_complete_pasted_elements( $content ) {
	if ( false === stripos( $content, '<sir-donate' ) ) {
		return $content;
	}
	sir_donate_enqueue_loader();
	return preg_replace_callback(
		'/<sir-donate\b([^>]*)>/i',
		static function ( $match ) {
			$present = array();
			foreach ( wp_kses_hair( $match[1], wp_allowed_protocols() ) as $name => $attribute ) {
				$present[ strtolower( $name ) ] = true;
			}
			if ( isset( $present['key'] ) || isset( $present['publishable-key'] ) ) {
				return $match[0];
			}
			$added = '';
			foreach ( sir_donate_site_attributes() as $name => $value ) {
				if ( ! isset( $present[ $name ] ) ) {
					$added .= sprintf( ' %s="%s"', $name, esc_attr( $value ) );
				}
			}
			return '<sir-donate' . $added . $match[1] . '>';
		},
		$content
	);
}
