// A recheck months on, through the sandbox control API alone: plain HTTP, no project code.
// With the bot started (`OPEN_ENROLMENT=true npm start`), verify a seller first:
//   node test/sandbox-example.mjs            # prints the seller's user id at the end
//   node test/sandbox-recheck-example.mjs <user id> [http://127.0.0.1:8081]
// It reads the recheck date the bot gave the seller, moves the sandbox clock (the bot's and
// every worker's) to six days before it, waits for the reminder that comes a week before
// the recheck is due, presses its button, sends a selfie with the gesture asked for, and
// prints the verdict and the next recheck date.
import { readFileSync } from "node:fs";
import { selfieFor } from "./sandbox-gestures.mjs";

const user = Number(process.argv[2]);
if (!Number.isSafeInteger(user) || user <= 0) {
  console.error("usage: node test/sandbox-recheck-example.mjs <user id of a verified seller> [sandbox url]");
  process.exit(2);
}
const base = `${process.argv[3] ?? "http://127.0.0.1:8081"}/sandbox`;
const photo = (name) => readFileSync(new URL(`fixtures/images/${name}`, import.meta.url)).toString("base64");

const post = async (path, body) => {
  const res = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
const history = (await (await fetch(`${base}/chats/${user}/messages?after=0`)).json()).messages;
let seen = history.at(-1)?.message_id ?? 0;
// The last verdict: "✅ Verified! … a short re-check around 2027-05-16." (ISO dates in every locale)
const due = history.filter((m) => m.text?.startsWith("✅")).map((m) => /(\d{4}-\d{2}-\d{2})/.exec(m.text)?.[1]).at(-1);
if (!due) throw new Error(`user ${user} has no recheck date in the chat: verify the seller first`);
async function next() {
  for (;;) {
    const { messages } = await (await fetch(`${base}/chats/${user}/messages?after=${seen}&wait=60`)).json();
    if (messages.length) {
      seen = messages[0].message_id;
      console.log(`bot> ${(messages[0].text ?? "").replace(/\n+/g, " ").slice(0, 140)}`);
      return messages[0];
    }
  }
}

const now = Date.parse((await (await fetch(`${base}/clock`)).json()).now);
const target = Date.parse(`${due}T12:00:00Z`) - 6 * 86_400_000;
const clock = await post("/clock", { advance_seconds: Math.max(0, Math.round((target - now) / 1000)) });
console.log(`clock moved to ${clock.now} (${clock.offset_seconds} s ahead)`);
const reminder = await next();
const button = reminder.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data;
if (!button?.startsWith("recheck:")) throw new Error("no recheck reminder came (is the seller verified, and the staff process running?)");
await post(`/users/${user}/send`, { callback_data: button, message_id: reminder.message_id });
let challenge = await next();
for (let attempt = 1; attempt <= 3; attempt++) {
  await post(`/users/${user}/send`, { photo: photo(selfieFor(challenge.text)) });
  await next(); // "checking your photos"
  const verdict = await next();
  if (!verdict.text?.startsWith("❌")) process.exit(verdict.text?.startsWith("✅") ? 0 : 1);
  await post(`/users/${user}/send`, { callback_data: verdict.reply_markup.inline_keyboard[0][0].callback_data, message_id: verdict.message_id });
  challenge = await next();
}
process.exit(1);
