// bench/chart.svg: the time until usable and the first-load bytes of each page on each
// network profile, as grouped bars (medians), for the README. Written by run.mjs.

const PAGES = [
  ["plain", "plain link", "#9aa0a6"],
  ["ours", "sir-donate", "#0b5fff"],
  ["oursHints", "sir-donate + hints", "#6d9bff"],
  ["change", "Change form", "#e37400"],
];
const WIDTH = 960;
const HEIGHT = 360;
const PANEL = { top: 70, bottom: 300, width: 420 };
const FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";

const escapeXml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A "nice" axis maximum above `value`: 1, 2 or 5 times a power of ten. */
function niceMax(value) {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

/** One panel of grouped bars: a group per profile, a bar per page. */
function panel(x0, title, unit, groups, format) {
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.value ?? 0));
  const max = niceMax(Math.max(...values) * 1.1);
  const height = PANEL.bottom - PANEL.top;
  const y = (value) => PANEL.bottom - (value / max) * height;
  const groupWidth = PANEL.width / groups.length;
  const barWidth = (groupWidth - 24) / PAGES.length;
  const parts = [
    `<text x="${x0}" y="${PANEL.top - 28}" font-size="15" font-weight="600" fill="#1a1a1a">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (max / 4) * i;
    parts.push(
      `<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${y(value)}" y2="${y(value)}" stroke="#e3e5e8"/>`,
      `<text x="${x0 - 6}" y="${y(value) + 4}" font-size="11" text-anchor="end" fill="#555">${format(value)}</text>`,
    );
  }
  parts.push(`<text x="${x0}" y="${PANEL.top - 10}" font-size="11" fill="#555">${escapeXml(unit)}</text>`);
  groups.forEach((group, g) => {
    const gx = x0 + g * groupWidth + 12;
    group.bars.forEach((bar, b) => {
      if (bar.value === null || bar.value === undefined) return;
      const bx = gx + b * barWidth;
      const top = y(bar.value);
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 3).toFixed(1)}" height="${(PANEL.bottom - top).toFixed(1)}" fill="${bar.color}"><title>${escapeXml(`${bar.label}, ${group.label}: ${format(bar.value)} ${unit}`)}</title></rect>`,
        `<text x="${(bx + (barWidth - 3) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" font-size="10" text-anchor="middle" fill="#1a1a1a">${format(bar.value)}</text>`,
      );
    });
    parts.push(
      `<text x="${(gx + (groupWidth - 24) / 2).toFixed(1)}" y="${PANEL.bottom + 18}" font-size="12" text-anchor="middle" fill="#1a1a1a">${escapeXml(group.label)}</text>`,
    );
  });
  parts.push(`<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${PANEL.bottom}" y2="${PANEL.bottom}" stroke="#767676"/>`);
  return parts.join("\n");
}

/** The chart of one `results` (run.mjs), as SVG text. */
export function chartSvg(results) {
  const profiles = Object.values(results.profiles);
  const groups = (value) =>
    profiles.map((profile) => ({
      label: profile.label,
      bars: PAGES.map(([page, label, color]) => ({ label, color, value: value(profile.pages[page]) })),
    }));
  const usable = groups((page) => page.times.usable.median);
  const bytes = groups((page) => page.bytes.firstLoad.gzip.median / 1000);
  const legend = PAGES.map(([, label, color], i) => {
    const x = 60 + i * 170;
    return `<rect x="${x}" y="${HEIGHT - 24}" width="12" height="12" fill="${color}"/><text x="${x + 18}" y="${HEIGHT - 14}" font-size="12" fill="#1a1a1a">${escapeXml(label)}</text>`;
  }).join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} role="img" aria-labelledby="title">
<title id="title">sir-donate beside a plain link and the Change form: time until usable and first-load bytes, medians of ${results.runs} cold loads, ${escapeXml(results.date)}</title>
<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>
${panel(60, "Time until usable (lower is better)", "ms", usable, (v) => Math.round(v))}
${panel(530, "First load, gzip (lower is better)", "KB", bytes, (v) => (v >= 10 ? Math.round(v) : v.toFixed(1)))}
${legend}
</svg>
`;
}
