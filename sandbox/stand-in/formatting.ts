import type { MessageEntity } from "grammy/types";
import { badRequest, type ApiError } from "./types";

/**
 * parse_mode handling, so the bot sees what Telegram would return: markup stripped from
 * `text`, formatting moved into `entities` (UTF-16 offsets), and malformed markup
 * rejected with Telegram's "can't parse entities" error instead of silently accepted.
 */
export interface Formatted {
  text: string;
  entities: MessageEntity[];
}

type SimpleType = "bold" | "italic" | "underline" | "strikethrough" | "spoiler" | "code" | "blockquote";
type EntityType = SimpleType | "pre" | "text_link" | "custom_emoji";

interface Open {
  tag: string;
  type: EntityType | undefined;
  start: number;
  srcPos: number;
  attrs: Record<string, string>;
}

const fail = (detail: string): ApiError => badRequest(`can't parse entities: ${detail}`);
const byteOffset = (src: string, i: number): number => Buffer.byteLength(src.slice(0, i), "utf8");

export function applyParseMode(input: string, parseMode: unknown): Formatted {
  if (parseMode === undefined || parseMode === null || parseMode === "") return { text: input, entities: [] };
  if (typeof parseMode !== "string") throw badRequest("unsupported parse_mode");
  switch (parseMode.toLowerCase()) {
    case "html":
      return parseHtml(input);
    case "markdownv2":
      return parseMarkdownV2(input);
    case "markdown":
      return parseMarkdownLegacy(input);
    default:
      throw badRequest(`unsupported parse_mode "${parseMode}"`);
  }
}

function makeEntity(type: EntityType, offset: number, length: number, attrs: Record<string, string>): MessageEntity | undefined {
  switch (type) {
    case "text_link":
      return attrs.href ? { type, offset, length, url: attrs.href } : undefined;
    case "pre":
      return attrs.language ? { type, offset, length, language: attrs.language } : { type, offset, length };
    case "custom_emoji":
      return { type, offset, length, custom_emoji_id: attrs["emoji-id"] ?? "" };
    default:
      return { type, offset, length };
  }
}

function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

// ---------------------------------------------------------------- HTML

const HTML_TAGS: Record<string, EntityType> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", span: "spoiler",
  code: "code", pre: "pre", a: "text_link", blockquote: "blockquote", "tg-emoji": "custom_emoji",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

function decodeHtmlEntities(s: string): string {
  return s.replace(/&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g, (whole, body: string) => decodeEntity(body) ?? whole);
}

function decodeEntity(body: string): string | undefined {
  if (body.startsWith("#")) {
    const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return NAMED_ENTITIES[body];
}

function parseHtml(src: string): Formatted {
  let out = "";
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const amp = src.indexOf("&", i);
    const next = lt < 0 ? amp : amp < 0 ? lt : Math.min(lt, amp);
    if (next < 0) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, next);
    i = next;
    if (src[i] === "&") {
      const m = /^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/.exec(src.slice(i, i + 12));
      const decoded = m?.[1] === undefined ? undefined : decodeEntity(m[1]);
      if (m && decoded !== undefined) {
        out += decoded;
        i += m[0].length;
      } else {
        out += "&";
        i += 1;
      }
      continue;
    }
    const end = src.indexOf(">", i);
    if (end < 0) throw fail(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    const inner = src.slice(i + 1, end);
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const open = stack.pop();
      if (!open) throw fail(`Unexpected end tag at byte offset ${byteOffset(src, i)}`);
      if (open.tag !== name) {
        throw fail(`Unmatched end tag at byte offset ${byteOffset(src, i)}, expected "</${open.tag}>", found "</${name}>"`);
      }
      closeHtml(open, stack, out, entities);
    } else {
      const m = /^([a-zA-Z][a-zA-Z0-9-]*)(\s[\s\S]*)?$/.exec(inner);
      const name = m?.[1]?.toLowerCase();
      const type = name === undefined ? undefined : HTML_TAGS[name];
      if (!m || name === undefined || type === undefined) {
        throw fail(`Unsupported start tag "${inner.split(/\s/)[0] ?? ""}" at byte offset ${byteOffset(src, i)}`);
      }
      const attrs: Record<string, string> = {};
      for (const a of (m[2] ?? "").matchAll(/([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+)))?/g)) {
        attrs[(a[1] ?? "").toLowerCase()] = decodeHtmlEntities(a[2] ?? a[3] ?? a[4] ?? "");
      }
      if (name === "span" && attrs.class !== "tg-spoiler") {
        throw fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(src, i)}`);
      }
      stack.push({ tag: name, type, start: out.length, srcPos: i, attrs });
    }
    i = end + 1;
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities: sortEntities(entities) };
}

function closeHtml(open: Open, stack: Open[], out: string, entities: MessageEntity[]): void {
  const length = out.length - open.start;
  const parent = stack[stack.length - 1];
  // <pre><code class="language-x"> is one pre entity with a language, as Telegram reports it.
  if (open.type === "code" && parent?.type === "pre" && parent.start === open.start) {
    const cls = open.attrs.class;
    if (cls?.startsWith("language-")) parent.attrs.language = cls.slice("language-".length);
    return;
  }
  if (length === 0 || open.type === undefined) return;
  const entity: MessageEntity | undefined = open.type === "blockquote" && "expandable" in open.attrs
    ? { type: "expandable_blockquote", offset: open.start, length }
    : makeEntity(open.type, open.start, length, open.attrs);
  if (entity) entities.push(entity);
}

// ---------------------------------------------------------------- MarkdownV2

const RESERVED_V2 = new Set("_*[]()~`>#+-=|{}.!\\");
const V2_NAMES: Record<string, string> = {
  bold: "Bold", italic: "Italic", underline: "Underline", strikethrough: "Strikethrough",
  spoiler: "Spoiler", code: "Code", pre: "Pre", text_link: "TextUrl",
};

function parseMarkdownV2(src: string): Formatted {
  let out = "";
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  const toggle = (type: EntityType, marker: string, i: number): void => {
    const idx = stack.findLastIndex((e) => e.tag === marker);
    const open = stack[idx];
    if (open) {
      stack.splice(idx, 1);
      const e = out.length > open.start ? makeEntity(type, open.start, out.length - open.start, open.attrs) : undefined;
      if (e) entities.push(e);
    } else {
      stack.push({ tag: marker, type, start: out.length, srcPos: i, attrs: {} });
    }
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const top = stack[stack.length - 1];
    if (c === "\\") {
      const n = src.charCodeAt(i + 1);
      if (!(n >= 1 && n <= 126)) throw fail(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (top?.tag === "```") {
      if (src.startsWith("```", i)) {
        toggle("pre", "```", i);
        i += 3;
      } else {
        out += c;
        i += 1;
      }
      continue;
    }
    if (top?.tag === "`") {
      if (c === "`") toggle("code", "`", i);
      else out += c;
      i += 1;
      continue;
    }
    if (src.startsWith("```", i)) {
      const nl = src.indexOf("\n", i + 3);
      const lang = nl < 0 ? "" : src.slice(i + 3, nl);
      const hasLang = nl >= 0 && /^[A-Za-z0-9_+#.-]*$/.test(lang);
      stack.push({ tag: "```", type: "pre", start: out.length, srcPos: i, attrs: hasLang && lang ? { language: lang } : {} });
      i = hasLang ? nl + 1 : i + 3;
      continue;
    }
    switch (c) {
      case "`":
        toggle("code", "`", i);
        i += 1;
        continue;
      case "*":
        toggle("bold", "*", i);
        i += 1;
        continue;
      case "~":
        toggle("strikethrough", "~", i);
        i += 1;
        continue;
      case "_":
        if (src[i + 1] === "_") {
          toggle("underline", "__", i);
          i += 2;
        } else {
          toggle("italic", "_", i);
          i += 1;
        }
        continue;
      case "|":
        if (src[i + 1] === "|") {
          toggle("spoiler", "||", i);
          i += 2;
          continue;
        }
        break;
      case "[":
        stack.push({ tag: "[", type: "text_link", start: out.length, srcPos: i, attrs: {} });
        i += 1;
        continue;
      case "]": {
        const idx = stack.findLastIndex((e) => e.tag === "[");
        const open = stack[idx];
        if (!open) break;
        if (src[i + 1] !== "(") throw fail(`Can't find end of TextUrl entity at byte offset ${byteOffset(src, open.srcPos)}`);
        let j = i + 2;
        let url = "";
        while (j < src.length && src[j] !== ")") {
          if (src[j] === "\\" && j + 1 < src.length) j += 1;
          url += src[j];
          j += 1;
        }
        if (j >= src.length) throw fail(`Can't find end of a URL at byte offset ${byteOffset(src, i + 1)}`);
        stack.splice(idx, 1);
        if (out.length > open.start) entities.push({ type: "text_link", offset: open.start, length: out.length - open.start, url });
        i = j + 1;
        continue;
      }
      case ">":
        // Blockquote marker at a line start: stripped (no entity; nothing here needs one).
        if (i === 0 || src[i - 1] === "\n") {
          i += 1;
          continue;
        }
        break;
      default:
        break;
    }
    if (RESERVED_V2.has(c)) throw fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    out += c;
    i += 1;
  }
  const unclosed = stack[0];
  if (unclosed) {
    const name = V2_NAMES[unclosed.type ?? ""] ?? "the";
    throw fail(`Can't find end of ${name} entity at byte offset ${byteOffset(src, unclosed.srcPos)}`);
  }
  return { text: out, entities: sortEntities(entities) };
}

// ---------------------------------------------------------------- Markdown (legacy)

function parseMarkdownLegacy(src: string): Formatted {
  let out = "";
  const entities: MessageEntity[] = [];
  let i = 0;
  const untilClose = (marker: string, from: number): number => {
    const end = src.indexOf(marker, from);
    if (end < 0) throw fail(`Can't find end of the entity starting at byte offset ${byteOffset(src, from - marker.length)}`);
    return end;
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (c === "\\" && "_*`[".includes(src[i + 1] ?? "x")) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    const simple: Record<string, EntityType> = { "*": "bold", _: "italic" };
    if (src.startsWith("```", i)) {
      const end = untilClose("```", i + 3);
      let body = src.slice(i + 3, end);
      const nl = body.indexOf("\n");
      let language: string | undefined;
      if (nl > 0 && /^[A-Za-z0-9_+#.-]+$/.test(body.slice(0, nl))) {
        language = body.slice(0, nl);
        body = body.slice(nl + 1);
      }
      if (body.length) entities.push(language ? { type: "pre", offset: out.length, length: body.length, language } : { type: "pre", offset: out.length, length: body.length });
      out += body;
      i = end + 3;
    } else if (c === "`" || simple[c]) {
      const end = untilClose(c, i + 1);
      const body = src.slice(i + 1, end);
      if (body.length) entities.push({ type: c === "`" ? "code" : (simple[c] as SimpleType), offset: out.length, length: body.length });
      out += body;
      i = end + 1;
    } else if (c === "[") {
      const close = untilClose("]", i + 1);
      const body = src.slice(i + 1, close);
      if (src[close + 1] === "(") {
        const end = untilClose(")", close + 2);
        if (body.length) entities.push({ type: "text_link", offset: out.length, length: body.length, url: src.slice(close + 2, end) });
        i = end + 1;
      } else {
        i = close + 1;
      }
      out += body;
    } else {
      out += c;
      i += 1;
    }
  }
  return { text: out, entities: sortEntities(entities) };
}
