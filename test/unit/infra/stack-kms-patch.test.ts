import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { patchKmsKeyMaterialId } from "../../../infra/stack/install.ts";

const ORIGINAL = [
  "import uuid",
  "class K:",
  "    def __init__(self):",
  '        self._internal_key_id = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")',
  "    def generate_key_material_id(self, key_material: bytes) -> str:",
  "        key_material_id_hex = uuid.uuid5(self._internal_key_id, key_material).hex",
  "        return str(key_material_id_hex) * 2",
  "",
].join("\n");

describe("patchKmsKeyMaterialId (LocalStack KMS on Python 3.11)", () => {
  it("replaces uuid5(namespace, bytes) once, keeping the value Python 3.12 computes", () => {
    const venv = mkdtempSync(join(tmpdir(), "sluice-kms-patch-"));
    const dir = join(venv, "lib", "python3.11", "site-packages", "localstack", "services", "kms");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "models.py");
    writeFileSync(file, ORIGINAL);
    expect(patchKmsKeyMaterialId(venv)).toBe(true);
    expect(patchKmsKeyMaterialId(venv)).toBe(false);
    const patched = readFileSync(file, "utf8");
    expect(patched).not.toContain("uuid.uuid5(self._internal_key_id, key_material)");
    // Python 3.12's uuid5 on bytes is SHA-1(namespace bytes + name)[:16] as version 5; for a str name
    // it encodes UTF-8 first, so an ASCII name gives the same id through the unpatched call.
    const out = execFileSync(
      "python3",
      [
        "-c",
        `import sys, uuid; sys.path.insert(0, ${JSON.stringify(dir)}); import models; k = models.K();` +
          `print(k.generate_key_material_id(b"abc")); print(uuid.uuid5(k._internal_key_id, "abc").hex * 2)`,
      ],
      { encoding: "utf8" },
    ).split("\n");
    expect(out[0]).toBe(out[1]);
    expect(out[0]).toMatch(/^[0-9a-f]{64}$/);
  });
});
