// Helpers for the browser checks: build the example site, serve it on
// 127.0.0.1 from a small node server, list its pages, and start Debian's
// chromium through playwright-core.  Nothing here downloads a browser.

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import {
	mkdtempSync, readFileSync, readdirSync, statSync, existsSync, cpSync, writeFileSync, mkdirSync, rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, extname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const NOW = process.env.NOW || '2026-11-23';
export const CHROMIUM = process.env.NB_CHROMIUM || '/usr/bin/chromium';

// The site checked: the example site in the repository, or NB_SOURCE (a
// council's own site folder, to check its brand.css and layouts/).
export const SOURCE = process.env.NB_SOURCE ? resolve(process.env.NB_SOURCE) : ROOT;

// Temporary folders made here, removed by cleanup() unless NB_KEEP is set.
const temps = [];
function tempDir(prefix) {
	const d = mkdtempSync(join(tmpdir(), prefix));
	temps.push(d);
	return d;
}
export function cleanup() {
	if (!process.env.NB_KEEP)
		for (const d of temps.splice(0))
			rmSync(d, { recursive: true, force: true });
}

// Build the site with the generator built by `make`, into a new temporary
// folder; returns that folder.
export function buildSite(source = SOURCE) {
	const bin = process.env.NB_BIN ? resolve(ROOT, process.env.NB_BIN) : join(ROOT, 'noticeboard');
	if (!existsSync(bin))
		throw new Error(`${bin} is missing: run make first`);
	const out = join(tempDir('nb-browser-'), 'site');
	const r = spawnSync(bin, ['build', '--source', source, '--output', out, '--now', NOW, '--quiet'],
		{ cwd: ROOT, encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error(`noticeboard build failed (${r.status}):\n${r.stdout}${r.stderr}`);
	return out;
}

// Every HTML file of a built site, as paths relative to it, sorted.
export function htmlFiles(dir) {
	const found = [];
	const walk = (rel) => {
		for (const name of readdirSync(join(dir, rel)).sort()) {
			const r = rel ? `${rel}/${name}` : name;
			if (statSync(join(dir, r)).isDirectory())
				walk(r);
			else if (name.endsWith('.html'))
				found.push(r);
		}
	};
	walk('');
	return found;
}

// The address a page is linked at: "a/b/index.html" is "/a/b/".
export function pageUrl(file) {
	return '/' + file.replace(/(^|\/)index\.html$/, '$1');
}

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.jpg': 'image/jpeg',
	'.json': 'application/json',
	'.csv': 'text/csv; charset=utf-8',
	'.ics': 'text/calendar; charset=utf-8',
	'.xml': 'application/xml',
	'.txt': 'text/plain; charset=utf-8',
};

// Serve `dir` the way a static host does: "/x/" is "/x/index.html", a
// missing file is /404.html with status 404.  Resolves to { origin, close }.
export function serve(dir) {
	const root = resolve(dir);
	const server = createServer((req, res) => {
		let path;
		try {
			path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
		} catch {
			res.writeHead(400).end();
			return;
		}
		let file = resolve(root, '.' + path);
		if (file !== root && !file.startsWith(root + sep)) {
			res.writeHead(403).end();
			return;
		}
		let status = 200;
		if (existsSync(file) && statSync(file).isDirectory())
			file = join(file, 'index.html');
		if (!existsSync(file)) {
			status = 404;
			file = join(root, '404.html');
		}
		const body = readFileSync(file);
		res.writeHead(status, {
			'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
			'Content-Length': body.length,
		});
		res.end(req.method === 'HEAD' ? undefined : body);
	});
	return new Promise((ok, fail) => {
		server.on('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			ok({
				origin: `http://127.0.0.1:${port}`,
				close: () => new Promise((done) => server.close(done)),
			});
		});
	});
}

// Debian's chromium, headless, quiet: no background networking, no
// component updates, no first-run.  Playwright gives each launch a new,
// empty temporary profile (user-data-dir) and removes it on close.
export async function launchChromium() {
	const { chromium } = await import('playwright-core');
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-background-networking',
			'--disable-component-update',
			'--no-first-run',
			'--disable-gpu',
		],
	});
}

// Route every request of a browser context: requests to `origin` go
// through; anything else is aborted and recorded in `offsite`.
export async function keepToOrigin(context, origin, offsite) {
	await context.route('**/*', (route) => {
		const url = route.request().url();
		if (url.startsWith(origin + '/'))
			return route.continue();
		offsite.push({ url, from: route.request().frame()?.url() ?? '' });
		return route.abort('blockedbyclient');
	});
}

export function axeSource() {
	return readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
}

export function vnuJar() {
	return join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
}

// A copy of the site with `n` more past activities for one area and
// partner, so that its lists of past activities run to several pages (the
// example site has too few for that); returns the copy's folder.
export function pagedSource(n = 45, area = 'abbey-ward', partner = 'thornshire-police') {
	const dir = join(tempDir('nb-paged-'), 'source');
	mkdirSync(dir);
	for (const name of ['site.yaml', 'content', 'layouts', 'static', 'themes']) {
		if (existsSync(join(SOURCE, name)))
			cpSync(join(SOURCE, name), join(dir, name), { recursive: true });
	}
	for (let i = 0; i < n; i++) {
		const d = String(i % 28 + 1).padStart(2, '0');
		writeFileSync(join(dir, 'content', 'consultations', `paged-${i}.md`),
			`---\ntitle: Past activity number ${i + 1}\nsummary: An activity from last year.\n`
			+ `lead: ${partner}\nlevel: inform\nareas: [${area}]\n`
			+ `opens: 2025-01-${d}\ncloses: 2025-02-${d}\n---\n`);
	}
	return dir;
}
