/**
 * Configuration files for the peers nginx and lighttpd, the one writer
 * that both the study (`servers.ts`) and `bench/*.sh` (through
 * `bench_cli.ts`) use, so the two compare spidey against identically set
 * up servers: loopback only, no access log, keep-alive without a request
 * limit, directory listings on, and for lighttpd CGI through mod_cgi
 * (nginx has no CGI).
 *
 * @module
 */

/** Where a peer listens and keeps its own files. */
export interface PeerPlace {
  /** Port on 127.0.0.1. */
  port: number;
  /** Folder for its pid, logs and temp files. */
  stateDir: string;
}

/** Where a peer serves files from and keeps its own files. */
export interface PeerSetup extends PeerPlace {
  /** Document root. */
  docroot: string;
}

/** The nginx.conf around one `server` block, with every path in `state`. */
function nginxFrame(state: string, workers: number, server: string): string {
  return `worker_processes ${workers};
daemon off;
pid ${state}/nginx.pid;
error_log ${state}/error.log warn;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  client_body_temp_path ${state}/body;
  proxy_temp_path ${state}/proxy;
  fastcgi_temp_path ${state}/fastcgi;
  uwsgi_temp_path ${state}/uwsgi;
  scgi_temp_path ${state}/scgi;
${server}}
`;
}

/** nginx.conf serving `docroot` with `workers` worker processes, in the foreground. */
export function nginxConfig(setup: PeerSetup, workers: number): string {
  return nginxFrame(
    setup.stateDir,
    workers,
    `  server {
    listen 127.0.0.1:${setup.port};
    root ${setup.docroot};
    autoindex on;
  }
`,
  );
}

/**
 * nginx.conf with one worker answering every request with 200 and `body`
 * as text/plain from memory: a target so cheap that a load generator's
 * own speed is what gets measured. `body` must not hold `$`, which nginx
 * would read as a variable.
 */
export function nginxReplyConfig(place: PeerPlace, body: string): string {
  if (body.includes("$")) {
    throw new RangeError("The reply body must not contain $");
  }
  const quoted = body.replaceAll("\\", "\\\\").replaceAll('"', '\\"')
    .replaceAll("\n", "\\n");
  return nginxFrame(
    place.stateDir,
    1,
    `  server {
    listen 127.0.0.1:${place.port};
    location / { default_type text/plain; return 200 "${quoted}"; }
  }
`,
  );
}

/** lighttpd.conf with listings and CGI for `*.cgi`. */
export function lighttpdConfig(setup: PeerSetup): string {
  return `server.document-root = "${setup.docroot}"
server.bind = "127.0.0.1"
server.port = ${setup.port}
server.modules = ( "mod_dirlisting", "mod_cgi" )
server.errorlog = "${setup.stateDir}/error.log"
server.max-keep-alive-requests = 1000000
server.max-connections = 4096
dir-listing.activate = "enable"
cgi.assign = ( ".cgi" => "" )
mimetype.assign = ( ".txt" => "text/plain", ".bin" => "application/octet-stream", "" => "application/octet-stream" )
`;
}
