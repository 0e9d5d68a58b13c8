import type { UploadedFile } from "./types";

/**
 * A minimal multipart/form-data parser. Written here (not Request.formData()) because
 * grammY writes headers as `content-disposition:form-data;name="x";filename=photo.jpg`
 * (no spaces, unquoted filename), which strict parsers reject.
 */
export class MultipartError extends Error {}

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function dispositionParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const piece of value.split(";").slice(1)) {
    const eq = piece.indexOf("=");
    if (eq < 0) continue;
    const key = piece.slice(0, eq).trim().toLowerCase();
    let v = piece.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    out[key] = v;
  }
  return out;
}

export function parseMultipart(body: Buffer, boundary: string): { fields: Record<string, string>; files: Map<string, UploadedFile> } {
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile>();
  const delim = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError("multipart boundary not found");
  pos += delim.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    const lineEnd = body.indexOf(CRLF, pos);
    if (lineEnd < 0) throw new MultipartError("malformed multipart body");
    pos = lineEnd + 2;
    const end = body.indexOf(next, pos);
    if (end < 0) throw new MultipartError("unterminated multipart part");
    const part = body.subarray(pos, end);
    let headerText = "";
    let data: Buffer;
    if (part[0] === 0x0d && part[1] === 0x0a) {
      data = part.subarray(2);
    } else {
      const he = part.indexOf(HEADER_END);
      if (he < 0) throw new MultipartError("multipart part without headers");
      headerText = part.subarray(0, he).toString("utf8");
      data = part.subarray(he + 4);
    }
    let disposition = "";
    let contentType = "";
    for (const line of headerText.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-disposition") disposition = value;
      else if (name === "content-type") contentType = value;
    }
    const params = dispositionParams(disposition);
    const name = params.name;
    if (name !== undefined) {
      if (params.filename !== undefined) {
        // Copy: a subarray would keep the whole request body alive while the file is stored.
        files.set(name, { filename: params.filename, contentType: contentType || "application/octet-stream", data: Buffer.from(data) });
      } else {
        fields[name] = data.toString("utf8");
      }
    }
    pos = end + next.length;
  }
  return { fields, files };
}
