/**
 * How the dashboard's browser tests and screenshots start Debian's chromium through playwright-core
 * (`executablePath`: no browser download; `.ci/run` installs the package when missing).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
