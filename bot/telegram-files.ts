import type { Api } from "grammy";
import type { Message } from "grammy/types";
import { UserError } from "../core/errors";

/** Telegram's getFile serves at most 20 MB; larger files are refused before any download. */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

/** The file id of the image in a message: the largest PhotoSize of a photo, or a document. */
export function imageFileOf(msg: Message): { fileId: string; size?: number } | null {
  if (msg.photo?.length) {
    const largest = msg.photo.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
    return { fileId: largest.file_id, size: largest.file_size };
  }
  if (msg.document) return { fileId: msg.document.file_id, size: msg.document.file_size };
  return null;
}

/** Downloads a file through the Bot API, refusing anything larger than `maxBytes` (also while streaming). */
export async function downloadFile(api: Api, apiRoot: string, token: string, fileId: string, maxBytes: number, knownSize?: number): Promise<Buffer> {
  const limit = Math.min(maxBytes, TELEGRAM_DOWNLOAD_LIMIT);
  const tooLarge = () => new UserError("photo-error-too-large", { maxMb: Math.floor(limit / 1024 / 1024) });
  if (knownSize !== undefined && knownSize > limit) throw tooLarge();
  const file = await api.getFile(fileId);
  if ((file.file_size ?? 0) > limit || !file.file_path) throw tooLarge();
  const res = await fetch(`${apiRoot.replace(/\/$/, "")}/file/bot${token}/${file.file_path}`);
  if (!res.ok || !res.body) throw new Error(`file download failed: HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
