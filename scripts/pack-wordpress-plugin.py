#!/usr/bin/env python3
"""Packs the WordPress plugin (integrations/wordpress/sir-donate/) as
dist/sir-donate-wordpress-<version>.zip, beside the npm tarball: the zip WordPress's
"Upload Plugin" takes, with the folder sir-donate/ at its top.

The plugin's version follows the widget's: this refuses to pack when the plugin's header,
its SIR_DONATE_VERSION, readme.txt's Stable tag or the block's asset version differ from
Cargo.toml's version."""
import re
import sys
import zipfile
from pathlib import Path

repo = Path(__file__).resolve().parent.parent
plugin = repo / "integrations/wordpress/sir-donate"
version = re.search(r'^version = "([^"]+)"', (repo / "Cargo.toml").read_text(), re.M).group(1)

stated = {
    "sir-donate.php, Version header": re.search(r"^ \* Version:\s*(\S+)", (plugin / "sir-donate.php").read_text(), re.M),
    "sir-donate.php, SIR_DONATE_VERSION": re.search(r"'SIR_DONATE_VERSION', '([^']+)'", (plugin / "sir-donate.php").read_text()),
    "readme.txt, Stable tag": re.search(r"^Stable tag:\s*(\S+)", (plugin / "readme.txt").read_text(), re.M),
    "block/editor.asset.php, version": re.search(r"'version'\s*=>\s*'([^']+)'", (plugin / "block/editor.asset.php").read_text()),
}
wrong = [f"{where} says {m.group(1) if m else 'nothing'}" for where, m in stated.items() if not m or m.group(1) != version]
if wrong:
    sys.exit(f"pack-wordpress-plugin: the plugin's version must be the widget's ({version}, Cargo.toml): " + "; ".join(wrong))

out = repo / "dist" / f"sir-donate-wordpress-{version}.zip"
out.parent.mkdir(exist_ok=True)
files = sorted(p for p in plugin.rglob("*") if p.is_file())
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    for path in files:
        # Fixed dates and modes: the same sources pack to the same bytes.
        info = zipfile.ZipInfo(f"sir-donate/{path.relative_to(plugin).as_posix()}", (2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, path.read_bytes())
print(f"dist/{out.name}: {len(files)} files, {out.stat().st_size} bytes")
