#!/usr/bin/env bash
# Runs "$@" beside a throwaway WordPress, from Debian's packages (scripts/setup.sh installs
# them): `wordpress` under a private Apache (mod_php, prefork) on loopback at a free port,
# over a private MariaDB reached through its socket only (no TCP), in a temporary directory.
# The site gets the plugin from its packed zip (dist/, `make build`), an administrator and
# an Author (e2e/wordpress/wp.php). Debian's wp-config.php picks its host file by the
# WORDPRESS_CONFIG variable: /etc/wordpress/config-sir-donate-test.php (setup.sh) reads
# this run's settings from SIR_WORDPRESS_CONFIG. The command gets WORDPRESS_URL,
# WORDPRESS_LOGS (the PHP and Apache error logs) and WORDPRESS_CLI (the PHP that talks to
# the site from the command line). Everything is stopped and gone afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
zip=dist/sir-donate-wordpress-$version.zip
[ -f "$zip" ] || { echo "with-wordpress: no $zip (make build packs it)" >&2; exit 1; }
[ -f /etc/wordpress/config-sir-donate-test.php ] && [ -f /usr/share/wordpress/wp-settings.php ] \
  && command -v apache2 >/dev/null && command -v mariadbd >/dev/null \
  || { echo "with-wordpress: no WordPress, Apache or MariaDB (scripts/setup.sh installs them)" >&2; exit 1; }

# Apache's children and MariaDB drop root for these users; as anyone else, they run as we do.
web_user=$(id -un) db_user=$(id -un)
if [ "$(id -u)" = 0 ]; then web_user=www-data db_user=mysql; fi

dir=$(mktemp -d /tmp/sir-wordpress.XXXXXX)
chmod 755 "$dir"
db=$dir/mariadb
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

stop() {
  [ -f "$dir/apache2.pid" ] && kill "$(cat "$dir/apache2.pid")" 2>/dev/null || true
  [ -f "$db/mariadb.pid" ] && kill "$(cat "$db/mariadb.pid")" 2>/dev/null || true
  # Both exit within a second or two; their files go only after they are gone.
  for _ in $(seq 50); do
    [ -e "$db/mariadb.sock" ] || [ -f "$dir/apache2.pid" ] || break
    sleep 0.2
  done
  rm -rf "$dir"
}
trap stop EXIT

# MariaDB: a fresh data directory, no networking at all, fsync off (nothing here must last).
# Its directory is its own (the server writes its socket, pid and log there), and open to
# Apache's user, who connects through the socket.
mkdir -m 755 "$db"
chown "$db_user" "$db"
mariadb-install-db --no-defaults --datadir="$db/data" --user="$db_user" \
  --auth-root-authentication-method=normal --skip-test-db >"$dir/mariadb-install.log" 2>&1 \
  || { cat "$dir/mariadb-install.log" >&2; exit 1; }
mariadbd --no-defaults --datadir="$db/data" --user="$db_user" --skip-networking \
  --socket="$db/mariadb.sock" --pid-file="$db/mariadb.pid" --log-error="$db/mariadb.log" \
  --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin >/dev/null 2>&1 &
for _ in $(seq 150); do
  mariadb-admin --no-defaults --socket="$db/mariadb.sock" -uroot ping >/dev/null 2>&1 && break
  sleep 0.2
done
mariadb --no-defaults --socket="$db/mariadb.sock" -uroot -e 'CREATE DATABASE wordpress' \
  || { cat "$db/mariadb.log" >&2; exit 1; }

# wp-content of this site: the plugin as a site owner installs it (its zip), Debian's theme,
# and a must-use plugin that keeps WordPress from asking WordPress.org for updates.
mkdir -p "$dir/wp-content/plugins" "$dir/wp-content/mu-plugins" "$dir/wp-content/themes" "$dir/wp-content/uploads"
cp e2e/wordpress/offline.php "$dir/wp-content/mu-plugins/"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$dir/wp-content/plugins"
ln -s /usr/share/wordpress/wp-content/themes/twentytwentythree "$dir/wp-content/themes/"
touch "$dir/php-errors.log" "$dir/apache-error.log"
chown -R "$web_user" "$dir/wp-content" "$dir/php-errors.log"

salt() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
cat >"$dir/wp-config.php" <<PHP
<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', 'localhost:$db/mariadb.sock' );
define( 'WP_HOME', '$url' );
define( 'WP_SITEURL', '$url' );
define( 'WP_CONTENT_DIR', '$dir/wp-content' );
define( 'WP_CONTENT_URL', '$url/wp-content' );
// Every notice, warning and deprecation goes to the log the tests read; none to the page.
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '$dir/php-errors.log' );
define( 'WP_DEBUG_DISPLAY', false );
// Nothing leaves the machine (update checks would wait on a network there is none of).
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as \$name ) {
	define( \$name, '$(salt)' . \$name );
}
PHP

# Apache: only what WordPress needs, loopback only, its files in this directory.
modules=/usr/lib/apache2/modules
cat >"$dir/apache2.conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $dir/apache2.pid
DefaultRuntimeDir $dir
Mutex file:$dir default
ErrorLog $dir/apache-error.log
LogLevel warn
User $web_user
Group $(id -gn "$web_user")
LoadModule mpm_prefork_module $modules/mod_mpm_prefork.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule alias_module $modules/mod_alias.so
LoadModule dir_module $modules/mod_dir.so
LoadModule env_module $modules/mod_env.so
LoadModule mime_module $modules/mod_mime.so
LoadModule php_module $modules/libphp8.2.so
StartServers 2
MinSpareServers 2
MaxSpareServers 6
MaxRequestWorkers 16
TypesConfig /etc/mime.types
DocumentRoot /usr/share/wordpress
DirectoryIndex index.php
SetEnv WORDPRESS_CONFIG sir-donate-test
SetEnv SIR_WORDPRESS_CONFIG $dir/wp-config.php
Alias /wp-content $dir/wp-content
<FilesMatch "\.php\$">
  SetHandler application/x-httpd-php
</FilesMatch>
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory /usr/share/wordpress>
  Require all granted
</Directory>
<Directory $dir/wp-content>
  Options FollowSymLinks
  Require all granted
</Directory>
CONF
sed -i "s|^LoadModule php_module .*|LoadModule php_module $(ls $modules/libphp*.so | sort -V | tail -1)|" "$dir/apache2.conf"
apache2 -f "$dir/apache2.conf" -k start || { cat "$dir/apache-error.log" >&2; exit 1; }
for _ in $(seq 100); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && break
  sleep 0.1
done

export WORDPRESS_URL=$url
export WORDPRESS_LOGS="$dir/php-errors.log $dir/apache-error.log"
export WORDPRESS_CLI="env WORDPRESS_CONFIG=sir-donate-test SIR_WORDPRESS_CONFIG=$dir/wp-config.php HTTP_HOST=127.0.0.1:$port php $PWD/e2e/wordpress/wp.php"
$WORDPRESS_CLI install
echo "with-wordpress: WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" /usr/share/wordpress/wp-includes/version.php) on $url" >&2
"$@"
