// Entry point for `cdktf synth` / `cdktf deploy` (see cdktf.json): one stack
// per synced workspace under ./workspaces, or under $CERBY_OKTA_WORKSPACES.
import { App } from "cdktf";
import { runCdktfApp } from "./src/cdktf-app.ts";

await runCdktfApp(new App());
