/**
 * The web sandbox: a Telegram-like chat on the real bot, through the stand-in's sandbox API
 * only (the same routes curl and the tests use), with what happens behind the scenes beside it.
 * Plain DOM, no framework: every node is built with textContent, never from HTML strings.
 */

// ---------------------------------------------------------------- types (the sandbox API's JSON)

interface Person { id: number; first_name: string; language_code: string; phone_number?: string; shop_id?: string; start_param?: string }
interface ChatSummary { id: number; type: string; title: string; bot_status: string; creator_id?: number; members: number[]; last?: { text: string; date: number; from_bot: boolean } }
interface Entity { type: string; offset: number; length: number; url?: string; language?: string }
interface Button { text: string; callback_data?: string; url?: string; web_app?: { url: string } }
interface KeyButton { text: string; request_contact?: boolean }
interface HistoryMessage {
  message_id: number; date: number; from_bot: boolean; from: { id: number; first_name: string };
  text?: string; entities?: Entity[]; caption?: string; caption_entities?: Entity[]; photo_file_id?: string;
  document?: { file_id: string; file_name?: string; mime_type?: string }; contact?: { phone_number: string; first_name: string };
  sticker?: string; inline_keyboard?: Button[][]; edited?: true;
}
interface ChatHistory { chat: ChatSummary; messages: HistoryMessage[]; reply_keyboard: { keyboard: (KeyButton | string)[][]; placeholder?: string } | null; last_answer_seq: number }
interface Answer { seq: number; text?: string; show_alert: boolean }
interface Check {
  attempt: number; status: string; verdict: string | null; reasons: string[]; gesture: string; seconds: number | null;
  faces: { score: number; heightRatio: number; brightness: number; sharpness: number }[] | null; reference_faces: number | null;
  match_score: number | null; hands: { presence: number; nearFace: boolean; gestures: string[]; source: string }[] | null;
  gestures_detected: string[] | null; replay: boolean | null; duplicate_face: { similarity: number | null } | null;
  shared_id_number: boolean | null; timings_ms: Record<string, number> | null;
  capture: string; burst: { frames: number; motion: number; still: boolean; minSimilarity: number | null; consistent: boolean; best: number } | null;
}
interface Insight {
  at: string;
  shop: { shop_id: string | null; shop_name: string | null; status: string; reserved_phone: string | null; bound: boolean; next_recheck_at: string | null; last_verified_at: string | null; restricted: boolean } | null;
  case: {
    id: string; kind: string; status: string; attempts: number; max_attempts: number; gesture: string | null; challenge_deadline: string | null;
    verdict: string | null; reasons: string[]; manual_review: boolean; claimed: boolean; has_document_photo: boolean;
    identity: { region: string; name: string; id_number: string; phone: string | null } | null;
  } | null;
  checks: Check[];
  thresholds: { match_pass: number; match_fail: number; face_min_score: number; hand_min_presence: number };
  queues: Record<string, Record<string, number>>;
}

// ---------------------------------------------------------------- DOM helpers

const $ = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing`);
  return e as T;
};

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else if (v !== false) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// ---------------------------------------------------------------- the sandbox API

class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function api<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/sandbox${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiFailure(res.status, json.error ?? `${method} ${path}: HTTP ${res.status}`);
  return json as T;
}

// ---------------------------------------------------------------- state

let people: Person[] = [];
let chats: ChatSummary[] = [];
let botUsername = "bot";
/** the open chat: a user id (private) or a group id */
let current: number | null = null;
let opened: ChatHistory | null = null;
let acting: number | null = null;
const seenAnswers = new Map<number, number>();
const layout = $("layout");

const personOf = (id: number) => people.find((p) => p.id === id);
const isGroup = (id: number | null) => id !== null && id < 0;
/** who types in the open chat: the seller in a private chat, the chosen member in a group */
const speaker = (): number | null => (isGroup(current) ? acting : current);

// ---------------------------------------------------------------- chat list

async function loadLists(): Promise<void> {
  const [u, c] = await Promise.all([api<{ users: Person[] }>("GET", "/users"), api<{ chats: ChatSummary[] }>("GET", "/chats")]);
  people = u.users;
  chats = c.chats;
  renderChatList();
}

function renderChatList(): void {
  const list = $("chat-list");
  const entries: { id: number; title: string; last: string }[] = [];
  const listed = new Set<number>();
  for (const c of chats) {
    if (c.type === "private" && !personOf(c.id)) continue;
    entries.push({ id: c.id, title: c.type === "private" ? c.title : `👥 ${c.title}`, last: c.last?.text ?? "" });
    listed.add(c.id);
  }
  // People added here who have not written yet (a private chat opens with the first message).
  for (const p of people) {
    if (listed.has(p.id) || p.phone_number === undefined) continue;
    entries.push({ id: p.id, title: p.first_name, last: p.start_param ? "has the shop's link: not started" : "not started" });
  }
  list.replaceChildren(
    ...entries.map((e) =>
      h("li", {}, h("button", { type: "button", "aria-current": e.id === current ? "true" : "false", onclick: () => void openChat(e.id) },
        h("span", { class: "name" }, e.title), h("span", { class: "last" }, e.last))),
    ),
  );
  $("chat-list-empty").hidden = entries.length > 0;
}

// ---------------------------------------------------------------- one chat

async function openChat(id: number): Promise<void> {
  current = id;
  opened = null;
  layout.dataset.view = "chat";
  acting = null;
  renderChatList();
  await loadHistory();
  void loadPanel();
  $("composer-text").focus();
}

async function loadHistory(): Promise<void> {
  const id = current;
  if (id === null) return;
  try {
    opened = await api<ChatHistory>("GET", `/chats/${id}/history`);
  } catch (err) {
    if (!(err instanceof ApiFailure && err.status === 404)) throw err;
    opened = null; // no message yet
  }
  if (id !== current) return;
  renderChat();
  await showNewAnswers(id);
}

function renderChat(): void {
  const id = current;
  if (id === null) return;
  const group = isGroup(id);
  const p = group ? undefined : personOf(id);
  const chat = opened?.chat ?? chats.find((c) => c.id === id);
  $("chat-title").textContent = group ? (chat?.title ?? `Group ${id}`) : (p?.first_name ?? `User ${id}`);
  $("chat-sub").textContent = group
    ? `group ${id} · the bot is ${chat?.bot_status ?? "not here"}`
    : `user ${id}${p?.shop_id ? ` · shop ${p.shop_id}` : ""}`;

  const profile = $<HTMLFormElement>("profile");
  profile.hidden = group;
  if (p) {
    $<HTMLSelectElement>("profile-lang").value = p.language_code;
    const phone = $<HTMLInputElement>("profile-phone");
    if (document.activeElement !== phone) phone.value = p.phone_number ?? "";
  }
  const actingForm = $<HTMLFormElement>("acting");
  actingForm.hidden = !group;
  if (group && chat) {
    const members = [...new Set([...(chat.creator_id !== undefined ? [chat.creator_id] : []), ...chat.members])];
    acting ??= members[0] ?? null;
    $("acting-user").replaceChildren(
      ...members.map((m) => h("option", { value: String(m), selected: m === acting }, `${personOf(m)?.first_name ?? `User ${m}`} (${m})${m === chat.creator_id ? " · admin" : ""}`)),
    );
  }

  const messages = $("messages");
  const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  const added = patchMessages(messages, `${id}`, opened?.messages ?? [], group);
  if (added && (atBottom || messages.childElementCount <= added)) messages.scrollTop = messages.scrollHeight;

  const started = (opened?.messages.length ?? 0) > 0;
  const startBox = $("start-box");
  startBox.hidden = started || group;
  if (!started && p) {
    $("start-text").textContent = p.start_param
      ? `The marketplace sent ${p.first_name} the shop's link t.me/${botUsername}?start=${p.start_param}. Opening it sends /start with that code.`
      : `${p.first_name} has not talked to the bot yet.`;
    $("start").textContent = p.start_param ? "Open the shop's link" : "Start";
  }
  $("composer").hidden = !started && !group;
  renderReplyKeyboard();
}

/**
 * Brings the list up to date touching only what changed: a new message is appended, an edited
 * one replaced, a deleted one removed. The list is an ARIA log, so a screen reader announces
 * just the new messages, and photos already shown are not loaded again. Returns how many were added.
 */
function patchMessages(list: HTMLElement, chatKey: string, items: HistoryMessage[], group: boolean): number {
  if (list.dataset.chat !== chatKey) {
    list.replaceChildren();
    list.dataset.chat = chatKey;
  }
  const keyOf = (m: HistoryMessage) => String(m.message_id);
  const sigOf = (m: HistoryMessage) => JSON.stringify(m) + (group ? `@${acting}` : "");
  const make = (m: HistoryMessage) => {
    const li = renderMessage(m, group);
    li.dataset.key = keyOf(m);
    li.dataset.sig = sigOf(m);
    return li;
  };
  const keys = new Set(items.map(keyOf));
  for (const li of [...list.children] as HTMLElement[]) if (!keys.has(li.dataset.key ?? "")) li.remove();
  let added = 0;
  items.forEach((m, i) => {
    const li = list.children[i] as HTMLElement | undefined;
    if (li?.dataset.key === keyOf(m)) {
      if (li.dataset.sig !== sigOf(m)) li.replaceWith(make(m));
      return;
    }
    list.insertBefore(make(m), li ?? null);
    added++;
  });
  return added;
}

function renderMessage(m: HistoryMessage, group: boolean): HTMLLIElement {
  const mine = !m.from_bot && (!group || m.from.id === acting);
  const body = h("div", { class: "body" });
  if (m.photo_file_id) body.append(h("img", { src: `/sandbox/files/${encodeURIComponent(m.photo_file_id)}`, alt: m.from_bot ? "Photo from the bot" : "Photo you sent", loading: "lazy" }));
  if (m.text !== undefined) body.append(formatted(m.text, m.entities));
  if (m.caption !== undefined) body.append(formatted(m.caption, m.caption_entities));
  if (m.contact) body.append(`📞 Contact: ${m.contact.first_name}, ${m.contact.phone_number}`);
  if (m.document) body.append(`📎 ${m.document.file_name ?? "file"} (${m.document.mime_type ?? "unknown type"})`);
  if (m.sticker) body.append(m.sticker);
  const time = new Date(m.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return h("li", { class: mine ? "msg mine" : "msg" },
    group || m.from_bot ? h("div", { class: "who" }, m.from_bot ? "Shiren" : m.from.first_name) : null,
    body,
    m.inline_keyboard ? inlineKeyboard(m) : null,
    h("div", { class: "meta" }, m.edited ? `edited · ${time}` : time),
  );
}

function inlineKeyboard(m: HistoryMessage): HTMLElement {
  return h("div", { class: "inline-keyboard", role: "group", "aria-label": "Buttons" },
    ...(m.inline_keyboard ?? []).map((row) =>
      h("div", { class: "inline-row" },
        ...row.map((b) => {
          if (b.url) return h("a", { class: "url-button", href: b.url, target: "_blank", rel: "noopener noreferrer" }, `${b.text} ↗`);
          if (b.web_app) return h("button", { type: "button", onclick: () => void act(() => openMiniApp(m.message_id, b.text)) }, `${b.text} ▣`);
          if (b.callback_data === undefined) return h("button", { type: "button", disabled: true, title: "This kind of button does nothing in the sandbox" }, b.text);
          return h("button", { type: "button", onclick: () => void act(() => send({ callback_data: b.callback_data ?? "", message_id: m.message_id })) }, b.text);
        }),
      ),
    ),
  );
}

/** Telegram's entities (UTF-16 offsets, nested) as DOM: bold, links, code, spoilers, commands… */
function formatted(text: string, entities: Entity[] = []): DocumentFragment {
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const build = (start: number, end: number, list: Entity[]): Child[] => {
    const out: Child[] = [];
    let pos = start;
    for (let i = 0; i < list.length; ) {
      const e = list[i] as Entity;
      const eEnd = Math.min(e.offset + e.length, end);
      let j = i + 1;
      while (j < list.length && (list[j] as Entity).offset < eEnd) j++;
      if (e.offset > pos) out.push(text.slice(pos, e.offset));
      const node = entityNode(e, text.slice(e.offset, eEnd));
      node.append(...(build(Math.max(e.offset, pos), eEnd, list.slice(i + 1, j)).filter(Boolean) as (Node | string)[]));
      out.push(node);
      pos = Math.max(pos, eEnd);
      i = j;
    }
    if (pos < end) out.push(text.slice(pos, end));
    return out;
  };
  const frag = document.createDocumentFragment();
  frag.append(...(build(0, text.length, sorted).filter(Boolean) as (Node | string)[]));
  return frag;
}

function entityNode(e: Entity, inner: string): HTMLElement {
  const safeUrl = (u: string | undefined) => (u && /^(https?:|tg:)/i.test(u) ? u : undefined);
  switch (e.type) {
    case "bold": return h("strong");
    case "italic": return h("em");
    case "underline": return h("u");
    case "strikethrough": return h("s");
    case "code": return h("code");
    case "pre": return h("pre");
    case "blockquote":
    case "expandable_blockquote": return h("blockquote");
    case "spoiler": {
      const s = h("span", { class: "spoiler", tabindex: "0", role: "button", "aria-label": "Hidden text: press to show" });
      const show = () => s.classList.add("shown");
      s.addEventListener("click", show);
      s.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") show(); });
      return s;
    }
    case "text_link":
    case "url": {
      const href = safeUrl(e.type === "url" ? inner : e.url);
      return href ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }) : h("span");
    }
    case "bot_command":
      return h("a", { href: "#", onclick: (ev: Event) => { ev.preventDefault(); void act(() => send({ text: inner })); } });
    default: return h("span");
  }
}

function renderReplyKeyboard(): void {
  const box = $("reply-keyboard");
  const kb = opened?.reply_keyboard;
  box.hidden = !kb;
  if (!kb) return box.replaceChildren();
  box.replaceChildren(
    ...kb.keyboard.map((row) =>
      h("div", { class: "row" },
        ...row.map((raw) => {
          const b: KeyButton = typeof raw === "string" ? { text: raw } : raw;
          return h("button", { type: "button", onclick: () => void act(() => (b.request_contact ? shareContact() : send({ text: b.text }))) },
            b.request_contact ? `📞 ${b.text}` : b.text);
        }),
      ),
    ),
  );
  $<HTMLInputElement>("composer-text").placeholder = kb.placeholder ?? "Message";
}

async function shareContact(): Promise<void> {
  const p = current === null ? undefined : personOf(current);
  if (!p?.phone_number) throw new Error("This user has no phone yet: set one above, then share the contact.");
  await send({ contact: { phone_number: p.phone_number, user_id: p.id, first_name: p.first_name } });
}

async function send(body: Record<string, unknown>): Promise<void> {
  const who = speaker();
  if (who === null || current === null) throw new Error("Pick a chat first.");
  await api("POST", `/users/${who}/send`, { ...body, ...(isGroup(current) ? { chat_id: current } : {}) });
}

/** Runs a user action; a failure shows as a message under the composer, never silently. */
async function act(fn: () => Promise<void>): Promise<void> {
  const error = $("composer-error");
  error.textContent = "";
  try {
    await fn();
  } catch (err) {
    error.textContent = err instanceof Error ? err.message : String(err);
  }
}

async function showNewAnswers(chatId: number): Promise<void> {
  const latest = opened?.last_answer_seq ?? 0;
  const seen = seenAnswers.get(chatId);
  seenAnswers.set(chatId, Math.max(latest, seen ?? 0));
  if (seen === undefined || latest <= seen) return; // the first look at a chat shows no old toasts
  const { answers } = await api<{ answers: Answer[] }>("GET", `/chats/${chatId}/callback-answers?after=${seen}`);
  for (const a of answers) if (a.text) toast(a.text, a.show_alert);
}

function toast(text: string, alert = false): void {
  const t = h("div", { class: alert ? "toast alert" : "toast" }, text);
  $("toasts").append(t);
  setTimeout(() => t.remove(), alert ? 6000 : 3500);
}

/** A web_app button: the stand-in signs the launch data as Telegram would; the Mini App opens phone-sized. */
async function openMiniApp(messageId: number, button: string): Promise<void> {
  if (current === null) return;
  const { url } = await api<{ url: string }>("POST", `/users/${current}/open-web-app`, { message_id: messageId, button });
  const dialog = $<HTMLDialogElement>("webapp-dialog");
  $("webapp-title").textContent = button;
  $("webapp-frame").replaceChildren(h("iframe", { src: url, title: button, allow: "camera" }));
  dialog.showModal();
}

// ---------------------------------------------------------------- sending photos and files

const MAX_UPLOAD = 50 * 1024 * 1024;
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(new Error("could not read the file"));
    r.readAsDataURL(blob);
  });
}

/** An image goes as a photo (Telegram compresses it); anything else, such as a PDF, as a file. */
async function sendFile(file: File): Promise<void> {
  if (file.size > MAX_UPLOAD) throw new Error(`${file.name} is larger than 50 MB.`);
  const data = await dataUrl(file);
  if (PHOTO_TYPES.has(file.type)) await send({ photo: data });
  else await send({ document: data, file_name: file.name || "file", mime_type: file.type || "application/octet-stream" });
}

let stream: MediaStream | null = null;

function stopCamera(): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
  stream = null;
  $<HTMLVideoElement>("camera-video").srcObject = null;
}

function cameraProblem(err: unknown): string {
  const name = err instanceof DOMException ? err.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Camera permission was refused. Allow the camera for this page in the browser's site settings, or send a photo file with 📎.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") return "No camera was found. Connect one, or send a photo file with 📎.";
  if (name === "NotReadableError") return "The camera is busy in another program. Close it there, or send a photo file with 📎.";
  return `The camera could not start (${err instanceof Error ? err.message : String(err)}). Send a photo file with 📎 instead.`;
}

async function openCamera(): Promise<void> {
  const dialog = $<HTMLDialogElement>("camera-dialog");
  const error = $("camera-error");
  const shoot = $<HTMLButtonElement>("camera-shoot");
  const video = $<HTMLVideoElement>("camera-video");
  error.textContent = "";
  shoot.disabled = true;
  video.hidden = false;
  dialog.showModal();
  if (!navigator.mediaDevices?.getUserMedia) {
    error.textContent = "This browser offers no camera to this page (it needs http://127.0.0.1 or https). Send a photo file with 📎 instead.";
    video.hidden = true;
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
    video.srcObject = stream;
    await video.play();
    shoot.disabled = false;
    shoot.focus();
  } catch (err) {
    stopCamera();
    video.hidden = true;
    error.textContent = cameraProblem(err);
  }
}

async function snapshot(): Promise<void> {
  const video = $<HTMLVideoElement>("camera-video");
  if (!video.videoWidth) throw new Error("The camera has not given a picture yet.");
  const canvas = h("canvas", { width: String(video.videoWidth), height: String(video.videoHeight) });
  canvas.getContext("2d")?.drawImage(video, 0, 0);
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/jpeg", 0.92));
  if (!blob) throw new Error("The snapshot could not be encoded.");
  $<HTMLDialogElement>("camera-dialog").close();
  await send({ photo: await dataUrl(blob) });
}

// ---------------------------------------------------------------- behind the scenes

let panelTimer: ReturnType<typeof setTimeout> | undefined;

async function loadPanel(): Promise<void> {
  clearTimeout(panelTimer);
  const id = current;
  const body = $("panel-body");
  if (id === null) return;
  if (isGroup(id)) {
    body.replaceChildren(
      h("p", {}, "The staff group: cases that need a person arrive here as cards. Claim one, then approve, reject or ask for a retake; the seller hears the decision in their chat."),
      h("p", { class: "muted" }, "Cards are masked like this panel: no full ID number or phone."),
    );
    return;
  }
  try {
    const insight = await api<Insight>("GET", `/users/${id}/insight`);
    if (id === current) body.replaceChildren(...renderInsight(insight, personOf(id)));
  } catch (err) {
    if (id === current) body.replaceChildren(h("p", { class: "error" }, err instanceof Error ? err.message : String(err)));
  }
  // Queue depth and a running check change without a chat message: look again while the chat is open.
  if (id === current && !document.hidden) panelTimer = setTimeout(() => void loadPanel(), 3000);
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");
const fixed = (n: number | null | undefined, d = 3) => (n === null || n === undefined ? "—" : n.toFixed(d));

function badge(text: string): HTMLElement {
  const tone = /^(passed|verified|pass)$/.test(text) ? "good" : /^(failed|fail|rejected|expired|restricted)/.test(text) ? "bad" : /review|checking|queued|collecting|challenged/.test(text) ? "warn" : "";
  return h("span", { class: `badge ${tone}` }, text);
}

function dl(rows: [string, Child][]): HTMLElement {
  return h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
}

function renderInsight(i: Insight, p: Person | undefined): HTMLElement[] {
  const out: HTMLElement[] = [];
  const shop = i.shop;
  out.push(h("section", { "aria-label": "Shop" }, h("h3", {}, "Shop at the marketplace"),
    shop
      ? dl([
          ["Shop", `${shop.shop_id ?? "not linked yet"}${shop.shop_name ? ` · ${shop.shop_name}` : ""}`],
          ["Seller status", badge(shop.restricted ? "restricted" : shop.status)],
          ["Reserved phone", shop.reserved_phone],
          ["Telegram", shop.bound ? "bound to this chat" : "not bound yet"],
          ["Deep link", p?.start_param && !shop.bound ? `t.me/${botUsername}?start=${p.start_param}` : shop.bound ? "used" : "—"],
          ["Last verified", when(shop.last_verified_at)],
          ["Next recheck", when(shop.next_recheck_at)],
        ])
      : h("div", {}, h("p", { class: "muted" }, "No shop for this person yet."),
          p?.phone_number ? h("button", { type: "button", onclick: () => void importShopFor(p) }, "The marketplace imports a shop for them") : null),
  ));
  const c = i.case;
  out.push(h("section", { "aria-label": "Case" }, h("h3", {}, "Case"),
    c
      ? dl([
          ["Case", `${c.id} · ${c.kind}`],
          ["Status", badge(c.status)],
          ["Attempts", `${c.attempts} of ${c.max_attempts}`],
          ["Gesture asked", c.gesture ?? "—"],
          ["Deadline", c.challenge_deadline ? when(c.challenge_deadline) : "—"],
          ["ID", c.identity ? `${c.identity.region} · ${c.identity.name} · ${c.identity.id_number}` : "not given yet"],
          ["Phone given", c.identity?.phone ?? "—"],
          ["ID photo", c.has_document_photo ? "received" : "—"],
          ["Reasons", c.reasons.length ? c.reasons.join(", ") : "—"],
          ["Staff", c.manual_review ? "manual review asked" : c.claimed ? "claimed" : "—"],
        ])
      : h("p", { class: "muted" }, "No case yet: it opens when the seller starts."),
  ));
  const checks = [...i.checks].reverse();
  out.push(h("section", { "aria-label": "Checks" }, h("h3", {}, "Checks"),
    checks.length ? null : h("p", { class: "muted" }, "No selfie checked yet."),
    ...checks.map((k) => renderCheck(k, i.thresholds)),
  ));
  out.push(h("section", { "aria-label": "Queues" }, h("h3", {}, "Queues"),
    dl(Object.entries(i.queues).map(([name, counts]) => [name, Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(" · ")])),
  ));
  out.push(h("p", { class: "muted" }, `Read at ${when(i.at)}. Masked like a staff card: never a full ID number or phone.`));
  return out;
}

function renderCheck(k: Check, th: Insight["thresholds"]): HTMLElement {
  const faces = k.faces ?? [];
  const hands = k.hands ?? [];
  const near = hands.filter((x) => x.nearFace);
  const requested = k.gesture;
  const seen = k.gestures_detected ?? [];
  const items: Child[] = [
    h("li", {}, `Faces: ${faces.length}${faces[0] ? ` (score ${fixed(faces[0].score, 2)}, height ${fixed(faces[0].heightRatio, 2)}, brightness ${Math.round(faces[0].brightness)}, sharpness ${Math.round(faces[0].sharpness)})` : ""}`),
    k.reference_faces !== null ? h("li", {}, `Faces on the reference photo: ${k.reference_faces}`) : null,
    h("li", {}, `Match: ${fixed(k.match_score)} (pass ≥ ${th.match_pass}, fail < ${th.match_fail}, between: staff review)`,
      k.match_score !== null ? h("meter", { min: "0", max: "1", low: String(th.match_fail), high: String(th.match_pass), optimum: "1", value: String(k.match_score), "aria-label": "Match score" }) : null),
    h("li", {}, `Hands: ${hands.length} found, ${near.length} beside the face${near[0] ? ` (presence ${fixed(near[0].presence, 2)} ≥ ${th.hand_min_presence}, ${near[0].source})` : ""}`),
    h("li", {}, `Gesture: asked ${requested}, seen ${seen.length ? seen.join(", ") : "none"} ${seen.includes(requested) ? "✓" : "✗"}`),
    h("li", {}, `Replay of an earlier photo: ${k.replay === null ? "—" : k.replay ? "yes" : "no"}`),
    h("li", {}, `Same face under another shop: ${k.duplicate_face ? `yes (similarity ${fixed(k.duplicate_face.similarity)})` : k.replay === null ? "—" : "no"}`),
    k.shared_id_number ? h("li", {}, "The same ID number was given by another shop") : null,
    h("li", {}, k.capture === "webapp"
      ? `Camera (Mini App): ${k.burst ? `${k.burst.frames} frames, motion ${k.burst.motion} grey levels${k.burst.still ? " (still picture)" : ""}, faces agree ${fixed(k.burst.minSimilarity)}, checked frame ${k.burst.best + 1}` : "1 frame"}`
      : "Photo sent in the chat"),
    k.timings_ms ? h("li", {}, `Time (ms): ${Object.entries(k.timings_ms).map(([s, ms]) => `${s} ${Math.round(ms)}`).join(", ")}`) : null,
  ];
  return h("div", { class: "check" },
    h("strong", {}, `Attempt ${k.attempt} `), badge(k.verdict ?? k.status),
    k.seconds !== null ? ` · ${k.seconds} s to the verdict` : "",
    k.reasons.length ? h("div", {}, `Reasons: ${k.reasons.join(", ")}`) : null,
    k.faces === null ? h("p", { class: "muted" }, "Waiting for a worker…") : h("ul", {}, ...items),
  );
}

async function importShopFor(p: Person): Promise<void> {
  await act(async () => {
    await api("POST", "/shops", { user_id: p.id });
    await loadLists();
    renderChat();
    await loadPanel();
  });
}

// ---------------------------------------------------------------- live updates

let listsQueued = false;
let historyQueued = false;
function onChange(change: { chat_id?: number; users?: true }): void {
  if (!listsQueued) {
    listsQueued = true;
    setTimeout(() => {
      listsQueued = false;
      void loadLists().then(() => { if (current !== null && opened === null) renderChat(); });
    }, 60);
  }
  if (change.chat_id !== undefined && change.chat_id === current && !historyQueued) {
    historyQueued = true;
    setTimeout(() => {
      historyQueued = false;
      void loadHistory();
      void loadPanel();
    }, 40);
  }
}

function connect(): void {
  const status = $("connection");
  const events = new EventSource("/sandbox/events");
  events.addEventListener("open", () => {
    status.textContent = "Live";
    status.classList.remove("down");
    void loadLists();
    if (current !== null) void loadHistory();
  });
  events.addEventListener("error", () => {
    status.textContent = "Reconnecting to the stand-in…";
    status.classList.add("down");
  });
  events.addEventListener("change", (e) => onChange(JSON.parse((e as MessageEvent<string>).data) as { chat_id?: number; users?: true }));
}

// ---------------------------------------------------------------- wiring

/** A Hong Kong mobile number in ranges that are all assigned (+852 61, 94, 96), so the import accepts it. */
function randomPhone(): string {
  const prefix = ["61", "94", "96"][Math.floor(Math.random() * 3)];
  return `+852${prefix}${String(Math.floor(Math.random() * 1_000_000)).padStart(6, "0")}`;
}

/** The person an Add form created before its shop import failed: a retry updates them, not a second one. */
let pendingPerson: number | null = null;

function wire(): void {
  const addDialog = $<HTMLDialogElement>("add-dialog");
  const addForm = $<HTMLFormElement>("add-form");
  $("add-seller").addEventListener("click", () => {
    addForm.reset();
    pendingPerson = null;
    (addForm.elements.namedItem("phone_number") as HTMLInputElement).value = randomPhone();
    $("add-error").textContent = "";
    addDialog.showModal();
  });
  $("add-cancel").addEventListener("click", () => addDialog.close());
  addForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = new FormData(addForm);
    const name = String(f.get("first_name") ?? "").trim();
    void (async () => {
      try {
        const fields = { first_name: name, language_code: f.get("language_code"), phone_number: f.get("phone_number") };
        const p = await api<Person>("POST", pendingPerson === null ? "/users" : `/users/${pendingPerson}`, fields);
        pendingPerson = p.id;
        if (f.get("import")) {
          const shopName = String(f.get("shop_name") ?? "").trim();
          await api("POST", "/shops", { user_id: p.id, ...(shopName ? { shop_name: shopName } : {}) });
        }
        pendingPerson = null;
        addDialog.close();
        await loadLists();
        await openChat(p.id);
        $("start").focus();
      } catch (err) {
        $("add-error").textContent = err instanceof Error ? err.message : String(err);
      }
    })();
  });

  $("start").addEventListener("click", () => {
    const p = current === null ? undefined : personOf(current);
    void act(() => send({ text: p?.start_param ? `/start ${p.start_param}` : "/start" }));
  });
  $("composer").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = $<HTMLInputElement>("composer-text");
    const text = input.value.trim();
    if (!text) return;
    void act(async () => {
      await send({ text });
      input.value = "";
    });
  });
  const file = $<HTMLInputElement>("composer-file");
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    void act(() => sendFile(chosen)).finally(() => (file.value = ""));
  });
  $("camera").addEventListener("click", () => void openCamera());
  $("webapp-close").addEventListener("click", () => $<HTMLDialogElement>("webapp-dialog").close());
  $("webapp-dialog").addEventListener("close", () => $("webapp-frame").replaceChildren());
  $("camera-cancel").addEventListener("click", () => $<HTMLDialogElement>("camera-dialog").close());
  $("camera-dialog").addEventListener("close", stopCamera);
  $("camera-shoot").addEventListener("click", () => void act(snapshot));

  $("profile").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (current === null || isGroup(current)) return;
    const id = current;
    void act(async () => {
      await api("POST", `/users/${id}`, { language_code: $<HTMLSelectElement>("profile-lang").value, phone_number: $<HTMLInputElement>("profile-phone").value });
      await loadLists();
      toast("Saved");
    });
  });
  $("profile-lang").addEventListener("change", () => $<HTMLFormElement>("profile").requestSubmit());
  $("acting-user").addEventListener("change", (ev) => {
    acting = Number((ev.target as HTMLSelectElement).value);
    renderChat();
  });

  $("back").addEventListener("click", () => {
    layout.dataset.view = "list";
    layout.dataset.panel = "closed";
    $("panel-toggle").setAttribute("aria-expanded", "false");
  });
  $("panel-toggle").addEventListener("click", () => {
    const open = layout.dataset.panel !== "open";
    layout.dataset.panel = open ? "open" : "closed";
    $("panel-toggle").setAttribute("aria-expanded", String(open));
    if (open) $("panel").scrollIntoView({ block: "start" });
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) void loadPanel();
  });
}

async function main(): Promise<void> {
  wire();
  const info = await api<{ bot: { username?: string } }>("GET", "/bot").catch(() => null);
  botUsername = info?.bot.username ?? botUsername;
  await loadLists();
  connect();
  const first = new URLSearchParams(location.search).get("chat");
  if (first && /^-?\d+$/.test(first)) await openChat(Number(first));
}

void main();
