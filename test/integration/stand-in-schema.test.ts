import { Api, InputFile, InputMediaBuilder } from "grammy";
import type { Update } from "grammy/types";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStandIn, type StandIn } from "../../sandbox/stand-in/server";
import { conformityErrors, loadBotApiSchema, resultErrors } from "../support/bot-api-schema";
import { StandInClient } from "../support/stand-in-client";

/** What the stand-in answers, checked field by field against the Bot API's own description. */
const schema = loadBotApiSchema();
const USER = 4242;
const GROUP = -1001234567890;
let standIn: StandIn;
let sandbox: StandInClient;
let api: Api;

beforeEach(async () => {
  standIn = await startStandIn({ port: 0 });
  sandbox = new StandInClient(standIn.url);
  api = new Api(`700123:${"x".repeat(35)}`, { apiRoot: standIn.apiRoot });
  await api.getMe();
});

afterEach(async () => {
  await standIn.close();
});

function expectResult(method: string, result: unknown): void {
  expect(resultErrors(schema, method, result), `${method} -> ${JSON.stringify(result).slice(0, 300)}`).toEqual([]);
}

function jpeg(width: number, height: number, r = 40): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r, g: 120, b: 200 } } }).jpeg().toBuffer();
}

describe("the checker", () => {
  const user = { id: 1, is_bot: false, first_name: "A" };

  it("accepts a conforming object and names each way a wrong one fails", () => {
    expect(schema.version).toBe("Bot API 10.1");
    expect(conformityErrors(schema, user, "User")).toEqual([]);
    expect(conformityErrors(schema, { ...user, nickname: "a" }, "User")).toEqual(["$.nickname: User has no field nickname"]);
    expect(conformityErrors(schema, { id: 1, is_bot: false }, "User")).toEqual(["$.first_name: required by User, missing"]);
    expect(conformityErrors(schema, { ...user, id: 1.5 }, "User")).toEqual(["$.id: expected Integer, got 1.5"]);
    expect(conformityErrors(schema, { ...user, id: "1" }, "User")).toEqual(['$.id: expected Integer, got string "1"']);
    expect(conformityErrors(schema, [user, { ...user, is_bot: "no" }], "Array of User")).toEqual(['$[1].is_bot: expected Boolean, got string "no"']);
    expect(conformityErrors(schema, { latitude: 1, longitude: 2.5 }, "Location")).toEqual([]);
    expect(conformityErrors(schema, true, "True")).toEqual([]);
    expect(conformityErrors(schema, false, "True")).toEqual(["$: expected True, got false"]);
    expect(resultErrors(schema, "editMessageText", true)).toEqual([]);
    expect(resultErrors(schema, "getMe", { ...user, is_bot: true, can_join_groups: 1 })).toEqual(["$.can_join_groups: expected Boolean, got 1"]);
  });

  it("a union must match exactly one subtype, told apart by the values the docs fix", () => {
    expect(conformityErrors(schema, { status: "kicked", user, until_date: 0 }, "ChatMember")).toEqual([]);
    // Shaped like ChatMemberLeft, but "kicked" is ChatMemberBanned, whose until_date is required.
    expect(conformityErrors(schema, { status: "kicked", user }, "ChatMember")).toEqual([
      expect.stringMatching(/^\$: matches no subtype of ChatMember .*ChatMemberBanned: \$\.until_date: required by ChatMemberBanned, missing/),
    ]);
    expect(conformityErrors(schema, { status: "administrator", user }, "ChatMember")).toEqual([expect.stringMatching(/matches no subtype/)]);
    const chat = { id: 5, type: "private", first_name: "A" };
    expect(conformityErrors(schema, { chat, message_id: 3, date: 0 }, "MaybeInaccessibleMessage")).toEqual([]);
    expect(conformityErrors(schema, { chat, message_id: 3, date: 1_700_000_000, text: "hi" }, "MaybeInaccessibleMessage")).toEqual([]);
    expect(conformityErrors(schema, { type: "user", date: 1, sender_user_name: "x" }, "MessageOrigin")).toEqual([expect.stringMatching(/matches no subtype/)]);
  });
});

describe("Bot API results conform to Bot API 10.1", () => {
  it("getMe, sending, every edit, forward and copy", async () => {
    expectResult("getMe", await api.getMe());
    const hi = await sandbox.sendText(USER, "hi");
    const keyboard = { inline_keyboard: [[{ text: "Start", callback_data: "start" }, { text: "Docs", url: "https://example.com" }]] };
    const text = await api.sendMessage(USER, "<b>Step 1</b>", { parse_mode: "HTML", reply_markup: keyboard, reply_parameters: { message_id: hi.message_id } });
    expectResult("sendMessage", text);
    expectResult("editMessageText", await api.editMessageText(USER, text.message_id, "Step 2", { reply_markup: keyboard }));
    expectResult("editMessageReplyMarkup", await api.editMessageReplyMarkup(USER, text.message_id));

    const photo = await api.sendPhoto(USER, new InputFile(await jpeg(1000, 800), "id.jpg"), { caption: "<i>Check</i>", parse_mode: "HTML", reply_markup: keyboard });
    expectResult("sendPhoto", photo);
    expectResult("editMessageCaption", await api.editMessageCaption(USER, photo.message_id, { caption: "Checked" }));
    const media = InputMediaBuilder.photo(new InputFile(await jpeg(600, 600, 90)), { caption: "Retaken" });
    expectResult("editMessageMedia", await api.editMessageMedia(USER, photo.message_id, media, { reply_markup: keyboard }));
    expectResult("editMessageMedia", await api.editMessageMedia(USER, photo.message_id, InputMediaBuilder.document(new InputFile(Buffer.from("a,b\n"), "r.csv"))));
    expectResult("sendDocument", await api.sendDocument(USER, new InputFile(Buffer.from("%PDF-1.4\n"), "a.pdf")));

    expectResult("forwardMessage", await api.forwardMessage(USER, USER, hi.message_id));
    expectResult("copyMessage", await api.copyMessage(USER, USER, hi.message_id));
  });

  it("getChatMember in each status, getChat, getFile, getWebhookInfo, getMyCommands", async () => {
    const me = await api.getMe();
    await sandbox.sendText(USER, "/verify", { chat_id: GROUP });
    await sandbox.sendText(USER + 1, "me too", { chat_id: GROUP });
    const members = [
      await api.getChatMember(GROUP, USER),
      await api.getChatMember(GROUP, USER + 1),
      await api.getChatMember(GROUP, USER + 2),
      await api.getChatMember(GROUP, me.id),
    ];
    await sandbox.setBotStatus(GROUP, "administrator");
    members.push(await api.getChatMember(GROUP, me.id));
    expect(members.map((m) => m.status)).toEqual(["creator", "member", "left", "member", "administrator"]);
    for (const m of members) expectResult("getChatMember", m);

    expectResult("getChat", await api.getChat(GROUP));
    await sandbox.sendText(USER, "hi");
    expectResult("getChat", await api.getChat(USER));

    const sent = await sandbox.sendPhoto(USER, await jpeg(300, 200));
    const update = (await api.getUpdates({ offset: -1 }))[0];
    expect(update?.message?.message_id).toBe(sent.message_id);
    expectResult("getFile", await api.getFile(update?.message?.photo?.at(-1)?.file_id ?? ""));

    expectResult("getWebhookInfo", await api.getWebhookInfo());
    await api.setMyCommands([{ command: "start", description: "Start" }]);
    expectResult("getMyCommands", await api.getMyCommands());
  });
});

describe("updates conform to Bot API 10.1", () => {
  it("messages of every kind, a button press, and my_chat_member from a private chat and a group", async () => {
    const first = await sandbox.sendText(USER, "/start ref", { from: { first_name: "Mei", last_name: "L", username: "mei", language_code: "zh-hans" } });
    await sandbox.sendText(USER, "a reply", { reply_to_message_id: first.message_id });
    await sandbox.sendContact(USER, "+886912345678", { user_id: USER });
    await sandbox.sendPhoto(USER, await jpeg(1500, 1000), { caption: "me" });
    await sandbox.sendDocument(USER, Buffer.from("%PDF-1.4\n"), "id.pdf", "application/pdf", { caption: "scan" });
    await sandbox.sendSticker(USER);
    const pick = await api.sendMessage(USER, "Pick", { reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] } });
    await sandbox.press(USER, pick.message_id, "yes");
    await sandbox.block(USER);
    await sandbox.unblock(USER);
    await sandbox.setBotStatus(GROUP, "member", { from: USER, title: "Staff" });
    await sandbox.setBotStatus(GROUP, "administrator");
    await sandbox.setBotStatus(GROUP, "left");
    await sandbox.setBotStatus(GROUP, "kicked");

    const updates = await api.getUpdates();
    expectResult("getUpdates", updates);
    const kind = (u: Update): string => {
      const m = u.message;
      if (m) return ["text", "contact", "photo", "document", "sticker"].find((k) => k in m) ?? "?";
      if (u.my_chat_member) return `${u.my_chat_member.chat.type}:${u.my_chat_member.old_chat_member.status}->${u.my_chat_member.new_chat_member.status}`;
      return Object.keys(u).find((k) => k !== "update_id") ?? "?";
    };
    expect(updates.map(kind)).toEqual([
      "text", "text", "contact", "photo", "document", "sticker", "callback_query",
      "private:member->kicked", "private:kicked->member",
      "supergroup:left->member", "supergroup:member->administrator", "supergroup:administrator->left", "supergroup:left->kicked",
    ]);
  });
});
