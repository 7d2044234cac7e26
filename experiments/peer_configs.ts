/**
 * Configuration files for the peers, set up as the lead's
 * `bench/compare_servers.sh` does: loopback only, no access log,
 * keep-alive without a request limit, directory listings on, and for
 * lighttpd CGI through mod_cgi (nginx has no CGI).
 *
 * @module
 */

/** Where a peer serves from and keeps its own files. */
export interface PeerSetup {
  /** Port on 127.0.0.1. */
  port: number;
  /** Document root. */
  docroot: string;
  /** Folder for its pid, logs and temp files. */
  stateDir: string;
}

/** nginx.conf for `workers` worker processes, in the foreground. */
export function nginxConfig(setup: PeerSetup, workers: number): string {
  const state = setup.stateDir;
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
  server {
    listen 127.0.0.1:${setup.port};
    root ${setup.docroot};
    autoindex on;
  }
}
`;
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
