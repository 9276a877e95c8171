import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

/**
 * The project's zod: `zod/mini`, the same library's tree-shakable API (functions instead of
 * methods), so that a Lambda bundles only the schemas and checks it uses. Every file imports zod
 * from here, as a namespace: `import * as z from "…/domain/zod"`. Re-exporting one `z` object
 * instead (`export { z }`, `export * as z`) makes the bundler keep the whole library, every
 * language included.
 *
 * Mini loads no locale, where classic loads English: English is loaded here, once, so that every
 * message (`Too small: expected string to have >=1 characters`, …) stays what answers, quarantine
 * records and tests have always said. Not `locales` from zod: that index pulls in every language.
 */
config(en());

export * from "zod/mini";
