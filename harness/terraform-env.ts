/**
 * A sandbox in which the real `terraform` binary runs offline against the
 * stand-in okta/okta provider (./provider) and the Okta emulator.
 *
 * The provider runs compiled, from dist/harness/provider/main.js (`npm run
 * build`; the tests' global set-up builds before every run), reading its
 * schema and protos from the source folder harness/provider.
 *
 * Layout of a provider install (`installStandInProvider`: one per test run,
 * shared by its sandboxes, or one per sandbox when there is none):
 *   provider/cert/     a pre-generated TLS certificate for the provider
 *   mirror/<registry>/okta/okta/<v>/<os>_<arch>/terraform-provider-okta_v<v>
 *                      executable wrapper (bash: served by a provider host when the run has them,
 *                      ./provider-hosts.ts; else `exec node <repo>/dist/harness/provider/standin.bundle.mjs`,
 *                      main.js bundled into one file: ./provider/bundle.ts), one per modelled release
 *                      (4.20.0, 6.12.0), each playing its own (OKTA_STANDIN_VERSION), under
 *                      registry.terraform.io (Terraform's `okta/okta`) and
 *                      registry.opentofu.org (OpenTofu's `okta/okta`) alike
 *   terraformrc        CLI config: filesystem_mirror for okta/okta on both registries, direct for the rest
 * and of the sandbox (a fresh temp dir per call):
 *   work/              a working directory tests may use for configurations
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { providerEntry } from "./provider/bundle.ts";
import { DEFAULT_OKTA_PROVIDER_VERSION, MODELLED_OKTA_PROVIDER_VERSIONS } from "../src/config/okta-provider-version.ts";
import { generateCertificate } from "./provider/tls.ts";
import { REPO_ROOT } from "./repo-root.ts";
import { PROVIDER_HOSTS_ENV } from "./provider-hosts.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The provider's source folder: its schema.json and .proto files are read from here (OKTA_STANDIN_DIR). */
const PROVIDER_SRC = join(REPO_ROOT, "harness", "provider");
/** The provider compiled by `npm run build`. */
const PROVIDER_MAIN = join(REPO_ROOT, "dist", "harness", "provider", "main.js");
const require = createRequire(import.meta.url);

export const SKIP_ENV = "CERBY_OKTA_SKIP_TERRAFORM_TESTS";

/** Where Terraform and OpenTofu look for `okta/okta`: the mirror holds the stand-in under both. */
export const PROVIDER_REGISTRIES = ["registry.terraform.io", "registry.opentofu.org"] as const;
const OKTA_PROVIDER_ADDRESSES = PROVIDER_REGISTRIES.map((registry) => `${registry}/okta/okta`);

/** True when Terraform tests are to be skipped (CERBY_OKTA_SKIP_TERRAFORM_TESTS=1). */
export function shouldSkipTerraformTests(): boolean {
  return process.env[SKIP_ENV] === "1";
}

/** Absolute path of `terraform` on PATH, or throws a clear Error. */
export function requireTerraform(): string {
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    if (!d) continue;
    const candidate = join(d, "terraform");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  throw new Error(
    "terraform binary not found on PATH; install Terraform 1.x or set CERBY_OKTA_SKIP_TERRAFORM_TESTS=1 to skip",
  );
}

/** The okta/okta version the @cdktf/provider-okta binding pins (e.g. "4.20.0"). */
export function pinnedOktaProviderVersion(): string {
  const file = require.resolve("@cdktf/provider-okta/lib/provider/index.js", { paths: [process.cwd(), HERE] });
  const m = /providerVersion: '([^']+)'/.exec(readFileSync(file, "utf8"));
  if (!m) throw new Error(`providerVersion not found in ${file}`);
  return m[1]!;
}

export interface TerraformSandboxOptions {
  emulatorUrl: string;
  token: string;
  /** The okta/okta release hand-written configurations ask for (`providerVersion`; default 6.12.0). Every modelled release is in the mirror. */
  providerVersion?: string;
  /** Extra environment for terraform and the provider. */
  env?: Record<string, string>;
  /**
   * A provider install of this sandbox's own, not the test run's shared one:
   * for a test that alters or removes the mirror's packages (other test
   * files use the shared mirror at the same time).
   */
  privateInstall?: boolean;
}

export interface TerraformSandbox {
  /** Root temp dir of the sandbox. */
  dir: string;
  /** Empty working directory inside `dir` for configurations. */
  workDir: string;
  cliConfigFile: string;
  mirrorDir: string;
  providerExecutable: string;
  providerVersion: string;
  /** Complete environment for terraform (use with execa `extendEnv: false`). */
  env: Record<string, string>;
  /** Runs terraform in `cwd` (default workDir); never rejects on a non-zero exit. */
  terraform(args: string[], options?: { cwd?: string; timeoutMs?: number }): Promise<TerraformResult>;
  cleanup(): void;
}

export interface TerraformResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * The wrapper's first choice, when the test run has provider hosts
 * (PROVIDER_HOSTS_ENV: their ports): be this Terraform command's provider
 * process without starting Node, served by a host (harness/provider/host.ts
 * says how). A host it cannot reach is said on stderr, and the wrapper starts
 * the provider itself.
 */
const HOSTED_LAUNCH = [
  `if [ -n "\${${PROVIDER_HOSTS_ENV}:-}" ]; then`,
  `  read -r -a ports <<< "\$${PROVIDER_HOSTS_ENV}"`,
  "  port=${ports[$(( $$ % ${#ports[@]} ))]}",
  // go-plugin plugins ignore SIGINT (Terraform handles it, and Ctrl-C reaches the whole process group); cat inherits this.
  "  trap '' INT",
  '  if exec 3<>"/dev/tcp/127.0.0.1/$port"; then',
  "    { env -0; printf '\\0'; } >&3",
  "    IFS= read -r line <&3",
  '    case $line in',
  "      '1|'*) printf '%s\\n' \"$line\"; exec cat <&3 >&2 ;;",
  "      *) { printf '%s\\n' \"$line\"; cat <&3; } >&2; exit 1 ;;",
  "    esac",
  "  fi",
  '  echo "the provider host on port $port did not answer: starting the stand-in provider here" >&2',
  "fi",
];

/** Publishes the stand-in as okta/okta `version` under every registry address; returns Terraform's one. */
function publishProvider(mirrorDir: string, version: string, certDir: string, entry: string): string {
  const [executable] = PROVIDER_REGISTRIES.map((registry) => {
    const pkgDir = join(mirrorDir, registry, "okta", "okta", version, platformDir());
    mkdirSync(pkgDir, { recursive: true });
    const file = join(pkgDir, `terraform-provider-okta_v${version}`);
    writeFileSync(
      file,
      [
        "#!/usr/bin/env bash",
        "# stand-in okta/okta provider for tests (generated by harness/terraform-env.ts)",
        `OKTA_STANDIN_DIR=${sh(PROVIDER_SRC)}`,
        `OKTA_STANDIN_CERT_DIR=${sh(certDir)}`,
        `OKTA_STANDIN_VERSION=${sh(version)}`,
        "export OKTA_STANDIN_DIR OKTA_STANDIN_CERT_DIR OKTA_STANDIN_VERSION",
        ...HOSTED_LAUNCH,
        `exec ${sh(process.execPath)} ${sh(entry)}`,
        "",
      ].join("\n"),
    );
    chmodSync(file, 0o755);
    return file;
  });
  return executable!;
}

function platformDir(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = process.arch === "x64" ? "amd64" : process.arch === "ia32" ? "386" : process.arch;
  return `${os}_${arch}`;
}

const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Where the stand-in provider is installed for Terraform: its certificate, the filesystem mirror holding a wrapper per modelled release, and the CLI config naming the mirror. */
export interface ProviderInstall {
  certDir: string;
  mirrorDir: string;
  /** Terraform's wrapper of each modelled okta/okta release. */
  executables: Record<string, string>;
  cliConfigFile: string;
}

/**
 * Names a folder holding one provider install for a whole test run
 * (test/support/global-setup.ts makes it): every sandbox of the run then
 * shares the certificate and the wrappers, so Terraform computes the same
 * lock-file hash in every stack folder, and no sandbox generates a certificate.
 */
export const SHARED_INSTALL_ENV = "CERBY_OKTA_TEST_PROVIDER_INSTALL";
const INSTALL_RECORD = "install.json";

/** Installs the stand-in provider into `dir` (a certificate, the mirror with every modelled release, a CLI config); records it in `dir/install.json`. */
export async function installStandInProvider(dir: string): Promise<ProviderInstall> {
  if (!existsSync(PROVIDER_MAIN)) {
    throw new Error(`the stand-in provider is not built (${PROVIDER_MAIN} is missing): run \`npm run build\``);
  }
  const certDir = join(dir, "provider", "cert");
  mkdirSync(certDir, { recursive: true });
  generateCertificate(certDir);

  const mirrorDir = join(dir, "mirror");
  // `okta/okta` in a configuration means registry.terraform.io/okta/okta to Terraform and
  // registry.opentofu.org/okta/okta to OpenTofu: the same stand-in under both.
  const entry = await providerEntry();
  const executables = Object.fromEntries(MODELLED_OKTA_PROVIDER_VERSIONS.map((published) => [published, publishProvider(mirrorDir, published, certDir, entry)]));

  const cliConfigFile = join(dir, "terraformrc");
  writeFileSync(
    cliConfigFile,
    [
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(mirrorDir)}`,
      `    include = ${JSON.stringify(OKTA_PROVIDER_ADDRESSES)}`,
      "  }",
      "  direct {",
      `    exclude = ${JSON.stringify(OKTA_PROVIDER_ADDRESSES)}`,
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  const install: ProviderInstall = { certDir, mirrorDir, executables, cliConfigFile };
  writeFileSync(join(dir, INSTALL_RECORD), JSON.stringify(install));
  return install;
}

/** The test run's shared install (SHARED_INSTALL_ENV) while it is still there, else undefined. */
function sharedInstall(): ProviderInstall | undefined {
  const dir = process.env[SHARED_INSTALL_ENV];
  if (!dir || !existsSync(join(dir, INSTALL_RECORD))) return undefined;
  const install = JSON.parse(readFileSync(join(dir, INSTALL_RECORD), "utf8")) as ProviderInstall;
  return Object.values(install.executables).every((file) => existsSync(file)) ? install : undefined;
}

export async function createTerraformSandbox(options: TerraformSandboxOptions): Promise<TerraformSandbox> {
  const version = options.providerVersion ?? DEFAULT_OKTA_PROVIDER_VERSION;
  const dir = mkdtempSync(join(tmpdir(), "cerby-okta-tf-"));
  try {
    const { cliConfigFile, mirrorDir, executables } = (options.privateInstall ? undefined : sharedInstall()) ?? (await installStandInProvider(dir));
    const providerExecutable = executables[version];
    if (!providerExecutable) throw new Error(`the stand-in okta provider does not model okta/okta ${version} (it plays ${MODELLED_OKTA_PROVIDER_VERSIONS.join(", ")})`);

    const workDir = join(dir, "work");
    mkdirSync(workDir);

    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v === undefined) continue;
      if (k === "TF_PLUGIN_CACHE_DIR" || k.startsWith("TF_LOG") || k === "TF_DATA_DIR" || k === "TF_WORKSPACE") continue;
      env[k] = v;
    }
    Object.assign(env, {
      TF_CLI_CONFIG_FILE: cliConfigFile,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      OKTA_EMULATOR_URL: options.emulatorUrl,
      OKTA_API_TOKEN: options.token,
      ...(options.env ?? {}),
    });

    return {
      dir,
      workDir,
      cliConfigFile,
      mirrorDir,
      providerExecutable,
      providerVersion: version,
      env,
      async terraform(args, o = {}) {
        const started = Date.now();
        const r = await execa("terraform", args, {
          cwd: o.cwd ?? workDir,
          env,
          extendEnv: false,
          reject: false,
          timeout: o.timeoutMs ?? 120_000,
          stdin: "ignore",
        });
        return {
          exitCode: r.exitCode ?? -1,
          stdout: String(r.stdout),
          stderr: String(r.stderr),
          durationMs: Date.now() - started,
        };
      },
      cleanup() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
