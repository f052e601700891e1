/**
 * A password-protected PDF written by hand: pdf-lib cannot encrypt, so this writes a one-page PDF
 * with the standard security handler, revision 3 (RC4, 128-bit key; PDF 1.7 spec, section 7.6.3,
 * algorithms 2, 3 and 5). The user password is needed to open it; pdf.js raises PasswordException.
 * RC4 is implemented here because OpenSSL 3 (Node's crypto) no longer offers it by default.
 */
import { createHash } from "node:crypto";

const PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e,
  0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

function md5(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function padPassword(password: string): Uint8Array {
  const bytes = new TextEncoder().encode(password).slice(0, 32);
  const out = new Uint8Array(32);
  out.set(bytes);
  out.set(PAD.subarray(0, 32 - bytes.length), bytes.length);
  return out;
}

function xorKey(key: Uint8Array, i: number): Uint8Array {
  return key.map((b) => b ^ i);
}

/** Algorithm 3: the /O entry. */
function ownerEntry(owner: string, user: string): Uint8Array {
  let h = md5(padPassword(owner));
  for (let i = 0; i < 50; i++) h = md5(h);
  const key = h.subarray(0, 16);
  let out = rc4(key, padPassword(user));
  for (let i = 1; i <= 19; i++) out = rc4(xorKey(key, i), out);
  return out;
}

/** Algorithm 2: the file key. */
function fileKey(user: string, o: Uint8Array, p: number, id: Uint8Array): Uint8Array {
  const pBytes = new Uint8Array(4);
  new DataView(pBytes.buffer).setInt32(0, p, true);
  let h = md5(padPassword(user), o, pBytes, id);
  for (let i = 0; i < 50; i++) h = md5(h.subarray(0, 16));
  return h.subarray(0, 16);
}

/** Algorithm 5: the /U entry. */
function userEntry(key: Uint8Array, id: Uint8Array): Uint8Array {
  let out = rc4(key, md5(PAD, id));
  for (let i = 1; i <= 19; i++) out = rc4(xorKey(key, i), out);
  const u = new Uint8Array(32);
  u.set(out);
  return u;
}

/** Algorithm 1: the key of one object. */
function objectKey(key: Uint8Array, num: number, gen: number): Uint8Array {
  const suffix = Uint8Array.from([
    num & 255,
    (num >> 8) & 255,
    (num >> 16) & 255,
    gen & 255,
    (gen >> 8) & 255,
  ]);
  return md5(key, suffix).subarray(0, 16);
}

const hex = (b: Uint8Array) => `<${Buffer.from(b).toString("hex")}>`;
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 255);

export interface EncryptedPdfOptions {
  userPassword?: string;
  ownerPassword?: string;
  /** One line of text drawn on the page (ASCII). */
  text?: string;
  /** 16 bytes for the file identifier (deterministic output). */
  id?: Uint8Array;
}

/** A one-page PDF that needs `userPassword` (default "sluice") to open. Deterministic. */
export function encryptedPdf(opts: EncryptedPdfOptions = {}): Uint8Array {
  const user = opts.userPassword ?? "sluice";
  const owner = opts.ownerPassword ?? `${user}-owner`;
  const text = (opts.text ?? "Confidential: quarterly figures").replace(/[()\\]/g, "");
  const id = opts.id ?? md5(latin1(`sluice-encrypted:${user}:${text}`));
  const p = -3904; // print and copy allowed, nothing else (bits 3 and 5 set, high bits set per spec)
  const o = ownerEntry(owner, user);
  const key = fileKey(user, o, p, id);
  const u = userEntry(key, id);

  const content = latin1(`BT /F1 24 Tf 72 700 Td (${text}) Tj ET\n`);
  const encContent = rc4(objectKey(key, 4, 0), content);
  const encTitle = rc4(objectKey(key, 6, 0), latin1("Protected document"));

  const objects: Uint8Array[] = [
    latin1("<< /Type /Catalog /Pages 2 0 R >>"),
    latin1("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
    latin1(
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    ),
    Buffer.concat([
      latin1(`<< /Length ${encContent.length} >>\nstream\n`),
      encContent,
      latin1("\nendstream"),
    ]),
    latin1("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"),
    latin1(`<< /Title ${hex(encTitle)} >>`),
    latin1(`<< /Filter /Standard /V 2 /R 3 /Length 128 /O ${hex(o)} /U ${hex(u)} /P ${p} >>`),
  ];
  const chunks: Uint8Array[] = [latin1("%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([latin1(`${i + 1} 0 obj\n`), body, latin1("\nendobj\n")]);
    chunks.push(obj);
    offset += obj.length;
  });
  const xref = [
    "xref",
    `0 ${objects.length + 1}`,
    "0000000000 65535 f ",
    ...offsets.map((off) => `${String(off).padStart(10, "0")} 00000 n `),
    "trailer",
    `<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R /Encrypt 7 0 R /ID [${hex(id)} ${hex(id)}] >>`,
    "startxref",
    String(offset),
    "%%EOF",
    "",
  ].join("\n");
  chunks.push(latin1(xref));
  return new Uint8Array(Buffer.concat(chunks));
}
