/**
 * String, JSON, encoding and hashing intrinsics: StringSplit, StringToJson, JsonToString,
 * JsonMerge, Base64Encode, Base64Decode, Hash.
 */
import { createHash } from "node:crypto";
import { isPlainObject } from "../path/json.ts";
import type { JsonObject } from "../path/json.ts";
import { booleanArg, checkMaxLength, invalidArgs, objectArg, stringArg } from "./args.ts";
import type { IntrinsicFunction } from "./args.ts";

/** AWS's input limit for Base64Encode, Base64Decode and Hash. */
export const MAX_ENCODE_CHARS = 10_000;

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Split on any of the delimiter characters, dropping empty tokens (Java StringTokenizer). */
export function splitTokens(value: string, delimiters: string): string[] {
  if (delimiters === "") return value === "" ? [] : [value];
  const out: string[] = [];
  let token = "";
  for (const c of value) {
    if (delimiters.includes(c)) {
      if (token !== "") out.push(token);
      token = "";
    } else {
      token += c;
    }
  }
  if (token !== "") out.push(token);
  return out;
}

function merge(target: JsonObject, source: JsonObject, deep: boolean): JsonObject {
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = out[key];
    out[key] = deep && isPlainObject(existing) && isPlainObject(value) ? merge(existing, value, true) : value;
  }
  return out;
}

export const STRING_FUNCTIONS: Readonly<Record<string, IntrinsicFunction>> = {
  "States.StringSplit": {
    minArgs: 2,
    maxArgs: 2,
    run(args) {
      const fn = "States.StringSplit";
      return splitTokens(stringArg(fn, args, 0), stringArg(fn, args, 1));
    },
  },

  "States.StringToJson": {
    minArgs: 1,
    maxArgs: 1,
    run(args) {
      const fn = "States.StringToJson";
      const text = stringArg(fn, args, 0);
      if (text.trim() === "") return null;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw invalidArgs(fn, `the string is not valid JSON: ${text}`);
      }
      return Object.is(value, -0) ? 0 : value;
    },
  },

  "States.JsonToString": {
    minArgs: 1,
    maxArgs: 1,
    run: (args) => JSON.stringify(args[0] ?? null),
  },

  "States.JsonMerge": {
    minArgs: 3,
    maxArgs: 3,
    run(args) {
      const fn = "States.JsonMerge";
      return merge(objectArg(fn, args, 0), objectArg(fn, args, 1), booleanArg(fn, args, 2));
    },
  },

  "States.Base64Encode": {
    minArgs: 1,
    maxArgs: 1,
    run(args) {
      const fn = "States.Base64Encode";
      const text = stringArg(fn, args, 0);
      checkMaxLength(fn, text, MAX_ENCODE_CHARS);
      return Buffer.from(text, "utf8").toString("base64");
    },
  },

  "States.Base64Decode": {
    minArgs: 1,
    maxArgs: 1,
    run(args) {
      const fn = "States.Base64Decode";
      const text = stringArg(fn, args, 0);
      checkMaxLength(fn, text, MAX_ENCODE_CHARS);
      if (!BASE64.test(text)) throw invalidArgs(fn, "the input is not a valid base64 string");
      return Buffer.from(text, "base64").toString("utf8");
    },
  },

  "States.Hash": {
    minArgs: 2,
    maxArgs: 2,
    run(args) {
      const fn = "States.Hash";
      const data = stringArg(fn, args, 0);
      const name = stringArg(fn, args, 1);
      checkMaxLength(fn, data, MAX_ENCODE_CHARS);
      const algorithm = HASH_ALGORITHMS[name];
      if (!algorithm) {
        throw invalidArgs(
          fn,
          `the hash algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(", ")}, but was '${name}'`,
        );
      }
      return createHash(algorithm).update(data, "utf8").digest("hex");
    },
  },
};
