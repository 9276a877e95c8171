import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DossierStore } from "./store/repository";

/**
 * API credentials: one key per integration (role `integration`, may post events; its `source` is
 * what its events are attributed to) or per dashboard (role `reader`, read-only). Keys are stored
 * as SHA-256 hashes only and never logged; the plain key is shown once, when created.
 */
export type Role = "integration" | "reader";

export interface Credential {
  name: string;
  role: Role;
  /** The `source` set on every event this key posts. */
  source: string;
  /** Requests per second this key may make (its own budget: one integration cannot starve another). */
  ratePerSecond: number;
}

const hash = (key: string) => createHash("sha256").update(key).digest("hex");

export async function createApiKey(store: DossierStore, c: Credential): Promise<string> {
  const key = `dm_${c.role === "reader" ? "r" : "i"}_${randomBytes(24).toString("base64url")}`;
  await store.client.send(
    new PutCommand({ TableName: store.tableName, Item: { pk: "KEY", sk: hash(key), ...c } }),
  );
  return key;
}

export type AuthResult =
  | { ok: true; credential: Credential }
  | { ok: false; status: 401 | 403; message: string };

/** `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function keyFromHeaders(headers: Record<string, string | undefined>): string | undefined {
  const auth = headers.authorization ?? headers.Authorization;
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return headers["x-api-key"] ?? headers["X-Api-Key"] ?? undefined;
}

export async function authenticate(
  store: DossierStore,
  key: string | undefined,
  needs: Role,
): Promise<AuthResult> {
  if (!key)
    return { ok: false, status: 401, message: "missing credentials: send Authorization: Bearer <key>" };
  const digest = hash(key);
  const out = await store.client.send(
    new GetCommand({ TableName: store.tableName, Key: { pk: "KEY", sk: digest } }),
  );
  const item = out.Item;
  // Compare the digests in constant time as well, though the lookup already matched them.
  if (!item || !timingSafeEqual(Buffer.from(item.sk as string), Buffer.from(digest))) {
    return { ok: false, status: 403, message: "unknown key" };
  }
  const credential: Credential = {
    name: item.name as string,
    role: item.role as Role,
    source: item.source as string,
    ratePerSecond: Number(item.ratePerSecond ?? 20),
  };
  if (needs === "integration" && credential.role !== "integration") {
    return { ok: false, status: 403, message: "this key is read-only: it cannot post events" };
  }
  return { ok: true, credential };
}

/**
 * Per-integration throttling: a fixed one-second window counted in the table (TTL cleans it up).
 * `false` when the key has used its budget for this second.
 */
export async function withinRate(store: DossierStore, credential: Credential, now: number): Promise<boolean> {
  const second = Math.floor(now / 1000);
  const out = await store.client.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: { pk: "RATE", sk: `${credential.source}#${second}` },
      UpdateExpression: "ADD #n :one SET expiresAt = :exp",
      ExpressionAttributeNames: { "#n": "n" },
      ExpressionAttributeValues: { ":one": 1, ":exp": second + 120 },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.n ?? 0) <= credential.ratePerSecond;
}
