/**
 * Launches headless Chromium for the browser tests: Debian's /usr/bin/chromium where it is installed,
 * otherwise the one packed inside @sparticuz/chromium (unpacked to /tmp on first use, no download).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function packagedChromium(): Promise<{ executablePath: string; args: string[] }> {
  const { default: packaged } = await import('@sparticuz/chromium');
  const executablePath = await packaged.executablePath();
  // Its own flags (single process, no zygote) suit a serverless sandbox; ours suit a test machine.
  return { executablePath, args: [...FLAGS, '--no-zygote'] };
}

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, args } = existsSync(SYSTEM_CHROMIUM) ? { executablePath: SYSTEM_CHROMIUM, args: FLAGS } : await packagedChromium();
  return chromium.launch({ executablePath, args });
}
