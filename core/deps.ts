import type { Queue } from "bullmq";
import type { Config } from "./config";
import type { PiiCrypto } from "./crypto";
import type { Db } from "./db/client";
import type { VerifyJob } from "./jobs";
import type { Logger } from "./logger";
import type { PhotoStore } from "./photos/store";

/** What domain functions need; built once by each entry file and passed down. */
export interface CoreDeps {
  config: Config;
  db: Db;
  crypto: PiiCrypto;
  photos: PhotoStore;
  verifyQueue: Queue<VerifyJob>;
  log: Logger;
  /** injectable clock for tests */
  now: () => Date;
}
