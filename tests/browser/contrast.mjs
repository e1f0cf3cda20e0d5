// Contrast ratios (WCAG 2.2, "relative luminance") of the colours in a
// brand.css, and the pairs the theme relies on.

// [foreground, background, minimum ratio, what it is for]
export const BRAND_PAIRS = [
	['--nb-brand-text', '--nb-brand', 4.5, 'header text and links'],
	['--nb-focus', '--nb-brand', 3, 'focus in the header'],
	['--nb-brand', '--nb-background', 3, 'chart bars'],
	['--nb-text', '--nb-background', 4.5, 'text'],
	['--nb-text', '--nb-panel', 4.5, 'text in boxes and the footer'],
	['--nb-muted', '--nb-background', 4.5, 'secondary text'],
	['--nb-muted', '--nb-panel', 4.5, 'secondary text in boxes'],
	['--nb-border', '--nb-background', 3, 'lines between things'],
	['--nb-border', '--nb-panel', 3, 'lines in boxes'],
	['--nb-link', '--nb-background', 4.5, 'links'],
	['--nb-link', '--nb-panel', 4.5, 'links in boxes and the footer'],
	['--nb-link-visited', '--nb-background', 4.5, 'visited links'],
	['--nb-link-visited', '--nb-panel', 4.5, 'visited links in boxes'],
	['--nb-link-hover', '--nb-background', 4.5, 'links under the pointer'],
	['--nb-link-hover', '--nb-panel', 4.5, 'links under the pointer in boxes'],
	['--nb-focus-text', '--nb-focus', 4.5, 'focused links'],
	['--nb-focus-text', '--nb-background', 3, 'the bar under a focused link'],
	...['--nb-open', '--nb-soon', '--nb-upcoming', '--nb-closed', '--nb-overdue',
		'--nb-outcome', '--nb-cancelled'].map((c) => ['--nb-tag-text', c, 4.5, 'status labels']),
];

// "--nb-x: #abc;" declarations of a stylesheet, as { name: "#aabbcc" }.
export function colours(css) {
	const out = {};
	for (const m of css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/(--nb-[a-z-]+)\s*:\s*(#[0-9a-fA-F]{3,8})\b/g))
		out[m[1]] = m[2];
	return out;
}

function luminance(hex) {
	let h = hex.replace('#', '');
	if (h.length <= 4)
		h = [...h].map((c) => c + c).join('');
	const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255)
		.map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function ratio(a, b) {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
	return (hi + 0.05) / (lo + 0.05);
}
