// bench/chart.svg: for each page on each network profile, the time until usable and, beside
// it for sir-donate, until interactive (the wasm took over), and the bytes before usable, as
// grouped bars (medians), for the README. Written by run.mjs.

const PAGES = [
  ["plain", "plain link", "#9aa0a6"],
  ["ours", "sir-donate", "#0b5fff"],
  ["oursHints", "sir-donate + hints", "#6d9bff"],
  ["change", "Change form", "#e37400"],
];
/** The bars of the time panel: usable for every page, and interactive beside it for ours. */
const TIME_BARS = [
  ["plain", "usable", "plain link", "#9aa0a6", false],
  ["ours", "usable", "sir-donate usable", "#0b5fff", false],
  ["ours", "interactive", "sir-donate interactive", "#0b5fff", true],
  ["oursHints", "usable", "+ hints usable", "#6d9bff", false],
  ["oursHints", "interactive", "+ hints interactive", "#6d9bff", true],
  ["change", "usable", "Change form usable", "#e37400", false],
];
const WIDTH = 1280;
const HEIGHT = 380;
const PANEL = { top: 70, bottom: 300 };
const FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";

const escapeXml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A "nice" axis maximum above `value`: 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6 or 8 times a power of ten,
 * each a multiple of the four grid steps. */
function niceMax(value) {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  return [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

/** A hatched fill for the interactive bars, one per colour. */
const hatchId = (color) => `hatch-${color.slice(1)}`;
const hatch = (color) =>
  `<pattern id="${hatchId(color)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
  `<rect width="6" height="6" fill="${color}" fill-opacity="0.35"/><line x1="0" y1="0" x2="0" y2="6" stroke="${color}" stroke-width="3"/></pattern>`;
const fillOf = (color, hatched) => (hatched ? `url(#${hatchId(color)})` : color);

/** One panel of grouped bars: a group per profile, a bar per series. */
function panel(x0, width, title, unit, groups, format) {
  const values = groups.flatMap((group) => group.bars.map((bar) => bar.value ?? 0));
  const max = niceMax(Math.max(...values) * 1.1);
  const height = PANEL.bottom - PANEL.top;
  const y = (value) => PANEL.bottom - (value / max) * height;
  const groupWidth = width / groups.length;
  const barWidth = (groupWidth - 16) / groups[0].bars.length;
  const parts = [
    `<text x="${x0}" y="${PANEL.top - 28}" font-size="15" font-weight="600" fill="#1a1a1a">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const value = (max / 4) * i;
    parts.push(
      `<line x1="${x0}" x2="${x0 + width}" y1="${y(value)}" y2="${y(value)}" stroke="#e3e5e8"/>`,
      `<text x="${x0 - 6}" y="${y(value) + 4}" font-size="11" text-anchor="end" fill="#555">${format(value)}</text>`,
    );
  }
  parts.push(`<text x="${x0}" y="${PANEL.top - 10}" font-size="11" fill="#555">${escapeXml(unit)}</text>`);
  groups.forEach((group, g) => {
    const gx = x0 + g * groupWidth + 8;
    group.bars.forEach((bar, b) => {
      if (bar.value === null || bar.value === undefined) return;
      const bx = gx + b * barWidth;
      const top = y(bar.value);
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(PANEL.bottom - top).toFixed(1)}" fill="${fillOf(bar.color, bar.hatched)}"><title>${escapeXml(`${bar.label}, ${group.label}: ${format(bar.value)} ${unit}`)}</title></rect>`,
        `<text x="${(bx + (barWidth - 2) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" font-size="9" text-anchor="middle" fill="#1a1a1a">${format(bar.value)}</text>`,
      );
    });
    parts.push(
      `<text x="${(gx + (groupWidth - 16) / 2).toFixed(1)}" y="${PANEL.bottom + 18}" font-size="12" text-anchor="middle" fill="#1a1a1a">${escapeXml(group.label)}</text>`,
    );
  });
  parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${PANEL.bottom}" y2="${PANEL.bottom}" stroke="#767676"/>`);
  return parts.join("\n");
}

/** The chart of one `results` (run.mjs), as SVG text. */
export function chartSvg(results) {
  const profiles = Object.values(results.profiles);
  const times = profiles.map((profile) => ({
    label: profile.label,
    bars: TIME_BARS.map(([page, figure, label, color, hatched]) => ({
      label,
      color,
      hatched,
      value: profile.pages[page].times[figure]?.median,
    })),
  }));
  const bytes = profiles.map((profile) => ({
    label: profile.label,
    bars: PAGES.map(([page, label, color]) => ({
      label,
      color,
      value: profile.pages[page].bytes.firstLoad.gzip.median / 1000,
    })),
  }));
  const legend = TIME_BARS.map(([, , label, color, hatched], i) => {
    const x = 60 + i * 200;
    return `<rect x="${x}" y="${HEIGHT - 34}" width="12" height="12" fill="${fillOf(color, hatched)}"/><text x="${x + 18}" y="${HEIGHT - 24}" font-size="12" fill="#1a1a1a">${escapeXml(label)}</text>`;
  }).join("\n");
  const colors = [...new Set(TIME_BARS.filter((bar) => bar[4]).map((bar) => bar[3]))];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} role="img" aria-labelledby="title">
<title id="title">sir-donate beside a plain link and the Change form: time until usable and until interactive, and the bytes before usable, medians of ${results.runs} cold loads, ${escapeXml(results.date)}</title>
<defs>${colors.map(hatch).join("")}</defs>
<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>
${panel(60, 700, "Time until usable, and until interactive (hatched)", "ms", times, (v) => Math.round(v))}
${panel(840, 420, "Bytes before usable, gzip", "KB", bytes, (v) => (v >= 10 ? Math.round(v) : v.toFixed(1)))}
${legend}
<text x="60" y="${HEIGHT - 6}" font-size="11" fill="#555">Lower is better. Usable: takes input and names the nonprofit. Interactive: the wasm took over. Phone: slow 4G, the CPU throttled 4×.</text>
</svg>
`;
}
