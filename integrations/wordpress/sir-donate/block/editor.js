/* The SIR Donate block in the editor: every display option in the sidebar, and a preview
 * rendered by the same PHP as the page (ServerSideRender), in which the loader runs the
 * widget at its own size. The preview is inert: a Donate press must not leave the editor. */
( ( wp ) => {
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	var controls = wp.components;
	var blockEditor = wp.blockEditor;

	function text( name, label, help ) {
		return { name: name, label: label, help: help };
	}
	function choice( name, label, values ) {
		return { name: name, label: label, values: values };
	}

	var panels = [
		{
			title: __( 'Nonprofit and amounts', 'sir-donate' ),
			fields: [
				text( 'org', __( 'Nonprofit', 'sir-donate' ), __( 'Its slug, or several separated by commas for the donor to choose from.', 'sir-donate' ) ),
				text( 'amounts', __( 'Preset amounts', 'sir-donate' ), __( 'Comma-separated, in major units: 10,25,50,100', 'sir-donate' ) ),
				text( 'amount', __( 'Preselected amount', 'sir-donate' ) ),
				text( 'min', __( 'Smallest custom amount', 'sir-donate' ) ),
				text( 'max', __( 'Largest custom amount', 'sir-donate' ) ),
				{ name: 'lockAmount', label: __( 'Donate exactly the preselected amount', 'sir-donate' ), flag: true },
				text( 'currency', __( 'Currency', 'sir-donate' ), __( 'ISO 4217 code; empty: the site default.', 'sir-donate' ) ),
				choice( 'frequency', __( 'Frequency', 'sir-donate' ), [ 'once', 'monthly' ] ),
				{ name: 'lockFrequency', label: __( 'Hide the once/monthly choice', 'sir-donate' ), flag: true },
				text( 'requiredFields', __( 'Required donor fields', 'sir-donate' ), __( 'email, name (comma-separated)', 'sir-donate' ) ),
				text( 'referralCode', __( 'Referral code', 'sir-donate' ) ),
			],
		},
		{
			title: __( 'Campaign', 'sir-donate' ),
			fields: [
				text( 'campaign', __( 'Campaign code', 'sir-donate' ), __( 'Letters, digits, _ and -; the goal meter counts this campaign.', 'sir-donate' ) ),
				text( 'impact', __( 'Impact lines', 'sir-donate' ), __( '25: A week of clean water | 50: A month of school meals', 'sir-donate' ) ),
				text( 'goal', __( 'Goal', 'sir-donate' ), __( 'In major units; needs the partner endpoint in the settings.', 'sir-donate' ) ),
				{ name: 'urlPrefill', label: __( 'Open from links (#donate, sd_amount, sd_frequency, sd_org)', 'sir-donate' ), flag: true },
				choice( 'attribution', __( 'Send utm_* and click ids to the partner server', 'sir-donate' ), [ 'true', 'false' ] ),
				choice( 'analytics', __( 'Forward events to', 'sir-donate' ), [ 'datalayer', 'gtag' ] ),
			],
		},
		{
			title: __( 'Look', 'sir-donate' ),
			fields: [
				choice( 'mode', __( 'Mode', 'sir-donate' ), [ 'inline', 'button' ] ),
				text( 'label', __( 'Button text (button mode)', 'sir-donate' ) ),
				choice( 'target', __( 'Checkout opens in', 'sir-donate' ), [ 'same-tab', 'new-tab', 'popup' ] ),
				choice( 'theme', __( 'Theme', 'sir-donate' ), [ 'light', 'dark', 'auto' ] ),
				text( 'locale', __( 'Locale', 'sir-donate' ), __( 'BCP 47 tag; empty: the page language.', 'sir-donate' ) ),
				text( 'fallbackUrl', __( 'Fallback donation page', 'sir-donate' ), __( 'Linked until the form is ready, and if it cannot load.', 'sir-donate' ) ),
			],
		},
	];

	function control( field, attributes, setAttributes ) {
		var value = attributes[ field.name ];
		var set = ( next ) => {
			var change = {};
			change[ field.name ] = next;
			setAttributes( change );
		};
		if ( field.flag ) {
			return el( controls.ToggleControl, { key: field.name, label: field.label, checked: !! value, onChange: set } );
		}
		if ( field.values ) {
			const options = [ { label: __( 'Default', 'sir-donate' ), value: '' } ].concat(
				field.values.map( ( v ) => ( { label: v, value: v } ) )
			);
			return el( controls.SelectControl, { key: field.name, label: field.label, value: value, options: options, onChange: set } );
		}
		return el( controls.TextControl, { key: field.name, label: field.label, help: field.help, value: value, onChange: set } );
	}

	wp.blocks.registerBlockType( 'sir-donate/donate', {
		edit: ( props ) => {
			var sidebar = el(
				blockEditor.InspectorControls,
				null,
				panels.map( ( panel ) =>
					el(
						controls.PanelBody,
						{ key: panel.title, title: panel.title },
						panel.fields.map( ( field ) => control( field, props.attributes, props.setAttributes ) )
					)
				)
			);
			var preview = props.attributes.org
				? el( controls.Disabled, null, el( wp.serverSideRender, { block: 'sir-donate/donate', attributes: props.attributes } ) )
				: el( controls.Placeholder, { icon: 'heart', label: __( 'SIR Donate', 'sir-donate' ), instructions: __( 'Enter the nonprofit in the block settings.', 'sir-donate' ) } );
			return el( 'div', blockEditor.useBlockProps(), sidebar, preview );
		},
		save: () => null,
	} );
} )( window.wp );
