/**
 * Draws the app icons (`deno run -A scripts/make_icons.ts`): SVG sources
 * rendered to PNG by headless Chromium, written to static/icons/. The PNGs are
 * committed; rerun this only when the artwork changes.
 */
import { launchBrowser } from "../tests/helpers/browser.ts";

const OUT = new URL("../static/icons/", import.meta.url).pathname;
const INDIGO = "#3730a3";

/** The handwritten "2" of favicon.svg, on a 64×64 grid, scaled around the centre. */
function glyph(scale: number): string {
  const t = 32 - 32 * scale;
  return `<g transform="translate(${t} ${t}) scale(${scale})">
    <path d="M22 18c4-5 18-6 20 3s-14 18-20 25h22" fill="none" stroke="#fff" stroke-width="6"
      stroke-linecap="round" stroke-linejoin="round"/></g>`;
}

/** Rounded square with transparent corners: the "any" purpose icon. */
const anyIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="14" fill="${INDIGO}"/>${glyph(1)}</svg>`;

// Maskable: full bleed, the glyph inside the central 80 % circle (the safe zone) with margin.
const maskableIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="${INDIGO}"/>${glyph(0.8)}</svg>`;

// iOS rounds the corners itself and shows transparency as black: full bleed, a little margin.
const appleIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="${INDIGO}"/>${glyph(0.86)}</svg>`;

const shortcut = (inner: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="14" fill="${INDIGO}"/>
  <g fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round" stroke-linejoin="round">
  ${inner}</g></svg>`;

const cameraIcon = shortcut(
  `<path d="M14 24h8l4-6h12l4 6h8v22H14z"/><circle cx="32" cy="35" r="7"/>`,
);
const drawIcon = shortcut(
  `<path d="M18 46l4-12 20-20 8 8-20 20z"/><path d="M38 18l8 8"/><path d="M18 46l10-4"/>`,
);

const ICONS: [name: string, size: number, svg: string][] = [
  ["icon-192.png", 192, anyIcon],
  ["icon-512.png", 512, anyIcon],
  ["maskable-192.png", 192, maskableIcon],
  ["maskable-512.png", 512, maskableIcon],
  ["apple-touch-icon.png", 180, appleIcon],
  ["shortcut-camera-96.png", 96, cameraIcon],
  ["shortcut-draw-96.png", 96, drawIcon],
];

await Deno.mkdir(OUT, { recursive: true });
const browser = await launchBrowser();
try {
  for (const [name, size, svg] of ICONS) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace("<svg ", `<svg width="${size}" height="${size}" `);
    await page.setContent(`<body style="margin:0">${sized}</body>`);
    await page.locator("svg").screenshot({ path: OUT + name, omitBackground: true });
    await page.close();
    console.log(`static/icons/${name}`);
  }
} finally {
  await browser.close();
}
