import { randomBytes } from "node:crypto";
import type { PhotoSize } from "./types";

export type FileKind = "photos" | "documents" | "stickers";

export interface FileRecord {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  file_size: number;
  mime_type: string;
  file_name?: string;
  kind: FileKind;
  data: Buffer;
  /** For a photo size: every size of the same photo, so sendPhoto(file_id) can reuse them. */
  photoSet?: PhotoSize[];
}

/** Prefixes that make ids look like Telegram's (photo / document / sticker file_ids). */
const ID_PREFIX: Record<FileKind, string> = { photos: "AgACAgIAAxkBAAI", documents: "BQACAgIAAxkBAAI", stickers: "CAACAgIAAxkBAAI" };

/**
 * All files known to the stand-in, LRU-bounded by total bytes so a long benchmark does
 * not grow memory without limit (an evicted file answers like an expired file_id).
 */
export class FileStore {
  private readonly byId = new Map<string, FileRecord>();
  private readonly byPath = new Map<string, string>();
  private bytes = 0;
  private counter = 0;
  private readonly salt = randomBytes(6).toString("base64url");

  constructor(private readonly maxBytes: number) {}

  get totalBytes(): number {
    return this.bytes;
  }

  get count(): number {
    return this.byId.size;
  }

  add(kind: FileKind, data: Buffer, opts: { ext: string; mime_type: string; file_name?: string }): FileRecord {
    const n = ++this.counter;
    const tail = Buffer.alloc(6);
    tail.writeUIntBE(n, 0, 6);
    const rec: FileRecord = {
      file_id: `${ID_PREFIX[kind]}${this.salt}${tail.toString("base64url")}${randomBytes(12).toString("base64url")}`,
      file_unique_id: `AQAD${this.salt.slice(0, 4)}${tail.toString("base64url")}`,
      file_path: `${kind}/file_${n}.${opts.ext.replace(/[^A-Za-z0-9]/g, "") || "bin"}`,
      file_size: data.length,
      mime_type: opts.mime_type,
      file_name: opts.file_name,
      kind,
      data,
    };
    this.byId.set(rec.file_id, rec);
    this.byPath.set(rec.file_path, rec.file_id);
    this.bytes += data.length;
    this.evict(rec.file_id);
    return rec;
  }

  get(fileId: string): FileRecord | undefined {
    const rec = this.byId.get(fileId);
    if (rec) {
      this.byId.delete(fileId);
      this.byId.set(fileId, rec);
    }
    return rec;
  }

  getByPath(path: string): FileRecord | undefined {
    const id = this.byPath.get(path);
    return id === undefined ? undefined : this.get(id);
  }

  clear(): void {
    this.byId.clear();
    this.byPath.clear();
    this.bytes = 0;
  }

  private evict(keep: string): void {
    for (const [id, rec] of this.byId) {
      if (this.bytes <= this.maxBytes) return;
      if (id === keep) continue;
      this.byId.delete(id);
      this.byPath.delete(rec.file_path);
      this.bytes -= rec.data.length;
    }
  }
}
