// A complete verification through the sandbox control API alone: plain HTTP, no
// project code. Start the bot first (`OPEN_ENROLMENT=true npm start`), then:
//   node test/sandbox-example.mjs [http://127.0.0.1:8081]
// It answers every prompt as fast as the bot replies, shows the selfie for the
// requested gesture (a photo of one man from test/fixtures/images), and takes a
// retake with a new gesture when the first one has no matching photo here.
// The anti-replay check remembers every photo, and the same face under another shop goes to
// staff review: run against a database that has seen these fixtures before, the selfies fail
// as "already sent" or wait for staff (as they should); use a fresh one to see a pass, e.g.
// DATABASE_URL=postgresql://postgres@127.0.0.1/shiren_example.
import { readFileSync } from "node:fs";
import { selfieFor } from "./sandbox-gestures.mjs";

const base = `${process.argv[2] ?? "http://127.0.0.1:8081"}/sandbox`;
const user = 100_000 + Math.floor(Math.random() * 1_000_000);
// The test photos in the repository (test/fixtures/images: labels, sources and licences there).
const fixtures = new URL("fixtures/images/", import.meta.url);
const photo = (name) => readFileSync(new URL(name, fixtures)).toString("base64");

let seen = 0;
async function send(body) {
  const res = await fetch(`${base}/users/${user}/send`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...body, from: { first_name: "Example", language_code: "en" } }),
  });
  if (!res.ok) throw new Error(`send failed: ${res.status} ${await res.text()}`);
}
/** The next `n` bot messages (long-polling). */
async function next(n = 1) {
  const out = [];
  while (out.length < n) {
    const r = await (await fetch(`${base}/chats/${user}/messages?after=${seen}&wait=30`)).json();
    for (const m of r.messages) {
      out.push(m);
      seen = Math.max(seen, m.message_id);
      console.log(`bot> ${(m.text ?? "").replace(/\n+/g, " ").slice(0, 110)}`);
    }
  }
  return out;
}
const press = (m, data) => send({ callback_data: data, message_id: m.message_id });

await send({ text: "/start" });
const [, consent] = await next(2);
await press(consent, "consent:yes");
await press((await next())[0], "face:yes");
await press((await next())[0], "region:passport");
await next();
await send({ text: "Subhi Hamed" });
await next();
// A passport number of this run's own: one that another shop gave already goes to staff review.
await send({ text: `E${user}` });
await next();
await send({ contact: { phone_number: "+85291234567", user_id: user } });
await next(2);
await send({ photo: photo("handsdataset_5_pic00050.jpg") }); // the ID document: his portrait
let [challenge] = await next();
for (let attempt = 1; attempt <= 3; attempt++) {
  await send({ photo: photo(selfieFor(challenge.text)) });
  const [, verdict] = await next(2);
  if (!verdict.text.startsWith("❌")) {
    console.log(`\n${verdict.text}\nseller: user ${user} (node test/sandbox-recheck-example.mjs ${user} shows a recheck 173 days on)`);
    process.exit(verdict.text.startsWith("✅") ? 0 : 1);
  }
  const retake = verdict.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data;
  if (!retake) break;
  await press(verdict, retake);
  [challenge] = await next();
}
console.log("not verified");
process.exit(1);
