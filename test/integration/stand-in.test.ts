import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { run } from "@grammyjs/runner";
import { Api, Bot, GrammyError, InputFile, InputMediaBuilder } from "grammy";
import type { Update } from "grammy/types";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStandIn, type StandIn } from "../../sandbox/stand-in/server";
import { randomToken, startStandInWithBot, StandInClient, StandInClientError } from "../support/stand-in-client";

const USER = 4242;
let standIn: StandIn;
let sandbox: StandInClient;
let token: string;
let api: Api;


beforeEach(async () => {
  ({ standIn, sandbox, token, api } = await startStandInWithBot());
});

afterEach(async () => {
  await standIn.close();
});

async function expectGrammyError(p: Promise<unknown>, code: number, description: string | RegExp): Promise<GrammyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GrammyError);
  const ge = err as GrammyError;
  expect(ge.error_code).toBe(code);
  if (typeof description === "string") expect(ge.description).toBe(description);
  else expect(ge.description).toMatch(description);
  return ge;
}

async function expectSandboxError(p: Promise<unknown>, status: number): Promise<StandInClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StandInClientError);
  expect((err as StandInClientError).status).toBe(status);
  return err as StandInClientError;
}

/** Consumes (and confirms) everything pending. */
async function drain(): Promise<Update[]> {
  const updates = await api.getUpdates({ timeout: 0 });
  const last = updates.at(-1);
  if (last) await api.getUpdates({ offset: last.update_id + 1, timeout: 0 });
  return updates;
}

function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg().toBuffer();
}

/** A Bot API call with parameters grammY would not send; answers the raw `{ok, ...}` body. */
async function rawCall(method: string, params: Record<string, unknown>): Promise<{ ok: boolean; result?: unknown; error_code?: number; description?: string }> {
  const res = await fetch(`${standIn.url}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return (await res.json()) as { ok: boolean; result?: unknown; error_code?: number; description?: string };
}

describe("Bot API basics", () => {
  it("getMe answers with the bot user whose id is the token's number", async () => {
    const me = await api.getMe();
    expect(me.is_bot).toBe(true);
    expect(me.id).toBe(Number(token.split(":")[0]));
    expect(me.username).toMatch(/bot$/);
  });

  it("rejects malformed tokens with 401 and unknown methods with 404", async () => {
    const bad = new Api("123:short", { apiRoot: standIn.apiRoot });
    await expectGrammyError(bad.getMe(), 401, "Unauthorized");
    const res = await fetch(`${standIn.url}/bot${token}/getMeSomething`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
  });

  it("accepts urlencoded and GET parameters", async () => {
    await sandbox.sendText(USER, "hi");
    const form = await fetch(`${standIn.url}/bot${token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ chat_id: String(USER), text: "form", reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "a", callback_data: "a" }]] }) }),
    });
    const body = (await form.json()) as { ok: boolean; result: { text: string; reply_markup: unknown } };
    expect(body.ok).toBe(true);
    expect(body.result.text).toBe("form");
    expect(body.result.reply_markup).toEqual({ inline_keyboard: [[{ text: "a", callback_data: "a" }]] });
    const get = await fetch(`${standIn.url}/bot${token}/getChat?chat_id=${USER}`);
    expect(((await get.json()) as { result: { type: string } }).result.type).toBe("private");
  });
});

describe("getUpdates", () => {
  it("delivers a user's text with Telegram's shape, a bot_command entity, and drops confirmed updates", async () => {
    const sent = await sandbox.sendText(USER, "/start ref42", { from: { first_name: "Mei", username: "mei_l", language_code: "zh-hans" } });
    const updates = await api.getUpdates({ timeout: 0 });
    expect(updates).toHaveLength(1);
    const u = updates[0] as Update;
    expect(u.update_id).toBe(sent.update_id);
    expect(u.message).toMatchObject({
      message_id: sent.message_id,
      from: { id: USER, is_bot: false, first_name: "Mei", username: "mei_l", language_code: "zh-hans" },
      chat: { id: USER, type: "private", first_name: "Mei", username: "mei_l" },
      text: "/start ref42",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    });
    expect(typeof u.message?.date).toBe("number");

    const second = await sandbox.sendText(USER, "plain");
    expect(second.update_id).toBeGreaterThan(sent.update_id);
    expect(second.message_id).toBe(sent.message_id + 1);
    const again = await api.getUpdates({ offset: sent.update_id + 1, timeout: 0 });
    expect(again.map((x) => x.update_id)).toEqual([second.update_id]);
    expect(again[0]?.message?.entities).toBeUndefined();
    expect(await api.getUpdates({ offset: second.update_id + 1, timeout: 0 })).toEqual([]);
  });

  it("long polling wakes as soon as an update arrives", async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 10 });
    setTimeout(() => void sandbox.sendText(USER, "wake up"), 200);
    const updates = await poll;
    expect(updates[0]?.message?.text).toBe("wake up");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("long polling returns [] after the timeout, without spinning", async () => {
    const cpuBefore = process.cpuUsage();
    const started = Date.now();
    const updates = await api.getUpdates({ timeout: 1 });
    const took = Date.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    expect(updates).toEqual([]);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(2_000);
    // A busy loop would burn ~1 s of CPU here; waiting on an event costs a few ms.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(300);
  });

  it("limit caps the batch; a newer poll ends an older one with 409 like Telegram", async () => {
    for (let i = 0; i < 5; i++) await sandbox.sendText(USER, `m${i}`);
    expect(await api.getUpdates({ limit: 2 })).toHaveLength(2);
    await drain();
    const older = api.getUpdates({ timeout: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const newer = api.getUpdates({ timeout: 1 });
    await expectGrammyError(older, 409, /terminated by other getUpdates request/);
    expect(await newer).toEqual([]);
  });

  it("close() ends a pending long poll promptly", async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 30 }).catch(() => "closed");
    await new Promise((r) => setTimeout(r, 100));
    await standIn.close();
    await poll;
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("allowed_updates", () => {
  it("filters updates by type when they are created, is remembered per bot, and [] restores the default", async () => {
    await sandbox.sendText(USER, "hi");
    const pick = await api.sendMessage(USER, "Pick", { reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] } });
    await drain();
    expect(await api.getUpdates({ allowed_updates: ["callback_query"], timeout: 0 })).toEqual([]);
    const text = await sandbox.sendText(USER, "not for the bot");
    expect(text.update_id).toBe(0);
    const press = await sandbox.press(USER, pick.message_id, "yes");
    // Without allowed_updates the previous setting holds.
    expect((await api.getUpdates()).map((u) => u.update_id)).toEqual([press.update_id]);
    await drain();

    // Malformed values are ignored like Telegram ignores them: the setting stays.
    expect((await rawCall("getUpdates", { allowed_updates: "not json" })).ok).toBe(true);
    expect((await sandbox.sendText(USER, "still filtered")).update_id).toBe(0);

    // [] is the default: everything but chat_member and reactions.
    await api.getUpdates({ allowed_updates: [] });
    await sandbox.block(USER);
    const again = await sandbox.sendText(USER, "hello again");
    expect((await api.getUpdates()).map((u) => Object.keys(u)[1])).toEqual(["my_chat_member", "message"]);
    // Names are case-insensitive: "MESSAGE" leaves my_chat_member out.
    await rawCall("getUpdates", { offset: again.update_id + 1, allowed_updates: ["MESSAGE"] });
    await sandbox.unblock(USER);
    expect(await api.getUpdates()).toEqual([]);
    // A list naming no known type is the default too.
    await rawCall("getUpdates", { allowed_updates: ["mesage"] });
    await sandbox.block(USER);
    expect((await api.getUpdates()).map((u) => u.my_chat_member?.new_chat_member.status)).toEqual(["kicked"]);
  });

  it("setWebhook's allowed_updates filter webhook delivery the same way and show in getWebhookInfo", async () => {
    const received: Update[] = [];
    const hook: Server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push(JSON.parse(body) as Update);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    try {
      await sandbox.sendText(USER, "hi");
      await drain();
      // One connection: updates arrive one by one in update_id order.
      await api.setWebhook(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, { allowed_updates: ["message"], max_connections: 1 });
      expect((await api.getWebhookInfo()).allowed_updates).toEqual(["message"]);
      await sandbox.block(USER);
      await sandbox.unblock(USER);
      const sent = await sandbox.sendText(USER, "through the hook");
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received.map((u) => u.update_id)).toEqual([sent.update_id]);
      await api.deleteWebhook();
      // The setting belongs to the bot, so polling keeps it.
      expect((await api.getWebhookInfo()).allowed_updates).toEqual(["message"]);
      await api.getUpdates({ allowed_updates: [] });
      expect((await api.getWebhookInfo()).allowed_updates).toBeUndefined();
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});

describe("sending and editing messages", () => {
  it("sendMessage returns a full Message and shows up in the sandbox listing with its keyboard", async () => {
    const user = await sandbox.sendText(USER, "hi");
    const keyboard = { inline_keyboard: [[{ text: "Start", callback_data: "verify:start" }], [{ text: "Docs", url: "https://example.com" }]] };
    const msg = await api.sendMessage(USER, "Welcome", { reply_markup: keyboard, reply_parameters: { message_id: user.message_id } });
    expect(msg.message_id).toBe(user.message_id + 1);
    expect(msg.from?.is_bot).toBe(true);
    expect(msg.chat).toMatchObject({ id: USER, type: "private" });
    expect(msg.reply_markup).toEqual(keyboard);
    expect(msg.reply_to_message?.message_id).toBe(user.message_id);

    const contactKb = { keyboard: [[{ text: "Share phone", request_contact: true }]], resize_keyboard: true, one_time_keyboard: true };
    const ask = await api.sendMessage(USER, "Your phone?", { reply_markup: contactKb });
    expect(ask.reply_markup).toBeUndefined(); // Telegram only echoes inline keyboards

    const listed = await sandbox.messages(USER, { after: user.message_id });
    expect(listed.map((m) => [m.message_id, m.text, m.has_photo])).toEqual([
      [msg.message_id, "Welcome", false],
      [ask.message_id, "Your phone?", false],
    ]);
    expect(listed[0]?.reply_markup).toEqual(keyboard);
    expect(listed[1]?.reply_markup).toEqual(contactKb);
    expect(await sandbox.messages(USER, { after: ask.message_id })).toEqual([]);
  });

  it("the messages listing long-polls until the bot speaks", async () => {
    await sandbox.sendText(USER, "hi");
    const started = Date.now();
    const listing = sandbox.messages(USER, { after: 1, wait: 5 });
    setTimeout(() => void api.sendMessage(USER, "late reply"), 200);
    const msgs = await listing;
    expect(msgs.map((m) => m.text)).toEqual(["late reply"]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("validates like Telegram: empty, too long, unknown chat, bad keyboard", async () => {
    await sandbox.sendText(USER, "hi");
    await expectGrammyError(api.sendMessage(USER, ""), 400, "Bad Request: message text is empty");
    await expectGrammyError(api.sendMessage(USER, "x".repeat(4097)), 400, "Bad Request: message is too long");
    await api.sendMessage(USER, "x".repeat(4096));
    await expectGrammyError(api.sendMessage(999_999, "hello?"), 400, "Bad Request: chat not found");
    await expectGrammyError(
      api.sendMessage(USER, "x", { reply_markup: { inline_keyboard: [[{ text: "x", callback_data: "y".repeat(65) }]] } }),
      400,
      "Bad Request: BUTTON_DATA_INVALID",
    );
  });

  it("applies parse_mode: HTML becomes entities, bad MarkdownV2 is rejected", async () => {
    await sandbox.sendText(USER, "hi");
    const m = await api.sendMessage(USER, "<b>Step 1</b> of 3 &amp; <a href=\"https://t.me\">more</a>", { parse_mode: "HTML" });
    expect(m.text).toBe("Step 1 of 3 & more");
    expect(m.entities).toEqual([
      { type: "bold", offset: 0, length: 6 },
      { type: "text_link", offset: 14, length: 4, url: "https://t.me" },
    ]);
    await expectGrammyError(api.sendMessage(USER, "<b>open", { parse_mode: "HTML" }), 400, /can't parse entities/);
    await expectGrammyError(api.sendMessage(USER, "Done.", { parse_mode: "MarkdownV2" }), 400, /Character '\.' is reserved/);
    const md = await api.sendMessage(USER, "*Done*\\.", { parse_mode: "MarkdownV2" });
    expect(md.text).toBe("Done.");
  });

  it("parses the parse_mode variants the bot may use", async () => {
    await sandbox.sendText(USER, "hi");
    const cases: Array<[string, "HTML" | "MarkdownV2" | "Markdown", string, unknown[]]> = [
      ["<b>a <i>b</i></b> &lt;c&gt; &#128512;", "HTML", "a b <c> \u{1F600}", [{ type: "bold", offset: 0, length: 3 }, { type: "italic", offset: 2, length: 1 }]],
      ['<pre><code class="language-ts">x = 1</code></pre>', "HTML", "x = 1", [{ type: "pre", offset: 0, length: 5, language: "ts" }]],
      ["<tg-spoiler>s</tg-spoiler><u>u</u>", "HTML", "su", [{ type: "spoiler", offset: 0, length: 1 }, { type: "underline", offset: 1, length: 1 }]],
      ["__u__ ~s~ ||p|| `c\\\\` [l](https://x.y/\\)) 1\\+1\\=2", "MarkdownV2", "u s p c\\ l 1+1=2", [
        { type: "underline", offset: 0, length: 1 },
        { type: "strikethrough", offset: 2, length: 1 },
        { type: "spoiler", offset: 4, length: 1 },
        { type: "code", offset: 6, length: 2 },
        { type: "text_link", offset: 9, length: 1, url: "https://x.y/)" },
      ]],
      ["*b* _i_ [t](https://e.com) 1.5!", "Markdown", "b i t 1.5!", [
        { type: "bold", offset: 0, length: 1 },
        { type: "italic", offset: 2, length: 1 },
        { type: "text_link", offset: 4, length: 1, url: "https://e.com" },
      ]],
    ];
    for (const [input, mode, text, entities] of cases) {
      const m = await api.sendMessage(USER, input, { parse_mode: mode });
      expect({ text: m.text, entities: m.entities ?? [] }, `${mode}: ${input}`).toEqual({ text, entities });
    }
    await expectGrammyError(api.sendMessage(USER, "<b>x</i>", { parse_mode: "HTML" }), 400, /Unmatched end tag/);
    await expectGrammyError(api.sendMessage(USER, "<blink>x</blink>", { parse_mode: "HTML" }), 400, /Unsupported start tag "blink"/);
    await expectGrammyError(api.sendMessage(USER, "*open", { parse_mode: "MarkdownV2" }), 400, /Can't find end of Bold entity/);
    await expectGrammyError(api.sendMessage(USER, "<b></b>", { parse_mode: "HTML" }), 400, "Bad Request: message text is empty");
  });

  it("editMessageText edits, flags the listing, and rejects no-op and unknown edits", async () => {
    await sandbox.sendText(USER, "hi");
    const kb = { inline_keyboard: [[{ text: "OK", callback_data: "ok" }]] };
    const m = await api.sendMessage(USER, "Step 1", { reply_markup: kb });
    const edited = await api.editMessageText(USER, m.message_id, "Step 2", { reply_markup: kb });
    expect(edited).toMatchObject({ message_id: m.message_id, text: "Step 2", reply_markup: kb });
    expect(typeof (edited as { edit_date?: number }).edit_date).toBe("number");
    await expectGrammyError(api.editMessageText(USER, m.message_id, "Step 2", { reply_markup: kb }), 400, /^Bad Request: message is not modified: /);
    await expectGrammyError(api.editMessageText(USER, 9999, "x"), 400, "Bad Request: message to edit not found");
    await expectGrammyError(api.editMessageText(USER, 1, "x"), 400, "Bad Request: message can't be edited");
    // Without reply_markup the keyboard goes away, as on Telegram.
    await api.editMessageReplyMarkup(USER, m.message_id);
    const [listed] = await sandbox.messages(USER, { after: 1 });
    expect(listed).toMatchObject({ message_id: m.message_id, text: "Step 2", edited: true });
    expect(listed?.reply_markup).toBeUndefined();
    await expectGrammyError(api.editMessageReplyMarkup(USER, m.message_id), 400, /message is not modified/);
  });

  it("copyMessage, deleteMessage, sendChatAction", async () => {
    const user = await sandbox.sendText(USER, "copy me");
    const copy = await api.copyMessage(USER, USER, user.message_id);
    const [listed] = await sandbox.messages(USER, { after: user.message_id });
    expect(listed).toMatchObject({ message_id: copy.message_id, text: "copy me" });
    expect(await api.sendChatAction(USER, "typing")).toBe(true);
    expect(await api.deleteMessage(USER, copy.message_id)).toBe(true);
    await expectGrammyError(api.deleteMessage(USER, copy.message_id), 400, "Bad Request: message to delete not found");
    expect(await sandbox.messages(USER, { after: user.message_id })).toEqual([]);
  });
});

describe("files", () => {
  it("a user's photo arrives as Telegram photo sizes (<= 1280 px, EXIF dropped) and downloads via getFile", async () => {
    const original = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: "#888" } })
      .withExif({ IFD0: { Copyright: "secret-location" } })
      .jpeg()
      .toBuffer();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const sent = await sandbox.sendPhoto(USER, original, { caption: "my face" });
    const [u] = await api.getUpdates();
    const photo = u?.message?.photo ?? [];
    expect(u?.message?.message_id).toBe(sent.message_id);
    expect(u?.message?.caption).toBe("my face");
    expect(photo.length).toBeGreaterThanOrEqual(3);
    expect(new Set(photo.map((p) => p.file_id)).size).toBe(photo.length);
    expect(new Set(photo.map((p) => p.file_unique_id)).size).toBe(photo.length);
    const largest = photo.at(-1);
    expect(largest).toMatchObject({ width: 1280, height: 853 });
    expect(Math.max(photo[0]?.width ?? 0, photo[0]?.height ?? 0)).toBeLessThanOrEqual(90);

    const file = await api.getFile(largest?.file_id ?? "");
    expect(file.file_size).toBe(largest?.file_size);
    const res = await fetch(`${standIn.url}/file/bot${token}/${file.file_path}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: 1280, height: 853 });
    expect(meta.exif).toBeUndefined();
    expect((await fetch(`${standIn.url}/file/bot${token}/photos/nope.jpg`)).status).toBe(404);
  });

  it("a small photo is not upscaled, and undecodable bytes are a 400 for the sandbox caller", async () => {
    await sandbox.sendPhoto(USER, await jpeg(600, 400));
    const [u] = await api.getUpdates();
    expect(u?.message?.photo?.at(-1)).toMatchObject({ width: 600, height: 400 });
    const err = await expectSandboxError(sandbox.sendPhoto(USER, Buffer.from("definitely not an image")), 400);
    expect(JSON.stringify(err.body)).toMatch(/not a decodable image/);
  });

  it("sendPhoto with an uploaded Buffer (multipart) and again by file_id", async () => {
    await sandbox.sendText(USER, "hi");
    const sent = await api.sendPhoto(USER, new InputFile(await jpeg(2000, 1500), "id.jpg"), {
      caption: "<i>Check</i>",
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: [[{ text: "Retake", callback_data: "retake" }]] },
    });
    const largest = sent.photo?.at(-1);
    expect(largest).toMatchObject({ width: 1280, height: 960 });
    expect(sent.caption).toBe("Check");
    expect(sent.caption_entities).toEqual([{ type: "italic", offset: 0, length: 5 }]);
    const again = await api.sendPhoto(USER, largest?.file_id ?? "");
    expect(again.photo).toEqual(sent.photo);
    const listed = await sandbox.messages(USER, { after: 1 });
    expect(listed[0]).toMatchObject({ has_photo: true, photo_file_id: largest?.file_id, caption: "Check" });
    const bytes = await sandbox.file(listed[0]?.photo_file_id ?? "");
    expect((await sharp(bytes).metadata()).width).toBe(1280);
    await expectGrammyError(api.sendPhoto(USER, "unknown-file-id"), 400, "Bad Request: wrong file identifier/HTTP URL specified");
    await expectGrammyError(api.sendPhoto(USER, new InputFile(Buffer.from("nope"), "x.jpg")), 400, "Bad Request: IMAGE_PROCESS_FAILED");
  });

  it("documents are stored as-is, both from the user and from the bot", async () => {
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(300_000, 7)]);
    await sandbox.sendDocument(USER, pdf, "passport.pdf", "application/pdf");
    const [u] = await api.getUpdates();
    expect(u?.message?.document).toMatchObject({ file_name: "passport.pdf", mime_type: "application/pdf", file_size: pdf.length });
    const file = await api.getFile(u?.message?.document?.file_id ?? "");
    const res = await fetch(`${standIn.url}/file/bot${token}/${file.file_path}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);

    const report = Buffer.from("a,b\n1,2\n");
    const sent = await api.sendDocument(USER, new InputFile(report, "report.csv"));
    expect(sent.document).toMatchObject({ file_name: "report.csv", mime_type: "text/csv", file_size: report.length });
    expect((await sandbox.file(sent.document?.file_id ?? "")).equals(report)).toBe(true);
  });

  it("contact and sticker messages", async () => {
    await sandbox.sendContact(USER, "+886912345678", { user_id: USER });
    await sandbox.sendSticker(USER);
    const [c, s] = await api.getUpdates();
    expect(c?.message?.contact).toEqual({ phone_number: "+886912345678", first_name: `User${USER}`, user_id: USER });
    expect(s?.message?.sticker).toMatchObject({ type: "regular", width: 512, height: 512 });
    const f = await api.getFile(s?.message?.sticker?.file_id ?? "");
    expect(f.file_path).toMatch(/\.webp$/);
  });
});

describe("editMessageMedia", () => {
  it("replaces a photo sent the way grammY sends it (multipart attach://); the caption comes from the media", async () => {
    await sandbox.sendText(USER, "hi");
    const kb = { inline_keyboard: [[{ text: "Retake", callback_data: "retake" }]] };
    const sent = await api.sendPhoto(USER, new InputFile(await jpeg(800, 600), "a.jpg"), { caption: "Old", reply_markup: kb });
    const next = { inline_keyboard: [[{ text: "Approve", callback_data: "approve" }]] };
    const edited = await api.editMessageMedia(USER, sent.message_id, InputMediaBuilder.photo(new InputFile(await jpeg(600, 900)), { caption: "New" }), { reply_markup: next });
    if (edited === true) throw new Error("expected the edited Message");
    const largest = edited.photo?.at(-1);
    expect(largest).toMatchObject({ width: 600, height: 900 });
    expect(largest?.file_id).not.toBe(sent.photo?.at(-1)?.file_id);
    expect(edited).toMatchObject({ message_id: sent.message_id, caption: "New", reply_markup: next });
    expect(typeof edited.edit_date).toBe("number");
    const [listed] = await sandbox.messages(USER, { after: 1 });
    expect(listed).toMatchObject({ message_id: sent.message_id, has_photo: true, photo_file_id: largest?.file_id, caption: "New", reply_markup: next, edited: true });
    expect((await sharp(await sandbox.file(listed?.photo_file_id ?? "")).metadata()).height).toBe(900);

    // By file_id, without caption or keyboard: both go away, as on Telegram.
    const back = await api.editMessageMedia(USER, sent.message_id, InputMediaBuilder.photo(sent.photo?.at(-1)?.file_id ?? ""));
    expect(back).toMatchObject({ photo: sent.photo });
    expect(back).not.toHaveProperty("caption");
    expect(back).not.toHaveProperty("reply_markup");
    await expectGrammyError(api.editMessageMedia(USER, sent.message_id, InputMediaBuilder.photo(sent.photo?.at(-1)?.file_id ?? "")), 400, /message is not modified/);

    const csv = Buffer.from("a,b\n1,2\n");
    const doc = await api.editMessageMedia(USER, sent.message_id, InputMediaBuilder.document(new InputFile(csv, "r.csv"), { caption: "<b>r</b>", parse_mode: "HTML" }));
    expect(doc).toMatchObject({ document: { file_name: "r.csv", mime_type: "text/csv" }, caption: "r", caption_entities: [{ type: "bold", offset: 0, length: 1 }] });
    expect(doc).not.toHaveProperty("photo");
    expect((await sandbox.messages(USER, { after: 1 }))[0]).toMatchObject({ has_photo: false, document: { file_name: "r.csv" } });
  });

  it("fails like Telegram: no media to edit, unknown message, bad media JSON, unknown file", async () => {
    const hi = await sandbox.sendText(USER, "hi");
    const text = await api.sendMessage(USER, "just text");
    const photo = await api.sendPhoto(USER, new InputFile(await jpeg(300, 300), "p.jpg"));
    const pdf = await api.sendDocument(USER, new InputFile(Buffer.from("%PDF-1.4\n"), "a.pdf"));
    const photoBytes = await jpeg(200, 200);
    const upload = () => InputMediaBuilder.photo(new InputFile(photoBytes));
    await expectGrammyError(api.editMessageMedia(USER, text.message_id, upload()), 400, "Bad Request: there is no media in the message to edit");
    await expectGrammyError(api.editMessageMedia(USER, 9999, upload()), 400, "Bad Request: message to edit not found");
    await expectGrammyError(api.editMessageMedia(USER, hi.message_id, upload()), 400, "Bad Request: message can't be edited");
    await expectGrammyError(api.editMessageMedia(USER, photo.message_id, InputMediaBuilder.photo("no-such-file")), 400, "Bad Request: wrong file identifier/HTTP URL specified");
    await expectGrammyError(
      api.editMessageMedia(USER, photo.message_id, InputMediaBuilder.photo(pdf.document?.file_id ?? "")),
      400,
      "Bad Request: can't use file of type Document as Photo",
    );
    const cases: Array<[unknown, string]> = [
      [undefined, 'Bad Request: parameter "media" is required'],
      ["{not json", "Bad Request: can't parse input media JSON object"],
      [{ type: "video", media: "x" }, 'Bad Request: can\'t parse InputMedia: type "video" is unsupported'],
      [{ type: "photo", media: "attach://missing" }, "Bad Request: can't parse InputMedia: media not found"],
      // Media is read before the message is looked up.
      [{ type: "photo" }, "Bad Request: can't parse InputMedia: media not found"],
    ];
    for (const [media, description] of cases) {
      expect(await rawCall("editMessageMedia", { chat_id: USER, message_id: 9999, media }), JSON.stringify(media)).toEqual({ ok: false, error_code: 400, description });
    }
  });
});

describe("callback queries", () => {
  it("a button press becomes a callback_query; a second answer is rejected; answers are listed", async () => {
    await sandbox.sendText(USER, "hi");
    const m = await api.sendMessage(USER, "Pick", { reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] } });
    await drain();
    const press = await sandbox.press(USER, m.message_id, "yes");
    expect(press.message_id).toBe(m.message_id);
    const [u] = await api.getUpdates();
    const q = u?.callback_query;
    expect(q).toMatchObject({ from: { id: USER }, data: "yes", message: { message_id: m.message_id, text: "Pick" } });
    expect(typeof q?.id).toBe("string");
    expect(typeof q?.chat_instance).toBe("string");
    expect(await api.answerCallbackQuery(q?.id ?? "", { text: "Not your button", show_alert: true })).toBe(true);
    await expectGrammyError(
      api.answerCallbackQuery(q?.id ?? ""),
      400,
      "Bad Request: query is too old and response timeout expired or query ID is invalid",
    );
    const answers = await sandbox.callbackAnswers(USER);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ message_id: m.message_id, callback_data: "yes", text: "Not your button", show_alert: true });
    await expectSandboxError(sandbox.press(USER, 9999, "yes"), 404);
    await expectSandboxError(sandbox.press(USER, 1, "yes"), 404); // the user's own message has no buttons
  });
});

describe("faults and blocking", () => {
  it("an injected 429 reaches grammY as GrammyError with retry_after, once", async () => {
    await sandbox.sendText(USER, "hi");
    await sandbox.injectFault({ method: "sendMessage", error_code: 429, retry_after: 7 });
    const err = await expectGrammyError(api.sendMessage(USER, "x"), 429, "Too Many Requests: retry after 7");
    expect(err.parameters.retry_after).toBe(7);
    await api.sendMessage(USER, "x");
  });

  it("faults can target one chat and be cleared", async () => {
    await sandbox.sendText(USER, "hi");
    await sandbox.sendText(USER + 1, "hi");
    await sandbox.injectFault({ method: "sendMessage", error_code: 500, chat_id: USER + 1, times: 5 });
    await api.sendMessage(USER, "fine");
    await expectGrammyError(api.sendMessage(USER + 1, "x"), 500, "Internal Server Error");
    await sandbox.clearFaults();
    await api.sendMessage(USER + 1, "fine now");
  });

  it("a user who blocked the bot yields 403, and the bot hears about it via my_chat_member", async () => {
    await sandbox.sendText(USER, "hi");
    await drain();
    await sandbox.block(USER);
    await expectGrammyError(api.sendMessage(USER, "hello?"), 403, "Forbidden: bot was blocked by the user");
    const [u] = await api.getUpdates();
    expect(u?.my_chat_member?.new_chat_member.status).toBe("kicked");
    await sandbox.unblock(USER);
    await api.sendMessage(USER, "welcome back");
  });
});

describe("commands, members, groups", () => {
  it("setMyCommands is stored per scope and language", async () => {
    await api.setMyCommands([{ command: "start", description: "Start" }]);
    await api.setMyCommands([{ command: "start", description: "开始" }], { language_code: "zh" });
    expect(await sandbox.commands()).toEqual([{ command: "start", description: "Start" }]);
    expect(await sandbox.commands({ language_code: "zh" })).toEqual([{ command: "start", description: "开始" }]);
    expect(await sandbox.commands({ language_code: "fr" })).toEqual([]);
    expect(await api.getMyCommands({ language_code: "zh" })).toEqual([{ command: "start", description: "开始" }]);
    await expectGrammyError(api.setMyCommands([{ command: "Bad Command", description: "x" }]), 400, "Bad Request: BOT_COMMAND_INVALID");
  });

  it("group chats and getChatMember", async () => {
    const GROUP = -100123;
    await sandbox.sendText(USER, "/verify", { chat_id: GROUP });
    await sandbox.sendText(USER + 1, "me too", { chat_id: GROUP });
    const [u] = await api.getUpdates();
    expect(u?.message?.chat).toEqual({ id: GROUP, type: "supergroup", title: `Group ${GROUP}` });
    expect((await api.getChatMember(GROUP, USER)).status).toBe("creator");
    expect((await api.getChatMember(GROUP, USER + 1)).status).toBe("member");
    expect((await api.getChatMember(GROUP, USER + 2)).status).toBe("left");
    await api.sendMessage(GROUP, "hello group");
    expect((await sandbox.messages(GROUP)).map((m) => m.text)).toEqual(["hello group"]);
  });
});

describe("the bot in groups", () => {
  const GROUP = -1001234567890;

  it("the sandbox adds and removes the bot; each change reaches it as my_chat_member", async () => {
    const me = await api.getMe();
    expect(await sandbox.setBotStatus(GROUP, "member", { from: USER, title: "Staff" })).toEqual({ ok: true, status: "member" });
    const [added] = await drain();
    expect(added?.my_chat_member).toMatchObject({
      chat: { id: GROUP, type: "supergroup", title: "Staff" },
      from: { id: USER, is_bot: false },
      old_chat_member: { status: "left", user: { id: me.id, is_bot: true } },
      new_chat_member: { status: "member", user: { id: me.id } },
    });
    expect(typeof added?.my_chat_member?.date).toBe("number");
    expect((await api.getChat(GROUP)).title).toBe("Staff");
    // Whoever added the bot to a new group created it.
    expect((await api.getChatMember(GROUP, USER)).status).toBe("creator");

    await sandbox.setBotStatus(GROUP, "member");
    expect(await api.getUpdates()).toEqual([]);
    await sandbox.setBotStatus(GROUP, "administrator");
    const [promoted] = await drain();
    expect(promoted?.my_chat_member).toMatchObject({ from: { id: USER }, old_chat_member: { status: "member" }, new_chat_member: { status: "administrator", can_delete_messages: true } });
    expect(await api.getChatMember(GROUP, me.id)).toMatchObject({ status: "administrator", user: { id: me.id }, can_manage_chat: true });

    // A new group named by nobody gets an invented creator, who is the one adding the bot.
    await sandbox.setBotStatus(GROUP - 1, "administrator");
    const [invented] = await drain();
    const creator = invented?.my_chat_member?.from.id ?? 0;
    expect(creator).toBeGreaterThan(0);
    expect(creator).not.toBe(USER);
    expect(invented?.my_chat_member?.chat.title).toBe(`Group ${GROUP - 1}`);
    expect((await api.getChatMember(GROUP - 1, creator)).status).toBe("creator");
  });

  it("without the bot a group answers Telegram's 403s and its messages are kept from the bot until it is back", async () => {
    await sandbox.sendText(USER, "hi all", { chat_id: GROUP });
    const [first] = await drain();
    expect(first?.message?.chat.id).toBe(GROUP); // a group a user spoke in has the bot
    const kb = { inline_keyboard: [[{ text: "OK", callback_data: "ok" }]] };
    const text = await api.sendMessage(GROUP, "Case 1", { reply_markup: kb });
    const photo = await api.sendPhoto(GROUP, new InputFile(await jpeg(300, 300), "p.jpg"));
    const me = await api.getMe();
    const small = await jpeg(100, 100);

    for (const [status, description] of [
      ["kicked", "Forbidden: bot was kicked from the supergroup chat"],
      ["left", "Forbidden: bot is not a member of the supergroup chat"],
    ] as const) {
      await sandbox.setBotStatus(GROUP, status);
      const [removed] = await drain();
      expect(removed?.my_chat_member?.new_chat_member).toMatchObject(status === "kicked" ? { status, until_date: 0 } : { status });
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["sendMessage", () => api.sendMessage(GROUP, "x")],
        ["sendPhoto", () => api.sendPhoto(GROUP, photo.photo?.at(-1)?.file_id ?? "")],
        ["sendDocument", () => api.sendDocument(GROUP, new InputFile(Buffer.from("x"), "x.txt"))],
        ["copyMessage", () => api.copyMessage(GROUP, USER, first?.message?.message_id ?? 0)],
        ["forwardMessage", () => api.forwardMessage(GROUP, GROUP, text.message_id)],
        ["sendChatAction", () => api.sendChatAction(GROUP, "typing")],
        ["editMessageText", () => api.editMessageText(GROUP, text.message_id, "Case 1 (closed)")],
        ["editMessageCaption", () => api.editMessageCaption(GROUP, photo.message_id, { caption: "x" })],
        ["editMessageReplyMarkup", () => api.editMessageReplyMarkup(GROUP, text.message_id)],
        ["editMessageMedia", () => api.editMessageMedia(GROUP, photo.message_id, InputMediaBuilder.photo(new InputFile(small)))],
        // Telegram refuses reads of a private supergroup too (telegram-bot-api check_chat_access).
        ["getChat", () => api.getChat(GROUP)],
        ["getChatMember", () => api.getChatMember(GROUP, me.id)],
      ];
      for (const [method, call] of calls) {
        const err = await call().then(() => undefined, (e: unknown) => e);
        expect(err, method).toBeInstanceOf(GrammyError);
        expect({ method, code: (err as GrammyError).error_code, description: (err as GrammyError).description }).toEqual({ method, code: 403, description });
      }
    }

    const unheard = await sandbox.sendText(USER, "anyone?", { chat_id: GROUP });
    expect(unheard.update_id).toBe(0);
    expect((await sandbox.press(USER, text.message_id, "ok", { chat_id: GROUP })).update_id).toBe(0);
    expect(await api.getUpdates()).toEqual([]);

    await sandbox.setBotStatus(GROUP, "member");
    await drain();
    // The message the bot missed is still in the group: a reply quotes it.
    const reply = await sandbox.sendText(USER, "hello?", { chat_id: GROUP, reply_to_message_id: unheard.message_id });
    const [u] = await api.getUpdates();
    expect(u).toMatchObject({ update_id: reply.update_id, message: { text: "hello?", reply_to_message: { text: "anyone?" } } });
    const back = await api.sendMessage(GROUP, "Back");
    expect((await sandbox.messages(GROUP, { after: photo.message_id })).map((m) => [m.message_id, m.text])).toEqual([[back.message_id, "Back"]]);
  });

  it("rejects a non-group chat, an unknown status, a bad from; addresses other bots via /sandbox/bot<token>/", async () => {
    const post = (path: string, body: unknown) => fetch(`${standIn.url}/sandbox${path}`, { method: "POST", body: JSON.stringify(body) });
    for (const [path, body] of [
      [`/chats/${USER}/bot`, { status: "member" }],
      [`/chats/${GROUP}/bot`, { status: "owner" }],
      [`/chats/${GROUP}/bot`, { status: "member", from: -5 }],
      [`/chats/${GROUP}/bot`, { status: "member", title: "" }],
    ] as const) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
    }
    const otherToken = randomToken(9001);
    await new StandInClient(standIn.url, { token: otherToken }).setBotStatus(GROUP, "member");
    const [u] = await new Api(otherToken, { apiRoot: standIn.apiRoot }).getUpdates();
    expect(u?.my_chat_member?.new_chat_member.user.id).toBe(9001);
    expect(await api.getUpdates()).toEqual([]);
  });
});

describe("sandbox control API", () => {
  it("rejects malformed requests with a clear 400", async () => {
    const post = (path: string, body: string) => fetch(`${standIn.url}/sandbox${path}`, { method: "POST", body });
    const cases: Array<[string, string]> = [
      [`/users/${USER}/send`, "{not json"],
      [`/users/${USER}/send`, "{}"],
      [`/users/${USER}/send`, JSON.stringify({ text: "a", sticker: true })],
      ["/users/abc/send", JSON.stringify({ text: "a" })],
      [`/users/${USER}/send`, JSON.stringify({ text: "a", chat_id: USER + 1 })],
      [`/users/${USER}/send`, JSON.stringify({ photo: "%%%" })],
      ["/faults", JSON.stringify({ method: "sendMessage", error_code: 200 })],
    ];
    for (const [path, body] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${body}`).toBe(400);
      expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
    }
    expect((await fetch(`${standIn.url}/sandbox/nope`)).status).toBe(404);
    expect(await sandbox.health()).toEqual({ ok: true });
  });

  it("reset forgets chats but update_ids keep growing", async () => {
    const first = await sandbox.sendText(USER, "hi");
    await sandbox.reset();
    await expectGrammyError(api.sendMessage(USER, "x"), 400, "Bad Request: chat not found");
    expect(await api.getUpdates()).toEqual([]);
    const second = await sandbox.sendText(USER, "hi again");
    expect(second.update_id).toBeGreaterThan(first.update_id);
    expect(second.message_id).toBe(1);
  });

  it("sandbox messages sent before any bot connected are kept for the first bot", async () => {
    const fresh = await startStandIn({ port: 0 });
    try {
      await new StandInClient(fresh.url).sendText(USER, "early bird");
      const late = new Api(randomToken(555), { apiRoot: fresh.apiRoot });
      const [u] = await late.getUpdates();
      expect(u?.message?.text).toBe("early bird");
      expect((await late.getMe()).id).toBe(555);
    } finally {
      await fresh.close();
    }
  });

  it("explicit /sandbox/bot<token>/ routes address another bot", async () => {
    const otherToken = randomToken(9001);
    const other = new Api(otherToken, { apiRoot: standIn.apiRoot });
    await new StandInClient(standIn.url, { token: otherToken }).sendText(USER, "to the other bot");
    expect((await other.getUpdates())[0]?.message?.text).toBe("to the other bot");
    expect(await api.getUpdates()).toEqual([]);
  });
});

describe("memory bounds", () => {
  it("caps messages per chat, chats per bot and stored file bytes", async () => {
    const small = await startStandIn({ port: 0, limits: { maxMessagesPerChat: 3, maxChats: 2, maxFileBytes: 2_000 } });
    try {
      const client = new StandInClient(small.url);
      const bot = new Api(randomToken(), { apiRoot: small.apiRoot });
      await bot.getMe();
      for (let i = 0; i < 5; i++) await client.sendText(1, `m${i}`);
      const chat = small.state.sandboxBot().chats.get(1);
      expect([...(chat?.messages.keys() ?? [])]).toEqual([3, 4, 5]);
      await client.sendText(2, "hi");
      await client.sendText(3, "hi");
      expect([...small.state.sandboxBot().chats.keys()]).toEqual([2, 3]);
      await expectGrammyError(bot.sendMessage(1, "gone"), 400, "Bad Request: chat not found");
      const a = await client.sendDocument(2, Buffer.alloc(1_500, 1), "a.bin", "application/octet-stream");
      await client.sendDocument(2, Buffer.alloc(1_500, 2), "b.bin", "application/octet-stream");
      expect(a.message_id).toBeGreaterThan(0);
      const [first] = await bot.getUpdates({ offset: -2 });
      await expectGrammyError(bot.getFile(first?.message?.document?.file_id ?? ""), 400, "Bad Request: invalid file_id");
      expect(small.state.files.totalBytes).toBeLessThanOrEqual(2_000);
    } finally {
      await small.close();
    }
  });
});

describe("with a running grammY bot", () => {
  it("bot.start() and @grammyjs/runner both carry a dialog", async () => {
    const bot = new Bot(token, { client: { apiRoot: standIn.apiRoot } });
    bot.command("start", (ctx) => ctx.reply("Welcome!", { reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] } }));
    bot.callbackQuery("go", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Going" });
      await ctx.editMessageText("Gone");
    });
    bot.on("message:photo", (ctx) => ctx.reply(`photo ${ctx.message.photo.length} sizes`));
    const started = new Promise<void>((resolve) => void bot.start({ onStart: () => resolve(), timeout: 1 }));
    await started;
    try {
      await sandbox.sendText(USER, "/start");
      const [welcome] = await sandbox.waitForMessages(USER, { after: 1 });
      expect(welcome?.text).toBe("Welcome!");
      await sandbox.press(USER, welcome?.message_id ?? 0, "go");
      const answers = await sandbox.callbackAnswers(USER, { wait: 5 });
      expect(answers[0]?.text).toBe("Going");
      await sandbox.sendPhoto(USER, await jpeg(1000, 1000));
      const msgs = await sandbox.waitForMessages(USER, { after: welcome?.message_id ?? 0 });
      expect(msgs.at(-1)?.text).toMatch(/^photo \d sizes$/);
      expect((await sandbox.messages(USER, { after: 1 }))[0]).toMatchObject({ text: "Gone", edited: true });
    } finally {
      await bot.stop();
    }

    const runner = run(bot);
    try {
      await sandbox.sendText(USER, "/start");
      const last = (await sandbox.messages(USER)).at(-1)?.message_id ?? 0;
      const got = await sandbox.waitForMessages(USER, { after: last });
      expect(got[0]?.text).toBe("Welcome!");
    } finally {
      await runner.stop();
    }
  });

  it("webhook: updates are POSTed with the secret header, retried on failure; polling is refused meanwhile", async () => {
    const received: Array<{ secret: string | undefined; update: Update }> = [];
    let failFirst = true;
    const hook: Server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (failFirst) {
          failFirst = false;
          res.writeHead(500).end();
          return;
        }
        received.push({ secret: req.headers["x-telegram-bot-api-secret-token"] as string | undefined, update: JSON.parse(body) as Update });
        // A webhook reply: Telegram runs the method in the response body.
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ method: "sendMessage", chat_id: USER, text: "via webhook reply" }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      await api.setWebhook(url, { secret_token: "s3cret" });
      await expectGrammyError(api.getUpdates(), 409, /webhook is active/);
      const sent = await sandbox.sendText(USER, "hello webhook");
      const replies = await sandbox.waitForMessages(USER, { after: sent.message_id, timeoutMs: 5_000 });
      expect(replies[0]?.text).toBe("via webhook reply");
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ secret: "s3cret", update: { update_id: sent.update_id, message: { text: "hello webhook" } } });
      const info = await api.getWebhookInfo();
      expect(info).toMatchObject({ url, pending_update_count: 0, last_error_message: expect.stringMatching(/500/) });
      await api.deleteWebhook();
      await sandbox.sendText(USER, "polling again");
      expect((await api.getUpdates())[0]?.message?.text).toBe("polling again");
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });
});
