// What the browser walks share: their settings from the environment, Debian's chromium launched
// headless, and a failure's screenshot.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

// LIUHEN_URL and LIUHEN_PASSWORD (required), LIUHEN_USER, LIUHEN_SCREENSHOTS.
export function settings(defaultUser) {
  const base = process.env.LIUHEN_URL;
  const password = process.env.LIUHEN_PASSWORD;
  if (!base || !password) {
    console.error('LIUHEN_URL and LIUHEN_PASSWORD are required');
    process.exit(2);
  }
  return {
    base,
    password,
    user: process.env.LIUHEN_USER ?? defaultUser,
    shots: process.env.LIUHEN_SCREENSHOTS ?? 'screenshots',
  };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Saves the page as `name` in `shots`; the file's path.
export async function screenshot(page, shots, name) {
  mkdirSync(shots, { recursive: true });
  const file = join(shots, name);
  await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return file;
}
