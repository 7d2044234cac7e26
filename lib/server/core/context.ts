/**
 * What request handlers share: the configuration and the real path of the
 * document root.
 *
 * @module
 */

import type { ServerConfig } from "./config.ts";

/** Shared state of one running server. */
export interface ServerContext {
  /** The configuration. */
  config: ServerConfig;
  /** The document root's real absolute path (no symlinks, no trailing /). */
  root: string;
  /** The port actually bound (differs from `config.port` when that is 0). */
  port: number;
}
