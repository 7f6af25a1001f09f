import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Self-signed certificate with SAN DNS:localhost, as go-plugin's AutoMTLS expects. Writes cert.pem and key.pem. */
export function generateCertificate(outDir: string): void {
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", join(outDir, "key.pem"), "-out", join(outDir, "cert.pem"), "-days", "30",
      "-subj", "/O=HashiCorp/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost",
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign",
      "-addext", "extendedKeyUsage=serverAuth,clientAuth",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}
