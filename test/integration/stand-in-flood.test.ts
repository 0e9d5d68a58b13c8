import { autoRetry } from "@grammyjs/auto-retry";
import { Api, GrammyError, InputFile } from "grammy";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStandIn, TELEGRAM_LIMITS, type StandIn } from "../../sandbox/stand-in/server";
import { conformityErrors, loadBotApiSchema } from "../support/bot-api-schema";
import { randomToken, startStandInWithBot, StandInClient, StandInClientError, type LimitsJson } from "../support/stand-in-client";

/**
 * The stand-in's flood model: Telegram's 429s for a bot that sends faster than ~30/s overall,
 * ~1/s in a private chat or 20/min in a group. Most tests raise the limits they do not test,
 * so each one isolates a single bucket and needs at most one real second of waiting.
 */
const USER = 4242;
const GROUP = -1001234567890;
let standIn: StandIn;
let sandbox: StandInClient;
let token: string;
let api: Api;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Raised limits: only the bucket a test names can run dry. */
const ROOMY: Partial<LimitsJson> = { enabled: true, per_second: 10_000, per_chat_per_second: 10_000, chat_burst: 10_000, per_group_per_minute: 600_000, group_burst: 10_000 };

beforeEach(async () => {
  ({ standIn, sandbox, token, api } = await startStandInWithBot());
});

afterEach(async () => {
  await standIn.close();
});

/** A sendMessage as raw HTTP, to see the status line and the exact body. */
async function rawSend(chatId: number, text = "x", tok = token): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${standIn.url}/bot${tok}/sendMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_id: chatId, text }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tooMany = (n: number): Record<string, unknown> => ({
  ok: false,
  error_code: 429,
  description: `Too Many Requests: retry after ${n}`,
  parameters: { retry_after: n },
});

async function expect429(p: Promise<unknown>, retryAfter: number): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GrammyError);
  const ge = err as GrammyError;
  expect([ge.error_code, ge.description, ge.parameters.retry_after]).toEqual([429, `Too Many Requests: retry after ${retryAfter}`, retryAfter]);
}

describe("flood model", () => {
  it("is off when started from code, with Telegram's figures ready to switch on", async () => {
    expect(await sandbox.limits()).toEqual({ enabled: false, per_second: 30, per_chat_per_second: 1, chat_burst: 3, per_group_per_minute: 20, group_burst: 20 });
    await sandbox.sendText(USER, "hi");
    for (let i = 0; i < 10; i++) expect((await rawSend(USER)).status).toBe(200);
  });

  it("a private chat takes its burst, then answers Telegram's 429; after retry_after it takes a send again", async () => {
    await sandbox.sendText(USER, "hi");
    await sandbox.setLimits({ ...ROOMY, per_chat_per_second: 1, chat_burst: 3 });
    for (let i = 0; i < 3; i++) expect((await rawSend(USER, `m${i}`)).status).toBe(200);
    const refused = await rawSend(USER);
    expect(refused).toEqual({ status: 429, body: tooMany(1) });
    // Error answers carry ResponseParameters (Bot API 10.1), like the results the schema test checks.
    expect(conformityErrors(loadBotApiSchema(), refused.body.parameters, "ResponseParameters")).toEqual([]);
    // Refusals consume nothing: hammering the chat does not push its next token further away.
    for (let i = 0; i < 5; i++) await expect429(api.sendMessage(USER, "again"), 1);
    await sleep(1_000);
    expect((await api.sendMessage(USER, "after the wait")).text).toBe("after the wait");
    await expect429(api.sendMessage(USER, "too soon"), 1);
    expect((await sandbox.messages(USER)).map((m) => m.text)).toEqual(["m0", "m1", "m2", "after the wait"]);
  });

  it("a group has its own per-minute bucket, independent of private chats and of other groups", async () => {
    await sandbox.sendText(USER, "hi");
    await sandbox.sendText(USER, "hi", { chat_id: GROUP });
    await sandbox.sendText(USER, "hi", { chat_id: GROUP - 1 });
    await sandbox.setLimits({ ...ROOMY, per_chat_per_second: 1, chat_burst: 1, per_group_per_minute: 60, group_burst: 2 });

    await api.sendMessage(USER, "private");
    await expect429(api.sendMessage(USER, "private 2"), 1);
    await api.sendMessage(GROUP, "group 1");
    await api.sendMessage(GROUP, "group 2");
    await expect429(api.sendMessage(GROUP, "group 3"), 1);
    await api.sendMessage(GROUP - 1, "other group");
    await sleep(1_000);
    await api.sendMessage(GROUP, "group 3");
    await api.sendMessage(USER, "private 2");

    // 6 a minute: the next token is 10 s away, and retry_after says so.
    await sandbox.setLimits({ per_group_per_minute: 6 });
    await expect429(api.sendMessage(GROUP, "group 4"), 10);
    // 45 a minute: 1.33 s away, rounded up to whole seconds.
    await sandbox.setLimits({ per_group_per_minute: 45 });
    await expect429(api.sendMessage(GROUP, "group 4"), 2);
    expect((await sandbox.messages(GROUP)).map((m) => m.text)).toEqual(["group 1", "group 2", "group 3"]);
  });

  it("the overall limit spans all chats; a chat's refusal takes nothing from it", async () => {
    const chats = [1, 2, 3, 4, 5, 6];
    for (const c of chats) await sandbox.sendText(c, "hi");
    await sandbox.setLimits({ ...ROOMY, per_second: 2, chat_burst: 1, per_chat_per_second: 0.1 });

    await api.sendMessage(1, "a");
    await expect429(api.sendMessage(1, "b"), 10); // chat 1 is dry; the bot's bucket keeps its last token
    const results = await Promise.all(chats.slice(1).map((c) => rawSend(c)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 429, 429, 429, 429]);
    for (const r of results.filter((x) => x.status === 429)) expect(r.body).toEqual(tooMany(1));

    await sleep(1_000);
    const later = await Promise.all(chats.slice(1).map((c) => rawSend(c)));
    // 2 tokens a second; the chat that got through before is dry for 10 s.
    expect(later.filter((r) => r.status === 200)).toHaveLength(2);
  });

  it("only sends and edits count: reads, chat actions, callback answers and deletions never get a 429", async () => {
    await sandbox.sendText(USER, "hi");
    const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#468" } }).jpeg().toBuffer();
    const sent = await api.sendPhoto(USER, new InputFile(photo), { reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "yes" }]] } });
    const spare = await api.sendMessage(USER, "to delete");
    await sandbox.setLimits({ ...ROOMY, per_second: 1, per_chat_per_second: 0.1, chat_burst: 1 });
    await api.sendMessage(USER, "the last one for a while");
    await sandbox.resetStats();
    await expect429(api.sendMessage(USER, "dry"), 10);
    await expect429(api.editMessageCaption(USER, sent.message_id, { caption: "edited" }), 10);
    await expect429(api.copyMessage(USER, USER, sent.message_id), 10);

    for (let i = 0; i < 5; i++) {
      await sandbox.press(USER, sent.message_id, "yes");
      const updates = await api.getUpdates({ offset: -1 });
      await api.answerCallbackQuery(updates[0]?.callback_query?.id ?? "");
      await api.sendChatAction(USER, "typing");
      await api.getChat(USER);
      await api.getChatMember(USER, USER);
      await api.getMe();
      await api.getFile(sent.photo.at(-1)?.file_id ?? "");
      await api.setMyCommands([{ command: "start", description: "Start" }]);
    }
    await api.deleteMessage(USER, spare.message_id);
    const stats = await sandbox.stats();
    expect(Object.keys(stats.methods).sort()).toEqual(["copyMessage", "editMessageCaption", "sendMessage"]);
    expect(stats.total).toEqual({ calls: 3, ok: 0, too_many: 3 });
  });

  it("injected faults come first, and a faulted send uses no token", async () => {
    await sandbox.sendText(USER, "hi");
    await sandbox.setLimits({ ...ROOMY, per_chat_per_second: 0.1, chat_burst: 1 });
    await sandbox.injectFault({ method: "sendMessage", error_code: 500 });
    expect((await rawSend(USER)).status).toBe(500);
    expect((await rawSend(USER)).status).toBe(200);
    await sandbox.injectFault({ method: "sendMessage", error_code: 403, chat_id: USER });
    expect((await rawSend(USER)).body.description).toBe("Forbidden: bot was blocked by the user");
    expect((await rawSend(USER)).body).toEqual(tooMany(10));
  });

  it("@grammyjs/auto-retry carries 60 messages to 20 chats through Telegram's real limits; the stats show what it absorbed", async () => {
    const real = await startStandIn({ port: 0, floodModel: TELEGRAM_LIMITS });
    try {
      const client = new StandInClient(real.url);
      const bot = new Api(randomToken(), { apiRoot: real.apiRoot });
      bot.config.use(autoRetry());
      await bot.getMe();
      expect(await client.limits()).toEqual({ enabled: true, per_second: 30, per_chat_per_second: 1, chat_burst: 3, per_group_per_minute: 20, group_burst: 20 });
      const chats = Array.from({ length: 20 }, (_, i) => 5000 + i);
      for (const c of chats) await client.sendText(c, "hi");

      const sends = chats.flatMap((c) => [1, 2, 3].map((n) => bot.sendMessage(c, `notice ${n}`)));
      const sent = await Promise.all(sends);
      expect(sent).toHaveLength(60);

      const stats = await client.stats();
      expect(stats.total.ok).toBe(60);
      // 60 at once against a burst of 30: about half waited once.
      expect(stats.total.too_many).toBeGreaterThanOrEqual(25);
      expect(stats.total.calls).toBe(stats.total.ok + stats.total.too_many);
      expect(stats.methods).toEqual({ sendMessage: stats.total });
      expect(Object.keys(stats.chats)).toHaveLength(20);
      for (const c of chats) {
        expect(stats.chats[String(c)]?.ok).toBe(3);
        // A retried send lands after the ones that got through at once.
        expect((await client.messages(c)).map((m) => m.text).sort()).toEqual(["notice 1", "notice 2", "notice 3"]);
      }
    } finally {
      await real.close();
    }
  });
});

describe("sandbox routes for the flood model", () => {
  it("POST /sandbox/limits validates every field and names each problem; a rejected change changes nothing", async () => {
    const post = (body: string) => fetch(`${standIn.url}/sandbox/limits`, { method: "POST", body });
    const before = await sandbox.limits();
    const cases: Array<[string, RegExp]> = [
      ["", /JSON body is required/],
      ["{not json", /not valid JSON/],
      ["[1]", /must be a JSON object/],
      [JSON.stringify({ enabled: "yes" }), /enabled must be true or false/],
      [JSON.stringify({ per_second: 0 }), /per_second must be a number > 0/],
      [JSON.stringify({ per_chat_per_second: -1 }), /per_chat_per_second must be a number > 0/],
      [JSON.stringify({ per_group_per_minute: "20" }), /per_group_per_minute must be a number > 0/],
      [JSON.stringify({ chat_burst: 1.5 }), /chat_burst must be an integer 1\.\./],
      [JSON.stringify({ group_burst: 0 }), /group_burst must be an integer 1\.\./],
      [JSON.stringify({ per_second: 1e9 }), /per_second must be a number > 0 and <= 1000000/],
      [JSON.stringify({ perSecond: 5 }), /unknown field perSecond \(allowed: enabled, per_second/],
      [JSON.stringify({ enabled: true, per_second: 0, chat_burst: "3" }), /per_second must .*; chat_burst must/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as { error: string }).error, body).toMatch(message);
    }
    expect(await sandbox.limits()).toEqual(before);
    expect(await sandbox.setLimits({})).toEqual(before);
    expect(await sandbox.setLimits({ enabled: true, per_chat_per_second: 0.5, chat_burst: 1 })).toEqual({ ...before, enabled: true, per_chat_per_second: 0.5, chat_burst: 1 });
    expect(await sandbox.limits()).toEqual({ ...before, enabled: true, per_chat_per_second: 0.5, chat_burst: 1 });
  });

  it("startStandIn refuses bad floodModel options", async () => {
    await expect(startStandIn({ port: 0, floodModel: { perSecond: 0 } })).rejects.toThrow(/floodModel: perSecond must be a number > 0/);
    await expect(startStandIn({ port: 0, floodModel: { groupBurst: 2.5 } })).rejects.toThrow(/groupBurst must be an integer/);
  });

  it("limits and stats are per bot; /sandbox/bot<token>/ addresses another bot", async () => {
    const otherToken = randomToken(9001);
    const other = new StandInClient(standIn.url, { token: otherToken });
    await new Api(otherToken, { apiRoot: standIn.apiRoot }).getMe();
    await other.sendText(USER, "hi");
    await sandbox.sendText(USER, "hi");
    expect((await other.setLimits({ enabled: true, chat_burst: 1 })).enabled).toBe(true);
    expect((await sandbox.limits()).enabled).toBe(false);
    expect((await rawSend(USER, "x", otherToken)).status).toBe(200);
    expect((await rawSend(USER, "x", otherToken)).status).toBe(429);
    expect((await rawSend(USER)).status).toBe(200);
    expect((await rawSend(USER)).status).toBe(200);
    expect((await other.stats()).total).toEqual({ calls: 2, ok: 1, too_many: 1 });
    expect((await sandbox.stats()).total).toEqual({ calls: 2, ok: 2, too_many: 0 });
  });

  it("GET /sandbox/stats counts sends per method and chat; stats reset zeroes them; /sandbox/reset also refills the buckets", async () => {
    const startedAt = Math.floor(Date.now() / 1000);
    await sandbox.sendText(USER, "hi");
    await sandbox.sendText(USER, "hi", { chat_id: GROUP });
    await sandbox.setLimits({ ...ROOMY, per_chat_per_second: 0.1, chat_burst: 2 });

    const m = await api.sendMessage(USER, "one");
    await api.editMessageText(USER, m.message_id, "one, edited");
    await expect429(api.sendMessage(USER, "two"), 10);
    await api.sendMessage(GROUP, "group");
    expect((await rawSend(999)).body.description).toBe("Bad Request: chat not found");
    await sandbox.injectFault({ method: "sendMessage", error_code: 429, retry_after: 3, chat_id: GROUP });
    await expect429(api.sendMessage(GROUP, "faulted"), 3);
    await api.sendChatAction(USER, "typing");
    const upper = await fetch(`${standIn.url}/bot${token}/SENDMESSAGE`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chat_id: GROUP, text: "loud" }) });
    expect(upper.status).toBe(200);

    const stats = await sandbox.stats();
    expect(stats.since).toBeGreaterThanOrEqual(startedAt - 1);
    expect(stats.since).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(stats.methods).toEqual({
      sendMessage: { calls: 6, ok: 3, too_many: 2 },
      editMessageText: { calls: 1, ok: 1, too_many: 0 },
    });
    expect(stats.chats).toEqual({
      [String(USER)]: { calls: 3, ok: 2, too_many: 1 },
      [String(GROUP)]: { calls: 3, ok: 2, too_many: 1 },
      "999": { calls: 1, ok: 0, too_many: 0 },
    });
    expect(stats.total).toEqual({ calls: 7, ok: 4, too_many: 2 });

    const zero = { methods: {}, chats: {}, total: { calls: 0, ok: 0, too_many: 0 } };
    const counts = async (): Promise<unknown> => {
      const { since: _since, ...rest } = await sandbox.stats();
      return rest;
    };
    expect(await sandbox.resetStats()).toEqual({ ok: true });
    expect(await counts()).toEqual(zero);
    // Zeroing the stats leaves the buckets as they were.
    await expect429(api.sendMessage(USER, "still dry"), 10);
    expect((await fetch(`${standIn.url}/sandbox/stats`, { method: "DELETE" })).status).toBe(200);
    expect(await counts()).toEqual(zero);
    expect((await fetch(`${standIn.url}/sandbox/stats/nope`, { method: "POST" })).status).toBe(404);

    await sandbox.reset();
    await sandbox.sendText(USER, "back");
    await api.sendMessage(USER, "full bucket 1");
    await api.sendMessage(USER, "full bucket 2");
    expect((await sandbox.stats()).total).toEqual({ calls: 2, ok: 2, too_many: 0 });
    expect((await sandbox.limits()).chat_burst).toBe(2); // the limits outlive a reset
  });

  it("the stats keep at most maxChats chats, and the totals stay exact", async () => {
    const small = await startStandIn({ port: 0, limits: { maxChats: 2 } });
    try {
      const client = new StandInClient(small.url);
      const bot = new Api(randomToken(), { apiRoot: small.apiRoot });
      await bot.getMe();
      for (const c of [1, 2, 3]) {
        await client.sendText(c, "hi");
        await bot.sendMessage(c, "hello");
      }
      const stats = await client.stats();
      expect(Object.keys(stats.chats)).toEqual(["2", "3"]);
      expect(stats.total).toEqual({ calls: 3, ok: 3, too_many: 0 });
    } finally {
      await small.close();
    }
  });

  it("sandbox errors stay sandbox-shaped", async () => {
    const err = await sandbox.setLimits({ chat_burst: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StandInClientError);
    expect((err as StandInClientError).body).toEqual({ error: "chat_burst must be an integer 1..1000000" });
  });
});
