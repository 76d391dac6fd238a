<?php
/**
 * The settings page (Settings → SIR Donate), for users who can manage options, and the
 * loader in the block editor, so that the block's preview runs the widget.
 *
 * @package SirDonate
 */

defined( 'ABSPATH' ) || exit;

add_action( 'admin_init', 'sir_donate_register_settings' );
add_action( 'admin_menu', 'sir_donate_add_settings_page' );
add_action( 'enqueue_block_editor_assets', 'sir_donate_enqueue_loader' );

/** The setting, with its checks (sir_donate_sanitize_settings). */
function sir_donate_register_settings() {
	register_setting(
		'sir_donate',
		SIR_DONATE_OPTION,
		array(
			'type'              => 'object',
			'sanitize_callback' => 'sir_donate_sanitize_settings',
			'default'           => sir_donate_default_settings(),
		)
	);
}

/** Settings → SIR Donate. */
function sir_donate_add_settings_page() {
	add_options_page(
		__( 'SIR Donate', 'sir-donate' ),
		__( 'SIR Donate', 'sir-donate' ),
		'manage_options',
		'sir-donate',
		'sir_donate_settings_page'
	);
}

/** The form: one row per setting, each with what it is for. */
function sir_donate_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	$settings = sir_donate_settings();
	$rows     = array(
		'key'              => array(
			__( 'Publishable key', 'sir-donate' ),
			__( 'pk_test_… (sandbox) or pk_live_… (production). Never the secret key (sk_…): every visitor\'s browser sees this one.', 'sir-donate' ),
		),
		'api_base'         => array(
			__( 'API base', 'sir-donate' ),
			__( 'Empty: follows from the key (pk_test_ → https://devapi.sirgiving.org, pk_live_ → https://api.sirgiving.org).', 'sir-donate' ),
		),
		'partner_endpoint' => array(
			__( 'Partner endpoint', 'sir-donate' ),
			__( 'Optional: your server implementing the delegation contract (signed-in donors, webhooks, rewards).', 'sir-donate' ),
		),
		'loader_url'       => array(
			__( 'Loader URL', 'sir-donate' ),
			__( 'Where the widget\'s sir-donate.js is hosted, e.g. https://your-cdn.example/sir-donate/0.1.0/sir-donate.js.', 'sir-donate' ),
		),
		'loader_integrity' => array(
			__( 'Loader SRI hash', 'sir-donate' ),
			__( 'The loader\'s integrity (sha384-…), from the release\'s manifest.json. The loader then checks every file it fetches.', 'sir-donate' ),
		),
		'currency'         => array(
			__( 'Default currency', 'sir-donate' ),
			__( 'ISO 4217 code for widgets that set none; empty: USD.', 'sir-donate' ),
		),
	);
	?>
	<div class="wrap">
		<h1><?php echo esc_html( get_admin_page_title() ); ?></h1>
		<form method="post" action="options.php">
			<?php settings_fields( 'sir_donate' ); ?>
			<table class="form-table" role="presentation">
				<?php foreach ( $rows as $name => $row ) : ?>
					<tr>
						<th scope="row"><label for="sir-donate-<?php echo esc_attr( $name ); ?>"><?php echo esc_html( $row[0] ); ?></label></th>
						<td>
							<input type="text" class="regular-text code" id="sir-donate-<?php echo esc_attr( $name ); ?>"
								name="<?php echo esc_attr( SIR_DONATE_OPTION . '[' . $name . ']' ); ?>"
								value="<?php echo esc_attr( $settings[ $name ] ); ?>"
								aria-describedby="sir-donate-<?php echo esc_attr( $name ); ?>-help" autocomplete="off" spellcheck="false">
							<p class="description" id="sir-donate-<?php echo esc_attr( $name ); ?>-help"><?php echo esc_html( $row[1] ); ?></p>
						</td>
					</tr>
				<?php endforeach; ?>
				<tr>
					<th scope="row"><label for="sir-donate-theme"><?php esc_html_e( 'Default theme', 'sir-donate' ); ?></label></th>
					<td>
						<select id="sir-donate-theme" name="<?php echo esc_attr( SIR_DONATE_OPTION . '[theme]' ); ?>">
							<?php
							foreach ( array(
								''      => __( 'Light (the widget\'s default)', 'sir-donate' ),
								'light' => __( 'Light', 'sir-donate' ),
								'dark'  => __( 'Dark', 'sir-donate' ),
								'auto'  => __( 'Auto (follows the visitor\'s system)', 'sir-donate' ),
							) as $value => $label ) :
								?>
								<option value="<?php echo esc_attr( $value ); ?>" <?php selected( $settings['theme'], $value ); ?>><?php echo esc_html( $label ); ?></option>
							<?php endforeach; ?>
						</select>
					</td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>
	</div>
	<?php
}
