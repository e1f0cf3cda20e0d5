// Browser checks of every HTML page of the example site, built at a fixed
// date, in Debian's chromium (see docs/accessibility.md):
//
//   - axe-core, WCAG 2.0/2.1/2.2 A and AA and best practice: no violations;
//   - the Nu HTML checker (vnu.jar) over every page at once: no errors;
//   - at 320 CSS px wide, also with text-spacing overrides, nothing makes
//     the page scroll sideways (wide tables scroll inside themselves) and no
//     box cuts its text off;
//   - Tab reaches the skip link first, the skip link moves focus to <main>,
//     and every focus stop looks different from the same element unfocused
//     (outline, box-shadow or background); in forced-colours mode the
//     outline is still there;
//   - with JavaScript off every page shows its main content, unchanged;
//   - no request leaves the site's origin;
//   - printed (print.css), a few page types have no navigation, black text
//     and nothing wider than the paper.
//
// Each page is loaded once with JavaScript and once without, by a small
// pool of tabs (NB_BROWSER_JOBS, default 2), and every check is made on
// that load; the tests below then report one check each.
//
// Run by `make test-browser` (and so `make test`).  NB_SCREENSHOTS=DIR also
// saves the README's screenshots into DIR (`make screenshots`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import {
	ROOT, SOURCE, buildSite, pagedSource, htmlFiles, pageUrl, serve, launchChromium,
	keepToOrigin, axeSource, vnuJar, cleanup,
} from './lib.mjs';
import { BRAND_PAIRS, colours, ratio } from './contrast.mjs';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
// Rules switched off on purpose, each with its reason in docs/accessibility.md.
const AXE_DISABLED = [];

const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 320, height: 640 };
const JOBS = Math.max(1, Number(process.env.NB_BROWSER_JOBS) || 2);

// One page of each kind the README shows, at 320 and 1280 px.
const SCREENSHOTS = [
	['home', '/'],
	['consultation', '/consultations/kingsbridge-town-centre-parking-review/'],
	['area', '/areas/kingsbridge/'],
	['calendar', '/calendar/'],
	['month', '/calendar/2026/12/'],
	['outcome', '/outcomes/recycling-centres-you-said-we-did/'],
];

let site, server, browser, withJs, withoutJs, files, vnu;
const offsite = [];
// Failures by check, each a line "PAGE: what is wrong"; null until the
// sweep over every page has run.
let found = null;

function report(failures, what) {
	assert.ok(failures, 'the sweep over every page did not run');
	if (failures.length)
		assert.fail(`${failures.length} ${what}:\n  ` + failures.join('\n  '));
}

async function open(p, file, origin = server.origin) {
	const url = origin + pageUrl(file);
	const res = await p.goto(url, { waitUntil: 'load' });
	if (!res || res.status() !== 200)
		throw new Error(`${url}: HTTP ${res ? res.status() : 'no response'}`);
}

// Run java -jar vnu.jar once over the whole site; resolves to its report.
function runVnu(dir) {
	return new Promise((ok) => {
		const args = ['-jar', vnuJar(), '--format', 'json', '--skip-non-html', dir];
		const java = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		java.stdout.on('data', (b) => { out += b; });
		java.stderr.on('data', (b) => { out += b; });
		java.on('error', (e) => ok({ error: `cannot run java: ${e.message} (install default-jre-headless)` }));
		java.on('close', (code) => ok({ code, out }));
	});
}

before(async () => {
	site = buildSite();
	files = htmlFiles(site);
	server = await serve(site);
	browser = await launchChromium();
	withJs = await browser.newContext({ viewport: WIDE, reducedMotion: 'reduce' });
	withoutJs = await browser.newContext({ viewport: WIDE, javaScriptEnabled: false });
	await withJs.addInitScript({ content: axeSource() });
	await keepToOrigin(withJs, server.origin, offsite);
	await keepToOrigin(withoutJs, server.origin, offsite);
});

after(async () => {
	await browser?.close();
	await server?.close();
	await vnu;                       // java may still be reading the site
	cleanup();
});

/* ---- what is checked in each page ------------------------------------- */

// axe-core is added to every page of the JavaScript context by an init
// script, sent to the browser once.
async function axeCheck(p) {
	return p.evaluate(async ({ tags, disabled }) => {
		const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: tags },
			rules,
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => {
			const nodes = v.nodes.map((n) => n.target.join(' ') + ': '
				+ n.failureSummary.replace(/\s+/g, ' '));
			return `${v.id} (${v.help}): ${nodes.slice(0, 3).join(' | ')}`
				+ (nodes.length > 3 ? ` and ${nodes.length - 3} more` : '');
		});
	}, { tags: AXE_TAGS, disabled: AXE_DISABLED });
}

// In the page: what sticks out sideways, and text cut off by its box.
function reflowProblems() {
	const out = [];
	const html = document.documentElement;
	const vw = html.clientWidth;
	const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
		+ (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '')
		+ ` "${(el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40)}"`;
	const hidden = (el) => {
		for (let p = el; p && p !== document.body; p = p.parentElement) {
			const s = getComputedStyle(p);
			if (s.display === 'none' || s.visibility === 'hidden')
				return true;
			if (s.overflow === 'hidden' && p.getBoundingClientRect().width <= 1)
				return true;     // visually hidden
		}
		return false;
	};
	const scrollsInside = (el) => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const ox = getComputedStyle(p).overflowX;
			if (ox === 'auto' || ox === 'scroll')
				return true;
		}
		return false;
	};
	if (html.scrollWidth > vw)
		out.push(`the page is ${html.scrollWidth}px wide`);
	for (const el of [html, document.body]) {
		const ox = getComputedStyle(el).overflowX;
		if (ox === 'hidden' || ox === 'clip')
			out.push(`${el.tagName.toLowerCase()} has overflow-x: ${ox}, which would hide content`);
	}
	let wide = 0;
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.right <= vw + 1 || scrollsInside(el) || hidden(el))
			continue;
		if (++wide <= 5)
			out.push(`${name(el)} reaches ${Math.round(r.right)}px`);
	}
	const scrolls = (v) => v === 'auto' || v === 'scroll';
	const focusable = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
	for (const el of document.body.querySelectorAll('*')) {
		const s = getComputedStyle(el);
		if ((s.overflowX === 'visible' && s.overflowY === 'visible') || hidden(el))
			continue;
		if (!scrolls(s.overflowY) && el.scrollHeight > el.clientHeight + 1)
			out.push(`${name(el)} cuts off its text (${el.scrollHeight}px in ${el.clientHeight}px high)`);
		if (!scrolls(s.overflowX) && el.scrollWidth > el.clientWidth + 1)
			out.push(`${name(el)} cuts off its text (${el.scrollWidth}px in ${el.clientWidth}px wide)`);
		// A box that scrolls sideways must be reachable from the keyboard.
		if (scrolls(s.overflowX) && el.scrollWidth > el.clientWidth + 1
		    && !el.matches(focusable) && !el.querySelector(focusable))
			out.push(`${name(el)} scrolls sideways but cannot be reached with the keyboard`);
	}
	return out;
}

const TEXT_SPACING = `* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
	word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }`;   // WCAG 2.2 success criterion 1.4.12

// In the page: note each focusable element's unfocused look, then record
// every focus stop as it is reached.
const FOCUS_WATCH = `(() => {
	const look = (el) => {
		const s = getComputedStyle(el);
		return { outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
			outlineColor: s.outlineColor, boxShadow: s.boxShadow, background: s.backgroundColor };
	};
	const before = new Map();
	for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary, iframe, [tabindex]'))
		before.set(el, look(el));
	const stops = [];
	document.addEventListener('focusin', () => {
		const el = document.activeElement;
		if (!el || el === document.body)
			return;
		const label = el.tagName.toLowerCase() + (el.classList.length ? '.' + el.classList[0] : '')
			+ ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
		const was = before.get(el);
		const now = look(el);
		const unfocused = was || { outlineStyle: 'none', outlineWidth: 0, outlineColor: '', boxShadow: 'none', background: '' };
		const outline = now.outlineStyle !== 'none' && now.outlineWidth >= 2
			&& !/^rgba\\(.*,\\s*0\\)$/.test(now.outlineColor) && now.outlineColor !== 'transparent'
			&& (unfocused.outlineStyle === 'none' || unfocused.outlineWidth < 2
				|| unfocused.outlineColor !== now.outlineColor);
		const shadow = now.boxShadow !== 'none' && now.boxShadow !== unfocused.boxShadow;
		const background = now.background !== unfocused.background;
		const r = el.getBoundingClientRect();
		const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
			&& r.top < innerHeight && r.left < innerWidth;
		stops.push({ el, label, skip: el.matches('a.skip-link[href="#main-content"]'),
			visible: outline || shadow || background, outline, onScreen });
	});
	window.__nbFocus = { count: before.size, stops };
	return before.size;
})()`;

async function tabWalk(p, at, { forced, limit, skip = true }) {
	const failures = [];
	const count = Math.min(limit, await p.evaluate(FOCUS_WATCH) + 1);
	// Key presses are sent in batches without waiting for each: the browser
	// handles them in order.
	for (let i = 0; i < count; i += 25)
		await Promise.all(Array.from({ length: Math.min(25, count - i) }, () => p.keyboard.press('Tab')));
	const stops = await p.evaluate(() => {
		const seen = new Set(), out = [];
		for (const s of window.__nbFocus.stops) {
			if (seen.has(s.el))
				break;          // wrapped round to the start
			seen.add(s.el);
			const { el, ...rest } = s;
			out.push(rest);
		}
		return out;
	});
	if (skip && (!stops.length || !stops[0].skip))
		failures.push(`${at}: the first Tab stop is ${stops.length ? stops[0].label : 'nothing'}, not the skip link`);
	stops.forEach((f, i) => {
		if (!f.onScreen)
			failures.push(`${at}: focus stop ${i + 1}, ${f.label}, is not on screen`);
		if (forced ? !f.outline : !f.visible)
			failures.push(`${at}: focus stop ${i + 1}, ${f.label}, has no visible focus style`);
	});
	return failures;
}

// Embeds (/embed/...) are small documents for other sites' iframes: no
// header or navigation, so nothing for a skip link to skip.
const isEmbed = (file) => file.startsWith('embed/');

async function checkPage(file, p, nojs, { origin = server.origin, label = '' } = {}) {
	const at = label + pageUrl(file);
	const embed = isEmbed(file);
	const mainSel = embed ? 'main' : 'main#main-content';
	const add = (check, problems) => found[check].push(...problems.map((x) => `${at}: ${x}`));

	await p.setViewportSize(WIDE);
	await open(p, file, origin);
	const text = await p.locator(mainSel).innerText().catch(() => null);

	// Keyboard, before anything else has had focus.
	found.focus.push(...await tabWalk(p, at, { forced: false, limit: 2000, skip: !embed }));
	if (!embed && await p.locator('a.skip-link').count() === 1) {
		await p.focus('a.skip-link');
		await p.keyboard.press('Enter');
		const target = await p.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
		if (target !== 'main-content')
			found.focus.push(`${at}: the skip link leaves focus on ${target}, not on #main-content`);
		await p.evaluate(() => document.activeElement?.blur());
	}

	add('axe', await axeCheck(p));

	await p.setViewportSize(NARROW);
	add('reflow', await p.evaluate(reflowProblems));
	await p.addStyleTag({ content: TEXT_SPACING });
	add('reflow', (await p.evaluate(reflowProblems)).map((x) => `(text spacing) ${x}`));

	// JavaScript off.
	await open(nojs, file, origin);
	const main = nojs.locator(mainSel);
	if (await main.count() !== 1) {
		found.nojs.push(`${at}: no ${mainSel}`);
	} else {
		if (!await main.isVisible() || !await nojs.locator('main h1').first().isVisible())
			found.nojs.push(`${at}: the main content or its h1 is not visible`);
		const off = await main.innerText();
		if (off.trim().length < 20)
			found.nojs.push(`${at}: the main content is empty`);
		else if (off !== text)
			found.nojs.push(`${at}: the main content is not the same as with JavaScript`);
	}
}

/* ---- the tests ---------------------------------------------------------- */

test('the example site has every kind of page', { skip: SOURCE !== ROOT && 'NB_SOURCE is another site' }, () => {
	assert.ok(files.length > 100, `only ${files.length} pages`);
	for (const f of ['index.html', '404.html', 'calendar/index.html', 'areas/index.html',
		'feedback/index.html', 'consultations/index.html', 'accessibility/index.html',
		'privacy/index.html'])
		assert.ok(files.includes(f), `${f} is missing`);
	for (const dir of ['consultations/', 'events/', 'outcomes/', 'areas/', 'partners/',
		'topics/', 'audiences/', 'calendar/20', 'reports/20', 'feedback/partners/',
		'feedback/areas/'])
		assert.ok(files.some((f) => f.startsWith(dir) && f !== `${dir}index.html`),
			`no page under /${dir}`);
});

test('brand.css: every colour keeps its contrast', () => {
	const css = readFileSync(join(site, 'static', 'brand.css'), 'utf8');
	const c = colours(css);
	const failures = [];
	for (const [fg, bg, min, what] of BRAND_PAIRS) {
		if (!c[fg] || !c[bg]) {
			failures.push(`${fg} or ${bg} is not a #hex colour in brand.css`);
			continue;
		}
		const r = ratio(c[fg], c[bg]);
		if (r < min)
			failures.push(`${what}: ${fg} ${c[fg]} on ${bg} ${c[bg]} is ${r.toFixed(2)}:1, needs ${min}:1`);
	}
	report(failures, 'colour pairs without enough contrast');
});

test(`every page, in ${JOBS} tabs: axe-core, reflow, keyboard, JavaScript off`, async () => {
	vnu ??= runVnu(site);            // in parallel with the browser
	const results = { axe: [], reflow: [], focus: [], nojs: [] };
	found = results;
	const queue = [...files];
	await Promise.all(Array.from({ length: JOBS }, async () => {
		const p = await withJs.newPage();
		const nojs = await withoutJs.newPage();
		for (let file; (file = queue.shift()) !== undefined;)
			await checkPage(file, p, nojs);
		await p.close();
		await nojs.close();
	}));

	// Pagination: the same checks on the list pages of a copy of the site
	// with 45 more past activities, served from its own origin.
	const paged = buildSite(pagedSource());
	const pagedFiles = htmlFiles(paged).filter((f) =>
		readFileSync(join(paged, f), 'utf8').includes('class="pagination"'));
	if (SOURCE === ROOT)
		assert.ok(pagedFiles.length >= 6, `only ${pagedFiles.length} pages with pagination`);
	const pagedServer = await serve(paged);
	try {
		const on = await browser.newContext({ viewport: WIDE, reducedMotion: 'reduce' });
		const off = await browser.newContext({ viewport: WIDE, javaScriptEnabled: false });
		await on.addInitScript({ content: axeSource() });
		await keepToOrigin(on, pagedServer.origin, offsite);
		await keepToOrigin(off, pagedServer.origin, offsite);
		const [p, nojs] = [await on.newPage(), await off.newPage()];
		for (const file of pagedFiles)
			await checkPage(file, p, nojs, { origin: pagedServer.origin, label: '(paged) ' });
		await on.close();
		await off.close();
	} finally {
		await pagedServer.close();
	}
	console.log(`checked ${files.length} pages, and ${pagedFiles.length} pages with pagination`);
});

test('axe-core: no violations on any page', () => {
	report(found?.axe, 'axe-core violations');
});

test('reflow: at 320px no page scrolls sideways, also with text-spacing overrides', () => {
	report(found?.reflow, 'reflow problems');
});

test('keyboard: Tab reaches the skip link first, and every focus stop is visibly styled', () => {
	report(found?.focus, 'keyboard focus problems');
});

test('JavaScript off: every page shows its main content', () => {
	report(found?.nojs, 'pages that need JavaScript');
});

test('forced colours: the focus outline survives', async () => {
	const p = await withJs.newPage();
	await p.emulateMedia({ forcedColors: 'active' });
	const failures = [];
	for (const [, url] of SCREENSHOTS) {
		const file = files.find((f) => pageUrl(f) === url);
		if (!file && SOURCE !== ROOT)
			continue;
		assert.ok(file, `${url} is not in the site`);
		await open(p, file);
		failures.push(...await tabWalk(p, `${url} (forced colours)`, { forced: true, limit: 2000 }));
	}
	await p.close();
	report(failures, 'forced-colours focus problems');
});

test('print: no navigation, black text, nothing wider than the paper', async () => {
	const p = await withJs.newPage({ viewport: { width: 680, height: 960 } });  // A4 less margins
	await p.emulateMedia({ media: 'print' });
	const failures = [];
	for (const [, url] of SCREENSHOTS) {
		const file = files.find((f) => pageUrl(f) === url);
		if (!file)
			continue;
		await open(p, file);
		const shown = await p.evaluate(() => ['.site-nav', '.breadcrumbs', '.skip-link', '.pager']
			.filter((sel) => [...document.querySelectorAll(sel)].some((el) => getComputedStyle(el).display !== 'none')));
		for (const sel of shown)
			failures.push(`${url}: ${sel} is printed`);
		const colour = await p.evaluate(() => getComputedStyle(document.querySelector('main')).color);
		if (colour !== 'rgb(0, 0, 0)')
			failures.push(`${url}: the main text prints in ${colour}, not black`);
		for (const x of await p.evaluate(reflowProblems))
			failures.push(`${url}: ${x}`);
	}
	await p.close();
	report(failures, 'print problems');
});

test('Nu HTML checker: no errors on any page', async () => {
	const r = await (vnu ??= runVnu(site));
	if (r.error)
		assert.fail(r.error);
	let messages;
	try {
		messages = JSON.parse(r.out).messages;
	} catch {
		assert.fail(`vnu.jar did not report JSON (exit ${r.code}):\n${r.out.slice(0, 2000)}`);
	}
	const where = (m) => (m.url || '').replace(/^file:.*?\/site\//, '/');
	const failures = messages
		.filter((m) => m.type === 'error' || m.type === 'non-document-error')
		.map((m) => `${where(m)}:${m.lastLine ?? ''}: ${m.message}`
			+ (m.extract ? ` [${m.extract.replace(/\s+/g, ' ').trim().slice(0, 80)}]` : ''));
	const warnings = messages.filter((m) => m.type === 'info' && m.subType === 'warning');
	for (const w of warnings.slice(0, 5))
		console.log(`vnu warning: ${where(w)}:${w.lastLine ?? ''}: ${w.message}`);
	report(failures, 'HTML errors');
});

test('screenshots of the main page types at 320 and 1280 px', async () => {
	const dir = process.env.NB_SCREENSHOTS ? resolve(ROOT, process.env.NB_SCREENSHOTS)
		: join(dirname(site), 'screenshots');
	mkdirSync(dir, { recursive: true });
	const p = await withJs.newPage();
	for (const [name, url] of SCREENSHOTS) {
		if (!files.some((f) => pageUrl(f) === url))
			continue;   // another site (NB_SOURCE) without this page
		for (const viewport of [NARROW, WIDE]) {
			await p.setViewportSize(viewport);
			await p.goto(server.origin + url);
			// The whole width, and as much of the height as shows the kind of page.
			const height = Math.min(await p.evaluate(() => document.documentElement.scrollHeight),
				viewport === NARROW ? 2000 : 1400);
			await p.screenshot({ path: join(dir, `${name}-${viewport.width}.png`), fullPage: true,
				clip: { x: 0, y: 0, width: viewport.width, height } });
		}
	}
	await p.close();
	if (process.env.NB_SCREENSHOTS)
		console.log(`screenshots saved in ${dir}`);
});

test('no request leaves the site\'s origin', () => {
	// Every page was loaded above, with and without JavaScript.
	assert.ok(found, 'the sweep over every page did not run');
	report(offsite.map((o) => `${o.from.replace(server.origin, '') || '(browser)'}: ${o.url}`),
		'requests to other origins');
});
