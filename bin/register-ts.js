// Lets Node run the project's TypeScript sources directly, so that
// `npx cerby-okta` needs no build step. Only our own `.ts` files are
// transformed (by esbuild); packages load untouched, at full speed.
import { register } from "node:module";

register("./ts-hooks.js", import.meta.url);
