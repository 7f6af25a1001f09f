/** Entry point kept for existing imports; the emulator lives in ./okta-emulator/. */
export * from "./okta-emulator/index.ts";
