import { parse, validate } from "@telegram-apps/init-data-node";
import type { Api } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StandIn } from "../../sandbox/stand-in/server";
import { startStandInWithBot } from "../support/stand-in-client";

/**
 * The sandbox routes behind the web page, over plain HTTP as curl would use them: simulated
 * people, chat histories from both sides, the event stream, and the page itself.
 */
let standIn: StandIn;
let api: Api;
let token: string;

beforeEach(async () => {
  ({ standIn, api, token } = await startStandInWithBot());
});
afterEach(async () => {
  await standIn.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${standIn.url}/sandbox${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("simulated people", () => {
  it("are added with a name, a language and a phone, listed, and changed; bad fields get a 400 that says why", async () => {
    const added = await call("POST", "/users", { first_name: "Mei", language_code: "zh-Hant", phone_number: "+85261234567" });
    expect(added.status).toBe(200);
    const id = added.json.id as number;
    expect(id).toBeGreaterThanOrEqual(100_000_000);
    expect(added.json).toEqual({ id, first_name: "Mei", language_code: "zh-hant", phone_number: "+85261234567" });
    const changed = await call("POST", `/users/${id}`, { language_code: "en", phone_number: "+85294000000" });
    expect(changed.json).toMatchObject({ language_code: "en", phone_number: "+85294000000" });
    expect((await call("GET", "/users")).json.users).toContainEqual(changed.json);
    // The next message carries the new language, as Telegram's from.language_code would.
    await call("POST", `/users/${id}/send`, { text: "/start" });
    const [u] = await api.getUpdates({ timeout: 0 });
    expect(u?.message?.from?.language_code).toBe("en");

    for (const [body, error] of [
      [{ language_code: "en" }, /first_name is required/],
      [{ first_name: "A", language_code: "fr" }, /language_code must be one of en, zh-hans, zh-hant/],
      [{ first_name: "A", phone_number: "call me" }, /phone_number must look like a phone number/],
      [{ first_name: "A", id }, /already exists/],
    ] as const) {
      const r = await call("POST", "/users", body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(String(r.json.error)).toMatch(error);
    }
    expect((await call("POST", "/users/999", { first_name: "B" })).status).toBe(404);
  });

  it("the marketplace import and the insight need the product behind the stand-in, and say so", async () => {
    const { json } = await call("POST", "/users", { first_name: "Mei", phone_number: "+85261234567" });
    for (const [method, path, body] of [["POST", "/shops", { user_id: json.id }], ["GET", `/users/${String(json.id)}/insight`, undefined]] as const) {
      const r = await call(method, path, body);
      expect(r.status).toBe(404);
      expect(r.json.error).toMatch(/start it with npm start/);
    }
  });
});

describe("chat histories", () => {
  it("hold both sides with entities, inline buttons, edits and the reply keyboard in force", async () => {
    const { json: p } = await call("POST", "/users", { first_name: "Mei" });
    const id = p.id as number;
    expect((await call("GET", `/chats/${id}/history`)).json).toMatchObject({ messages: [], reply_keyboard: null });
    await call("POST", `/users/${id}/send`, { text: "/start" });
    const sent = await api.sendMessage(id, "<b>Hello</b> <a href=\"https://example.com\">there</a>", {
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "y" }]] },
    });
    await api.sendMessage(id, "Your phone?", { reply_markup: { keyboard: [[{ text: "Share", request_contact: true }]], one_time_keyboard: true, input_field_placeholder: "Use the button" } });
    let h = (await call("GET", `/chats/${id}/history`)).json as { messages: Record<string, unknown>[]; reply_keyboard: unknown };
    expect(h.messages.map((m) => [m.from_bot, m.text])).toEqual([[false, "/start"], [true, "Hello there"], [true, "Your phone?"]]);
    expect(h.messages[1]).toMatchObject({
      entities: [{ type: "bold", offset: 0, length: 5 }, { type: "text_link", offset: 6, length: 5, url: "https://example.com" }],
      inline_keyboard: [[{ text: "Yes", callback_data: "y" }]],
    });
    expect(h.reply_keyboard).toEqual({ keyboard: [[{ text: "Share", request_contact: true }]], placeholder: "Use the button" });

    await api.editMessageText(id, sent.message_id, "Hello again");
    await call("POST", `/users/${id}/send`, { contact: { phone_number: "+85261234567", user_id: id } });
    h = (await call("GET", `/chats/${id}/history`)).json as typeof h;
    expect(h.messages[1]).toMatchObject({ text: "Hello again", edited: true });
    expect(h.messages.at(-1)).toMatchObject({ from_bot: false, contact: { phone_number: "+85261234567" } });
    expect(h.reply_keyboard).toBeNull(); // a one-time keyboard is gone once used

    await api.sendMessage(id, "Keep", { reply_markup: { keyboard: [["A", "B"]] } });
    await api.sendMessage(id, "Gone", { reply_markup: { remove_keyboard: true } });
    expect((await call("GET", `/chats/${id}/history`)).json.reply_keyboard).toBeNull();
    expect((await call("GET", "/chats/-5/history")).status).toBe(404);
    const chats = (await call("GET", "/chats")).json.chats as { id: number; title: string; last: { text: string } }[];
    expect(chats[0]).toMatchObject({ id, title: "Mei", last: { text: "Gone" } });
  });
});

describe("the page and its event stream", () => {
  it("streams one event per change: a new person, a message either way, a callback answer", async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${standIn.url}/sandbox/events`, { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const events: unknown[] = [];
    let buffered = "";
    const until = async (n: number) => {
      while (events.length < n) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffered += new TextDecoder().decode(value);
        let cut;
        while ((cut = buffered.indexOf("\n\n")) >= 0) {
          const block = buffered.slice(0, cut);
          buffered = buffered.slice(cut + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data && block.includes("event: change")) events.push(JSON.parse(data));
        }
      }
    };
    const { json: p } = await call("POST", "/users", { first_name: "Mei" });
    const id = p.id as number;
    await until(1);
    await call("POST", `/users/${id}/send`, { text: "hi" });
    await until(2);
    const m = await api.sendMessage(id, "Press", { reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] } });
    await until(3);
    await call("POST", `/users/${id}/send`, { callback_data: "go", message_id: m.message_id });
    const updates = await api.getUpdates({ timeout: 0 });
    const query = updates.find((u) => u.callback_query)?.callback_query;
    await api.answerCallbackQuery(query!.id, { text: "Done" });
    await until(4);
    expect(events).toEqual([{ users: true }, { chat_id: id }, { chat_id: id }, { chat_id: id }]);
    ctrl.abort();
  });

  it("serves the page, its bundled script and its style from the stand-in's address", async () => {
    const page = await fetch(`${standIn.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/web/app.js">');
    const script = await fetch(`${standIn.url}/web/app.js`);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("/sandbox/events");
    expect((await fetch(`${standIn.url}/web/style.css`)).status).toBe(200);
    expect((await fetch(`${standIn.url}/web/nothing.js`)).status).toBe(404);
  });
});

describe("Mini App buttons", () => {
  it("opening a web_app button gives its URL with init data signed as Telegram signs it", async () => {
    const { json: p } = await call("POST", "/users", { first_name: "Mei", language_code: "zh-hans" });
    const id = p.id as number;
    await call("POST", `/users/${id}/send`, { text: "/start" });
    const m = await api.sendMessage(id, "Take the selfie", {
      reply_markup: { inline_keyboard: [[{ text: "Open the camera", web_app: { url: "http://127.0.0.1:8090/capture?case=c1" } }]] },
    });
    const r = await call("POST", `/users/${id}/open-web-app`, { message_id: m.message_id });
    expect(r.status).toBe(200);
    const url = new URL(r.json.url as string);
    expect(`${url.origin}${url.pathname}${url.search}`).toBe("http://127.0.0.1:8090/capture?case=c1");
    const launch = new URLSearchParams(url.hash.slice(1));
    const initData = launch.get("tgWebAppData")!;
    expect(initData).toBe(r.json.init_data);
    expect(launch.get("tgWebAppVersion")).toMatch(/^\d+\.\d+$/);
    // An independent implementation (the library the product will validate with) accepts it...
    expect(() => validate(initData, token)).not.toThrow();
    const data = parse(initData);
    expect(data.user).toMatchObject({ id, first_name: "Mei", language_code: "zh-hans" });
    expect(Math.abs(data.auth_date.getTime() - Date.now())).toBeLessThan(5_000);
    // ... and refuses it with another bot's token, or with a field changed.
    expect(() => validate(initData, "123:another-bot-token-000000000")).toThrow();
    const forged = new URLSearchParams(initData);
    forged.set("user", forged.get("user")!.replace(String(id), "42"));
    expect(() => validate(forged.toString(), token)).toThrow();
  });

  it("refuses a plain-http Mini App URL off loopback, and a message without a web_app button", async () => {
    const { json: p } = await call("POST", "/users", { first_name: "Mei" });
    const id = p.id as number;
    await call("POST", `/users/${id}/send`, { text: "/start" });
    await expect(
      api.sendMessage(id, "x", { reply_markup: { inline_keyboard: [[{ text: "Open", web_app: { url: "http://example.com/app" } }]] } }),
    ).rejects.toThrow(/Only HTTPS links are allowed/);
    const plain = await api.sendMessage(id, "no button here");
    const r = await call("POST", `/users/${id}/open-web-app`, { message_id: plain.message_id });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatch(/has no web_app button/);
  });
});
