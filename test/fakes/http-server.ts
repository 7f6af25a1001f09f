// The HTTP server helpers moved to the harness (harness/http-server.ts), which the Cerby emulator shares.
export * from "../../harness/http-server.ts";
