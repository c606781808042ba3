/*
 * signin.js: sign in to oidcgi's bundled pages in headless Chromium as
 * a person would, driven by playwright-core (tests/integration/
 * test_browser.py runs it).
 *
 *   node signin.js CONFIG.json
 *
 * CONFIG: {"auth_url", "redirect_prefix", "username", "password",
 * "out_dir", "user_data_dir"}.  Opens auth_url, types the username and
 * password into the login form, ticks the consent boxes, presses Allow,
 * and waits to land on redirect_prefix.  Saves screenshots of the login
 * and consent pages (phone- and desktop-sized) in out_dir, and measures
 * that the stylesheet applied and nothing overflows sideways.  Prints
 * one JSON line: {"ok": true, "url": <where it landed>, "pages": {...}}.
 * Any failure, Chromium not starting first of all, exits non-zero with
 * the reason on stderr.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/* The flags the issue names; Playwright adds its own automation ones. */
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
	"--no-first-run", "--disable-background-networking",
	"--disable-component-update", "--disable-sync"];

/* Layout facts of the page at the current viewport. */
async function layout(page) {
	return page.evaluate(() => {
		const card = document.querySelector("main.card");
		const s = getComputedStyle(card);
		return {
			viewport: window.innerWidth,
			scrollWidth: document.documentElement.scrollWidth,
			cardWidth: card.getBoundingClientRect().width,
			cardMaxWidth: s.maxWidth,
			bodyFont: getComputedStyle(document.body).fontFamily,
			title: document.title,
		};
	});
}

/* Screenshots at both sizes; the layout at each. */
async function shoot(page, outDir, name) {
	const out = {};

	for (const [size, vp] of [["phone", PHONE], ["desktop", DESKTOP]]) {
		await page.setViewportSize(vp);
		const file = path.join(outDir, `${name}-${size}.png`);
		await page.screenshot({ path: file, fullPage: true });
		out[size] = Object.assign(await layout(page), { file });
	}
	return out;
}

async function main() {
	const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
	const problems = [];
	const pages = {};
	let context;

	fs.mkdirSync(cfg.out_dir, { recursive: true });
	try {
		context = await chromium.launchPersistentContext(
		    cfg.user_data_dir, {
			executablePath: "/usr/bin/chromium",
			headless: true,
			args: FLAGS,
			viewport: DESKTOP,
			timeout: 60000,
		});
	} catch (e) {
		throw new Error("Chromium (/usr/bin/chromium) did not start: " +
		    e.message);
	}
	try {
		const page = context.pages()[0] || await context.newPage();
		page.setDefaultTimeout(30000);
		/* A CSP violation or a failed stylesheet shows up here. */
		page.on("console", (m) => {
			if (m.type() === "error" && !/favicon/.test(m.text()))
				problems.push(m.text());
		});
		page.on("pageerror", (e) => problems.push(String(e)));

		await page.goto(cfg.auth_url);
		await page.waitForURL(/\/ui\/login\?/);
		await page.getByLabel("Username").fill(cfg.username);
		await page.getByLabel("Password").fill(cfg.password);
		pages.login = await shoot(page, cfg.out_dir, "login");
		await page.getByRole("button", { name: "Sign in" }).click();

		await page.waitForURL(/\/ui\/consent\?/);
		/* Untick and tick again, as a person making up their mind. */
		const email = page.getByRole("checkbox",
		    { name: /email address/ });
		await email.uncheck();
		await email.check();
		await page.getByRole("checkbox",
		    { name: /Remember this decision/ }).check();
		pages.consent = await shoot(page, cfg.out_dir, "consent");
		pages.consent.openidDisabled = await page.getByRole(
		    "checkbox", { name: /Know who you are/ }).isDisabled();
		await page.getByRole("button", { name: "Allow" }).click();

		await page.waitForURL((u) =>
		    u.toString().startsWith(cfg.redirect_prefix));
		if (problems.length > 0)
			throw new Error("the browser reported: " +
			    problems.join(" | "));
		process.stdout.write(JSON.stringify({ ok: true,
		    url: page.url(), pages }) + "\n");
	} finally {
		await context.close();
	}
}

main().catch((e) => {
	process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
	process.exit(1);
});
