import { readFileSync } from "node:fs";

/**
 * The Bot API as data (test/fixtures/telegram/bot-api-schema.json: Bot API 10.1, extracted
 * from github.com/PaulSonOfLars/telegram-bot-api-spec api.json at 160fd995, descriptions
 * dropped), and a checker for "is this object what Telegram would send".
 */
export interface SchemaField {
  name: string;
  types: string[];
  required: boolean;
}

export interface SchemaType {
  fields?: SchemaField[];
  subtypes?: string[];
  subtype_of?: string[];
}

export interface BotApiSchema {
  version: string;
  types: Record<string, SchemaType>;
  methods: Record<string, { returns: string[]; fields: SchemaField[] }>;
}

export function loadBotApiSchema(): BotApiSchema {
  return JSON.parse(readFileSync(new URL("../fixtures/telegram/bot-api-schema.json", import.meta.url), "utf8")) as BotApiSchema;
}

/**
 * Values the schema leaves in its descriptions ("always “kicked”"): they are what tells the
 * subtypes of a union apart, e.g. a ChatMemberBanned without until_date would otherwise
 * pass as ChatMemberLeft.
 */
type Rule = { is: unknown } | { not: unknown };
const FIXED: Record<string, Record<string, Rule>> = {
  ChatMemberOwner: { status: { is: "creator" } },
  ChatMemberAdministrator: { status: { is: "administrator" } },
  ChatMemberMember: { status: { is: "member" } },
  ChatMemberRestricted: { status: { is: "restricted" } },
  ChatMemberLeft: { status: { is: "left" } },
  ChatMemberBanned: { status: { is: "kicked" } },
  MessageOriginUser: { type: { is: "user" } },
  MessageOriginHiddenUser: { type: { is: "hidden_user" } },
  MessageOriginChat: { type: { is: "chat" } },
  MessageOriginChannel: { type: { is: "channel" } },
  InaccessibleMessage: { date: { is: 0 } },
  Message: { date: { not: 0 } },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Every way `value` fails to be a `type` ("Integer", "Array of X", a type name...), each as
 * "<path>: <problem>"; empty when it conforms. A union (a type with subtypes) must match
 * exactly one subtype.
 */
export function conformityErrors(schema: BotApiSchema, value: unknown, type: string, path = "$"): string[] {
  if (type.startsWith("Array of ")) {
    if (!Array.isArray(value)) return [`${path}: expected ${type}, got ${describe(value)}`];
    const item = type.slice("Array of ".length);
    return value.flatMap((v, i) => conformityErrors(schema, v, item, `${path}[${i}]`));
  }
  const primitive = primitiveOk(type, value);
  if (primitive !== undefined) return primitive ? [] : [`${path}: expected ${type}, got ${describe(value)}`];
  const def = schema.types[type];
  if (!def) return [`${path}: the schema has no type ${type}`];
  if (def.subtypes) {
    const results = def.subtypes.map((sub) => ({ sub, errors: conformityErrors(schema, value, sub, path) }));
    const matches = results.filter((r) => r.errors.length === 0);
    if (matches.length === 1) return [];
    if (matches.length > 1) return [`${path}: ambiguous ${type}, matches ${matches.map((m) => m.sub).join(" and ")}`];
    return [`${path}: matches no subtype of ${type} (${results.map((r) => `${r.sub}: ${r.errors[0] ?? ""}`).join("; ")})`];
  }
  if (!isObject(value)) return [`${path}: expected ${type} (an object), got ${describe(value)}`];
  const fields = def.fields ?? [];
  const errors: string[] = [];
  for (const key of Object.keys(value)) {
    if (!fields.some((f) => f.name === key)) errors.push(`${path}.${key}: ${type} has no field ${key}`);
  }
  for (const f of fields) {
    const v = value[f.name];
    if (v === undefined) {
      if (f.required) errors.push(`${path}.${f.name}: required by ${type}, missing`);
      continue;
    }
    errors.push(...anyOf(schema, v, f.types, `${path}.${f.name}`));
  }
  for (const [key, rule] of Object.entries(FIXED[type] ?? {})) {
    const v = value[key];
    if ("is" in rule && v !== rule.is) errors.push(`${path}.${key}: ${type} has ${key} ${JSON.stringify(rule.is)}, got ${JSON.stringify(v)}`);
    if ("not" in rule && v === rule.not) errors.push(`${path}.${key}: ${type} never has ${key} ${JSON.stringify(rule.not)}`);
  }
  return errors;
}

/** Checks a method's result against what the schema says it returns (e.g. Message or Boolean for edits). */
export function resultErrors(schema: BotApiSchema, method: string, result: unknown): string[] {
  const m = schema.methods[method];
  if (!m) return [`the schema has no method ${method}`];
  return anyOf(schema, result, m.returns, "$");
}

/** A value that may be one of several types (a field "Integer or String", a result "Message or True"). */
function anyOf(schema: BotApiSchema, value: unknown, types: string[], path: string): string[] {
  const perType = types.map((t) => conformityErrors(schema, value, t, path));
  if (perType.some((e) => e.length === 0)) return [];
  if (perType.length === 1) return perType[0] ?? [];
  return [`${path}: none of ${types.join(", ")} fits (${perType.map((e, i) => `${types[i]}: ${e[0]}`).join("; ")})`];
}

/** true/false for the primitive types, undefined for anything else. */
function primitiveOk(type: string, v: unknown): boolean | undefined {
  switch (type) {
    case "Integer":
      return Number.isSafeInteger(v);
    case "Float":
      return typeof v === "number" && Number.isFinite(v);
    case "String":
      return typeof v === "string";
    case "Boolean":
      return typeof v === "boolean";
    case "True":
      return v === true;
    default:
      return undefined;
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (isObject(v)) return "an object";
  return typeof v === "string" ? `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : String(v);
}
