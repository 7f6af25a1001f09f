#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx cerby-okta` works
// right after `npm install` with no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
