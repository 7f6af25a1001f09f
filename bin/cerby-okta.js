#!/usr/bin/env node
// `cerby-okta`: runs the TypeScript sources directly (see register-ts.js).
import "./register-ts.js";

await import("../src/cli/main.ts");
