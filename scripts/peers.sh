#!/usr/bin/env bash
# peers.sh — real third-party HTTP servers and proxies on loopback, for the interop tests and benchmarks.
#
#   bash scripts/peers.sh up      install what is missing (Debian packages), write configs, start every peer
#   bash scripts/peers.sh check   one real request per peer, one line each (exit 1 if a running peer fails)
#   bash scripts/peers.sh down [peer...]  stop what `up` started (all, or the named peers), by recorded PIDs
#   bash scripts/peers.sh status  which peers are running (by PID); `running` prints their names on one line
#   bash scripts/peers.sh env     print the env file (source it: `. .peers/env`)
#
# Everything listens on 127.0.0.1 / ::1 only, and the proxies forward to loopback only.
# State (configs, certs, logs, PID files, env): ${HACKNEY_PEERS_DIR:-<repo>/.peers}; delete it when down.
# Options (environment):
#   HACKNEY_PEERS_DIR=dir      state folder (default <repo>/.peers)
#   HACKNEY_PEERS_BIG=1        also create the 100 MiB file /100m.bin (for benchmarks; kept once made)
#   HACKNEY_PEERS_SKIP="a b"   peers not to start (names as in `status`: httpbin nginx squid tinyproxy dante
#                              microsocks caddy nghttpd ngtcp2)
#   HACKNEY_PEERS_NO_INSTALL=1 never call apt-get (peers whose binaries are missing are reported unavailable)
# See docs/interop.md for the port map and the variables written to <state>/env and <state>/env.json.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)

# Whether every directory down to $1 can be traversed by other users (nginx workers and squid's
# helpers run as www-data / proxy and must read files in the state folder).
others_can_traverse() {
  local d=$1 perms
  while [ "$d" != "/" ] && [ -n "$d" ]; do
    perms=$(stat -c %A "$d" 2>/dev/null) || return 1
    case "${perms:9:1}" in x|t) ;; *) return 1 ;; esac
    d=$(dirname "$d")
  done
}

if [ -n "${HACKNEY_PEERS_DIR:-}" ]; then
  S=$HACKNEY_PEERS_DIR
elif [ -L "$REPO/.peers" ]; then
  S=$(readlink -f "$REPO/.peers")
elif others_can_traverse "$REPO"; then
  S=$REPO/.peers
else
  # The clone sits in a private folder (e.g. a mktemp dir): keep the state where the daemons' users
  # can reach it, and point <repo>/.peers at it so tests find the env files there.
  S=/var/tmp/effect-hackney-peers-$(printf '%s' "$REPO" | sha1sum | cut -c1-12)
  mkdir -p "$S" && chmod 755 "$S"
  [ -e "$REPO/.peers" ] || ln -s "$S" "$REPO/.peers"
fi
PIDDIR=$S/pids        # <name>.pid written by us: the exact PID of each server's master process
RUN=$S/run            # PID files and sockets the daemons write themselves
LOGS=$S/logs
PKI=$S/pki
HTML=$S/html

# ---- ports (chosen away from common ones; httpbin keeps hackney's own 8000)
HTTPBIN=8000
NGX_H1=28081 NGX_H2C=28082 NGX_TLS=28443 NGX_TLS_H1=28444 NGX_MTLS=28445
SQUID_OPEN=28128 SQUID_AUTH=28129
TINY_OPEN=28888 TINY_AUTH=28889
DANTE=21080 MSOCKS_OPEN=21081 MSOCKS_AUTH=21082
CADDY_TLS=28448 CADDY_H2C=28083
NGHTTPD_TLS=28446 NGHTTPD_H2C=28447
NGTCP2_QUIC=28449   # UDP only (HTTP/3 over QUIC)
PROXY_USER=proxyuser PROXY_PASS=proxypass SOCKS_USER=socksuser SOCKS_PASS=sockspass

# ---- peers: name, Debian packages, binary that must exist, expected /proc/<pid>/comm of the master
PEERS=(httpbin nginx squid tinyproxy dante microsocks caddy nghttpd ngtcp2)
declare -A PKGS=(
  [httpbin]="python3-httpbin gunicorn python3-brotli"
  [nginx]="nginx libnginx-mod-http-brotli-filter libnginx-mod-http-lua"
  [squid]="squid"
  [tinyproxy]="tinyproxy"
  [dante]="dante-server"
  [microsocks]="microsocks"
  [caddy]="caddy ngtcp2-client"
  [nghttpd]="nghttp2-server nghttp2-client"
  [ngtcp2]="ngtcp2-server ngtcp2-client"
)
declare -A BIN=(
  [httpbin]=/usr/bin/gunicorn [nginx]=/usr/sbin/nginx [squid]=/usr/sbin/squid [tinyproxy]=/usr/bin/tinyproxy
  [dante]=/usr/sbin/danted [microsocks]=/usr/bin/microsocks [caddy]=/usr/bin/caddy [nghttpd]=/usr/sbin/nghttpd
  [ngtcp2]=/usr/sbin/gtlsserver
)
BASE_PKGS="openssl curl iproute2 procps"   # openssl: PKI checks; curl: `check`; ss: port checks; ps

T0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - T0) / 1000000 )); }
log() { printf '[peers %6d ms] %s\n' "$(ms)" "$*"; }
warn() { printf '[peers %6d ms] WARNING: %s\n' "$(ms)" "$*" >&2; }
die() { echo "peers: ERROR: $*" >&2; exit 1; }
skipped() { [[ " ${HACKNEY_PEERS_SKIP:-} " == *" $1 "* ]]; }

# ======================================================================= processes (PID files only)

# alive <pid> <comm>: the PID exists, is not a zombie, and runs the expected program (PID-reuse safe).
# A stopped daemon can linger as a zombie until PID 1 reaps it; that counts as stopped.
alive() {
  [ -n "${1:-}" ] || return 1
  local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}
pid_of() { cat "$PIDDIR/$1.pid" 2>/dev/null || true; }
comm_of() {  # the process name a unit's PID must have; units are peer names or "<peer>-<variant>"
  case $1 in
    httpbin) echo gunicorn ;; nginx) echo nginx ;; squid) echo squid ;; tinyproxy-*) echo tinyproxy ;;
    dante) echo danted ;; microsocks-*) echo microsocks ;; caddy) echo caddy ;; nghttpd-*) echo nghttpd ;;
    ngtcp2) echo gtlsserver ;;
    *) echo "?" ;;
  esac
}
units_of() {  # the processes (units) that make up one peer
  case $1 in
    tinyproxy) echo tinyproxy-open tinyproxy-auth ;; microsocks) echo microsocks-open microsocks-auth ;;
    nghttpd) echo nghttpd-tls nghttpd-h2c ;; *) echo "$1" ;;
  esac
}
unit_alive() { alive "$(pid_of "$1")" "$(comm_of "$1")"; }
peer_running() { local u; for u in $(units_of "$1"); do unit_alive "$u" || return 1; done; }

# port_holder <port>: prints the listener(s) on that TCP or UDP port, if any.
port_holder() { { ss -Hltnp "sport = :$1"; ss -Hlunp "sport = :$1"; } 2>/dev/null; }

wait_udp() {  # wait_udp <port>: a UDP socket bound to it, up to 20 s
  local deadline=$(( $(date +%s) + 20 ))
  until [ -n "$(ss -Hlun "sport = :$1" 2>/dev/null)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.02
  done
}

wait_tcp() {  # wait_tcp <host> <port>: up to 20 s
  local deadline=$(( $(date +%s) + 20 ))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.02
  done
}

# launch <unit> <ports...> -- <command...>   (a port written udp:<n> is waited for as a UDP socket)
# Starts the command in its own session, in the foreground (no daemonizing), output to logs/<unit>.log.
# The wrapper writes its own PID and then execs the server, so the recorded PID is the server's master.
launch() {
  local unit=$1; shift
  local ports=(); while [ "$1" != -- ]; do ports+=("$1"); shift; done; shift
  if unit_alive "$unit"; then log "$unit already running (pid $(pid_of "$unit"))"; return 0; fi
  local p holder
  for p in "${ports[@]}"; do
    holder=$(port_holder "${p#udp:}")
    if [ -n "$holder" ]; then
      echo "peers: port $p (for $unit) is held by something else, not starting it: $holder" >&2
      return 1
    fi
  done
  rm -f "$PIDDIR/$unit.pid"
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$PIDDIR/$unit.pid" "$@" >"$LOGS/$unit.log" 2>&1 </dev/null &
  local i; for i in $(seq 1 200); do [ -s "$PIDDIR/$unit.pid" ] && break; sleep 0.01; done
  for p in "${ports[@]}"; do
    if [[ $p == udp:* ]]; then
      if ! wait_udp "${p#udp:}"; then
        tail -5 "$LOGS/$unit.log" >&2; echo "peers: $unit did not open UDP port ${p#udp:}" >&2; return 1
      fi
    elif ! wait_tcp 127.0.0.1 "$p"; then
      tail -5 "$LOGS/$unit.log" >&2; echo "peers: $unit did not open port $p" >&2; return 1
    fi
  done
  if ! unit_alive "$unit"; then tail -5 "$LOGS/$unit.log" >&2; echo "peers: $unit exited during start-up" >&2; return 1; fi
  log "$unit up (pid $(pid_of "$unit"), ports ${ports[*]})"
}

# stop_unit <unit>: TERM by recorded PID, wait up to 10 s, then KILL.
stop_unit() {
  local unit=$1 pid; pid=$(pid_of "$unit")
  [ -n "$pid" ] || return 0
  if unit_alive "$unit"; then
    kill -TERM "$pid" 2>/dev/null || true       # masters (nginx, gunicorn, squid, danted) take their children down
    local i; for i in $(seq 1 200); do alive "$pid" "$(comm_of "$unit")" || break; sleep 0.05; done
    if alive "$pid" "$(comm_of "$unit")"; then
      warn "$unit (pid $pid) ignored TERM for 10 s; sending KILL"; kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $unit (pid $pid)"
  fi
  rm -f "$PIDDIR/$unit.pid"
}

# ======================================================================= install

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Installs every missing package with one `apt-get update` and one `apt-get install`. If the batch
# fails (a package that does not exist here), retries package by package so one missing peer does
# not take the others down; peers whose binaries are still absent are reported as unavailable.
install_packages() {
  local want=() peer p missing=()
  read -r -a want <<<"$BASE_PKGS"
  for peer in "${PEERS[@]}"; do
    if ! skipped "$peer"; then read -r -a p <<<"${PKGS[$peer]}"; want+=("${p[@]}"); fi
  done
  for p in "${want[@]}"; do installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || { log "packages: all installed"; return 0; }
  if [ "${HACKNEY_PEERS_NO_INSTALL:-0}" = 1 ]; then warn "not installing (HACKNEY_PEERS_NO_INSTALL=1): ${missing[*]}"; return 0; fi
  [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root; install them or run as root"
  log "installing: ${missing[*]}"
  # Debian would start nginx/squid/tinyproxy/danted on install, listening on 0.0.0.0; policy-rc.d forbids it.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  local t; t=$(ms)
  # Unreachable third-party sources only produce warnings here; Debian's own are what we need.
  apt-get update -qq >"$LOGS/apt-update.log" 2>&1 || warn "apt-get update reported errors (see $LOGS/apt-update.log)"
  log "apt-get update done ($(( $(ms) - t )) ms)"
  t=$(ms)
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOGS/apt-install.log" 2>&1; then
    warn "batch install failed; trying package by package (see $LOGS/apt-install.log)"
    for p in "${missing[@]}"; do
      apt-get install -y -qq --no-install-recommends "$p" >>"$LOGS/apt-install.log" 2>&1 || warn "cannot install $p"
    done
  fi
  log "apt-get install done ($(( $(ms) - t )) ms)"
  if [ $own_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
}

# ======================================================================= state: PKI, files, configs

prepare_pki() {
  # The committed test CA (test/fixtures/certs); regenerated only if the fixtures are absent.
  local src=$REPO/test/fixtures/certs
  [ -s "$src/ca.pem" ] || bash "$REPO/scripts/gen-test-certs.sh" "$src" >/dev/null
  cp "$src"/ca.pem "$src"/server.pem "$src"/server-key.pem "$src"/server-chain.pem \
     "$src"/client.pem "$src"/client-key.pem "$PKI"/
  chmod 644 "$PKI"/*.pem
}

# Static files with known content: random bytes, generated once, sha256 recorded in html/SHA256SUMS.
prepare_files() {
  local name size specs=(1k:1024 64k:65536 1m:1048576 10m:10485760)
  if [ "${HACKNEY_PEERS_BIG:-0}" != 0 ]; then specs+=(100m:104857600); fi
  for spec in "${specs[@]}"; do
    name=${spec%%:*} size=${spec##*:}
    if [ "$(stat -c %s "$HTML/$name.bin" 2>/dev/null || echo 0)" != "$size" ]; then
      head -c "$size" /dev/urandom > "$HTML/$name.bin.tmp" && mv "$HTML/$name.bin.tmp" "$HTML/$name.bin"
      rm -f "$HTML/SHA256SUMS"
    fi
  done
  [ -s "$HTML/index.html" ] || echo 'hello from nginx' > "$HTML/index.html"
  if [ ! -s "$HTML/SHA256SUMS" ] || [ "$(wc -l < "$HTML/SHA256SUMS")" != "$(ls "$HTML"/*.bin | wc -l)" ]; then
    (cd "$HTML" && sha256sum ./*.bin | sed 's# \./# #' > SHA256SUMS)
  fi
}

write_nginx_conf() {
  mkdir -p "$S/nginx/tmp"
  local mods="" gz="gzip on; gzip_types *; gzip_min_length 0;" upload
  if [ -f /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so ]; then
    mods+="load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so;"$'\n'
    gz+=" brotli on; brotli_types *;"
  fi
  if [ -f /usr/lib/nginx/modules/ngx_http_lua_module.so ]; then
    mods+="load_module /usr/lib/nginx/modules/ndk_http_module.so;"$'\n'
    mods+="load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;"$'\n'
    # reads the whole body (streaming, nothing kept), then answers {"received":N}
    # a copy in the state folder: nginx workers may not be able to reach the repository
    cp "$REPO/scripts/peers/upload-sink.lua" "$S/nginx/upload-sink.lua" && chmod 644 "$S/nginx/upload-sink.lua"
    upload="content_by_lua_file $S/nginx/upload-sink.lua;"
  else
    # without lua, nginx answers at once and discards the body in the background
    upload="default_type application/json; return 200 '{\"received\":null}\\n';"
  fi
  cat > "$S/nginx/routes.conf" <<EOF
# generated by scripts/peers.sh
root $HTML;
location = /       { default_type text/plain; return 200 "ok\n"; }
location = /hello  { default_type text/plain; return 200 "hello\n"; }
location = /echo   { default_type text/plain; return 200 "\$request_method \$request_uri \$server_protocol \$http_host\n"; }
location = /upload { client_max_body_size 0; client_body_buffer_size 1m; $upload }
location /gz/      { alias $HTML/; $gz }
location /httpbin/ {
    proxy_pass http://httpbin/;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_buffering off;
    proxy_request_buffering off;
}
EOF
  local tls="ssl_certificate $PKI/server.pem; ssl_certificate_key $PKI/server-key.pem;
        ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:SSL:10m;"
  cat > "$S/nginx/nginx.conf" <<EOF
# generated by scripts/peers.sh; run: nginx -p $S/nginx -c nginx.conf -e $LOGS/nginx-error.log
daemon off;
master_process on;
worker_processes 1;
user www-data;
pid $RUN/nginx.pid;
error_log $LOGS/nginx-error.log warn;
$mods
events { worker_connections 4096; }
http {
    access_log off;
    types { text/html html; text/plain txt; application/octet-stream bin; application/json json; }
    default_type application/octet-stream;
    client_body_temp_path $S/nginx/tmp/body;
    proxy_temp_path       $S/nginx/tmp/proxy;
    fastcgi_temp_path     $S/nginx/tmp/fastcgi;
    uwsgi_temp_path       $S/nginx/tmp/uwsgi;
    scgi_temp_path        $S/nginx/tmp/scgi;
    sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_timeout 65s;
    keepalive_requests 1000000;
    http2_max_concurrent_streams 256;
    client_max_body_size 0;
    server_tokens off;
    upstream httpbin { server 127.0.0.1:$HTTPBIN; keepalive 32; }
    # HTTP/1.1 keep-alive, cleartext
    server { listen 127.0.0.1:$NGX_H1; listen [::1]:$NGX_H1; include $S/nginx/routes.conf; }
    # h2c, prior knowledge only (nginx does not do Upgrade: h2c)
    server { listen 127.0.0.1:$NGX_H2C http2; listen [::1]:$NGX_H2C http2; include $S/nginx/routes.conf; }
    # TLS, ALPN h2 + http/1.1
    server { listen 127.0.0.1:$NGX_TLS ssl http2; listen [::1]:$NGX_TLS ssl http2;
        $tls
        include $S/nginx/routes.conf; }
    # TLS, ALPN http/1.1 only
    server { listen 127.0.0.1:$NGX_TLS_H1 ssl; listen [::1]:$NGX_TLS_H1 ssl;
        $tls
        include $S/nginx/routes.conf; }
    # mTLS: a client certificate issued by the test CA is required (without one: HTTP 400)
    server { listen 127.0.0.1:$NGX_MTLS ssl http2; listen [::1]:$NGX_MTLS ssl http2;
        $tls
        ssl_client_certificate $PKI/ca.pem; ssl_verify_client on;
        include $S/nginx/routes.conf; }
}
EOF
}

write_squid_conf() {
  mkdir -p "$S/squid/logs" "$S/squid/cache"
  printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 "$PROXY_PASS")" > "$S/squid/passwd"
  chmod 644 "$S/squid/passwd"
  chown -R proxy:proxy "$S/squid/logs" "$S/squid/cache" 2>/dev/null || true
  # squid takes no trailing comments on directive lines: notes sit on their own lines.
  cat > "$S/squid/squid.conf" <<EOF
# generated by scripts/peers.sh; run: squid -N -f $S/squid/squid.conf
http_port 127.0.0.1:$SQUID_OPEN name=open
http_port [::1]:$SQUID_OPEN name=open6
http_port 127.0.0.1:$SQUID_AUTH name=auth
http_port [::1]:$SQUID_AUTH name=auth6
pid_filename $RUN/squid.pid
cache_effective_user proxy
cache_log $S/squid/logs/cache.log
access_log stdio:$S/squid/logs/access.log
cache_store_log none
coredump_dir $S/squid/cache
cache deny all
shutdown_lifetime 1 seconds
# DNS client sockets on loopback only; localhost comes from /etc/hosts
udp_incoming_address 127.0.0.1
dns_nameservers 127.0.0.1
dns_timeout 1 seconds
# no ICMP pinger helper (it can outlive squid)
pinger_enable off
auth_param basic program /usr/lib/squid/basic_ncsa_auth $S/squid/passwd
auth_param basic children 2 startup=1 idle=1
auth_param basic realm effect-hackney-proxy
acl authports myportname auth auth6
acl authed proxy_auth REQUIRED
acl from_lo src 127.0.0.0/8 ::1
acl to_lo dst 127.0.0.0/8 ::1
http_access deny !from_lo
http_access deny !to_lo
http_access deny authports !authed
http_access allow from_lo
http_access deny all
EOF
}

write_tinyproxy_conf() {
  mkdir -p "$S/tinyproxy"
  chown tinyproxy:tinyproxy "$S/tinyproxy" 2>/dev/null || true
  # forward to loopback names only
  printf '%s\n' '^127\.0\.0\.1$' '^localhost$' '^\[?::1\]?$' > "$S/tinyproxy/filter"
  local v port
  for v in open auth; do
    port=$TINY_OPEN; [ $v = open ] || port=$TINY_AUTH
    {
      echo "# generated by scripts/peers.sh; run: tinyproxy -d -c $S/tinyproxy/$v.conf"
      # Debian's stock config has no Listen (= all interfaces): always set it.
      printf '%s\n' "User tinyproxy" "Group tinyproxy" "Port $port" "Listen 127.0.0.1" "Listen ::1" "Timeout 600" \
        'DefaultErrorFile "/usr/share/tinyproxy/default.html"' "LogFile \"$S/tinyproxy/$v.log\"" \
        "LogLevel Notice" "MaxClients 100" "Allow 127.0.0.1" "Allow ::1" 'ViaProxyName "tinyproxy"' \
        "Filter \"$S/tinyproxy/filter\"" "FilterURLs No" "FilterType ere" "FilterDefaultDeny Yes"
      if [ $v = auth ]; then echo "BasicAuth $PROXY_USER $PROXY_PASS"; fi
    } > "$S/tinyproxy/$v.conf"
  done
}

write_dante_conf() {
  mkdir -p "$S/dante/tmp"
  # dante's username method checks system accounts; user/password SOCKS5 is microsocks' job.
  cat > "$S/dante/danted.conf" <<EOF
# generated by scripts/peers.sh; run: TMPDIR=$S/dante/tmp danted -f $S/dante/danted.conf -p $RUN/danted.pid
logoutput: $S/dante/danted.log
internal: 127.0.0.1 port = $DANTE
internal: ::1 port = $DANTE
external: lo
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
client pass { from: ::1/128 to: ::/0 }
socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 command: connect bind udpassociate bindreply udpreply }
socks pass { from: ::1/128 to: ::1/128 command: connect bind udpassociate bindreply udpreply }
socks pass { from: 127.0.0.0/8 to: ::1/128 command: connect }
socks pass { from: ::1/128 to: 127.0.0.0/8 command: connect }
socks block { from: 0/0 to: 0/0 log: connect error }
EOF
}

write_caddy_conf() {
  mkdir -p "$S/caddy/data" "$S/caddy/config"
  # admin off: no admin API on :2019; auto_https off: no :80 listener, no certificate management.
  cat > "$S/caddy/Caddyfile" <<EOF
# generated by scripts/peers.sh
{
	admin off
	auto_https off
	storage file_system $S/caddy/data
	servers 127.0.0.1:$CADDY_TLS {
		protocols h1 h2 h3
	}
	servers 127.0.0.1:$CADDY_H2C {
		protocols h1 h2c
	}
}
https://:$CADDY_TLS {
	bind 127.0.0.1
	tls $PKI/server.pem $PKI/server-key.pem
	respond /hello "hello {http.request.proto}" 200
	handle_path /files/* {
		root * $HTML
		file_server
	}
	handle_path /httpbin/* {
		reverse_proxy 127.0.0.1:$HTTPBIN
	}
	respond "caddy {http.request.proto}" 200
}
http://:$CADDY_H2C {
	bind 127.0.0.1
	respond "caddy {http.request.proto}" 200
}
EOF
}

write_nghttpd_files() {
  mkdir -p "$S/nghttpd/htdocs"
  echo '<html><link rel=stylesheet href=/style.css><script src=/app.js></script>hi</html>' > "$S/nghttpd/htdocs/index.html"
  echo 'body{}' > "$S/nghttpd/htdocs/style.css"
  echo 'console.log(1)' > "$S/nghttpd/htdocs/app.js"
}

write_ngtcp2_files() {
  mkdir -p "$S/ngtcp2/htdocs"
  echo 'hello from ngtcp2' > "$S/ngtcp2/htdocs/hello"
  cp "$HTML/64k.bin" "$S/ngtcp2/htdocs/64k.bin"
}

# ======================================================================= start one peer

start_peer() {
  case $1 in
    httpbin)  # gthread workers: keep-alive and concurrent /delay; gunicorn also accepts chunked uploads
      launch httpbin $HTTPBIN -- env -u PYTHONPATH -u PYTHONHOME /usr/bin/gunicorn \
        --bind 127.0.0.1:$HTTPBIN --bind "[::1]:$HTTPBIN" --bind "unix:$RUN/httpbin.sock" \
        --workers 2 --worker-class gthread --threads 16 --keep-alive 30 --timeout 60 \
        --access-logfile "$LOGS/httpbin-access.log" httpbin:app ;;
    nginx)
      write_nginx_conf
      nginx -t -q -p "$S/nginx" -c nginx.conf -e "$LOGS/nginx-error.log" 2>>"$LOGS/nginx.log" \
        || { tail -5 "$LOGS/nginx.log" >&2; echo "peers: nginx config test failed" >&2; return 1; }
      launch nginx $NGX_H1 $NGX_H2C $NGX_TLS $NGX_TLS_H1 $NGX_MTLS -- \
        nginx -p "$S/nginx" -c nginx.conf -e "$LOGS/nginx-error.log" ;;
    squid)  # -N: foreground, no SMP kids
      write_squid_conf
      launch squid $SQUID_OPEN $SQUID_AUTH -- squid -N -f "$S/squid/squid.conf" ;;
    tinyproxy)  # -d: foreground
      write_tinyproxy_conf
      launch tinyproxy-open $TINY_OPEN -- tinyproxy -d -c "$S/tinyproxy/open.conf" &&
      launch tinyproxy-auth $TINY_AUTH -- tinyproxy -d -c "$S/tinyproxy/auth.conf" ;;
    dante)  # foreground unless -D; -p keeps its PID file out of /var/run; TMPDIR for its shm files
      write_dante_conf
      launch dante $DANTE -- env TMPDIR="$S/dante/tmp" danted -f "$S/dante/danted.conf" -p "$RUN/danted.pid" ;;
    microsocks)  # default listen address is 0.0.0.0: always -i; never -1 (whitelists IPs after one auth)
      launch microsocks-open $MSOCKS_OPEN -- microsocks -i 127.0.0.1 -p $MSOCKS_OPEN -b 127.0.0.1 &&
      launch microsocks-auth $MSOCKS_AUTH -- microsocks -i 127.0.0.1 -p $MSOCKS_AUTH -b 127.0.0.1 \
        -u $SOCKS_USER -P $SOCKS_PASS ;;
    caddy)  # HOME/XDG dirs so nothing lands in the user's home
      write_caddy_conf
      launch caddy $CADDY_TLS $CADDY_H2C -- env HOME="$S/caddy" XDG_DATA_HOME="$S/caddy/data" \
        XDG_CONFIG_HOME="$S/caddy/config" caddy run --config "$S/caddy/Caddyfile" --adapter caddyfile ;;
    nghttpd)  # h2 only; -p declares the pushes for /index.html
      write_nghttpd_files
      launch nghttpd-tls $NGHTTPD_TLS -- nghttpd --address=127.0.0.1 -d "$S/nghttpd/htdocs" \
        -p /index.html=/style.css,/app.js --echo-upload $NGHTTPD_TLS "$PKI/server-key.pem" "$PKI/server.pem" &&
      launch nghttpd-h2c $NGHTTPD_H2C -- nghttpd --no-tls --address=127.0.0.1 -d "$S/nghttpd/htdocs" \
        -p /index.html=/style.css,/app.js --echo-upload $NGHTTPD_H2C ;;
    ngtcp2)  # ngtcp2's example HTTP/3 server (GnuTLS): files from htdocs; a certificate for localhost/127.0.0.1
      write_ngtcp2_files
      launch ngtcp2 udp:$NGTCP2_QUIC -- gtlsserver --quiet --timeout=30s -d "$S/ngtcp2/htdocs" \
        127.0.0.1 $NGTCP2_QUIC "$PKI/server-key.pem" "$PKI/server.pem" ;;
  esac
}

# ======================================================================= env files

# Written after `up` from what is actually running; tests read env.json (or source env).
write_env() {
  local up=() missing=() peer
  for peer in "${PEERS[@]}"; do
    if peer_running "$peer"; then up+=("$peer"); fi
  done
  [ -f "$S/unavailable" ] && mapfile -t missing < "$S/unavailable"
  local -a kv=(
    HACKNEY_PEERS_DIR "$S"
    HACKNEY_PEERS_UP "${up[*]}"
    HACKNEY_PEERS_UNAVAILABLE "$(IFS=';'; echo "${missing[*]}")"
    HACKNEY_PEER_CA "$PKI/ca.pem"
    HACKNEY_PEER_CLIENT_CERT "$PKI/client.pem"
    HACKNEY_PEER_CLIENT_KEY "$PKI/client-key.pem"
    HACKNEY_PEER_HTTPBIN "http://127.0.0.1:$HTTPBIN"
    HACKNEY_PEER_HTTPBIN_IPV6 "http://[::1]:$HTTPBIN"
    HACKNEY_PEER_HTTPBIN_SOCKET "$RUN/httpbin.sock"
    HACKNEY_PEER_NGINX_H1 "http://127.0.0.1:$NGX_H1"
    HACKNEY_PEER_NGINX_H2C "http://127.0.0.1:$NGX_H2C"
    HACKNEY_PEER_NGINX_TLS "https://localhost:$NGX_TLS"
    HACKNEY_PEER_NGINX_TLS_H1 "https://localhost:$NGX_TLS_H1"
    HACKNEY_PEER_NGINX_MTLS "https://localhost:$NGX_MTLS"
    HACKNEY_PEER_NGINX_UPLOAD_PATH "/upload"
    HACKNEY_PEER_SQUID "http://127.0.0.1:$SQUID_OPEN"
    HACKNEY_PEER_SQUID_AUTH "http://$PROXY_USER:$PROXY_PASS@127.0.0.1:$SQUID_AUTH"
    HACKNEY_PEER_SQUID_AUTH_NOCREDS "http://127.0.0.1:$SQUID_AUTH"
    HACKNEY_PEER_TINYPROXY "http://127.0.0.1:$TINY_OPEN"
    HACKNEY_PEER_TINYPROXY_AUTH "http://$PROXY_USER:$PROXY_PASS@127.0.0.1:$TINY_AUTH"
    HACKNEY_PEER_TINYPROXY_AUTH_NOCREDS "http://127.0.0.1:$TINY_AUTH"
    HACKNEY_PEER_PROXY_USER "$PROXY_USER"
    HACKNEY_PEER_PROXY_PASS "$PROXY_PASS"
    HACKNEY_PEER_DANTE "socks5://127.0.0.1:$DANTE"
    HACKNEY_PEER_MICROSOCKS "socks5://127.0.0.1:$MSOCKS_OPEN"
    HACKNEY_PEER_MICROSOCKS_AUTH "socks5://$SOCKS_USER:$SOCKS_PASS@127.0.0.1:$MSOCKS_AUTH"
    HACKNEY_PEER_MICROSOCKS_AUTH_NOCREDS "socks5://127.0.0.1:$MSOCKS_AUTH"
    HACKNEY_PEER_SOCKS_USER "$SOCKS_USER"
    HACKNEY_PEER_SOCKS_PASS "$SOCKS_PASS"
    HACKNEY_PEER_CADDY_TLS "https://localhost:$CADDY_TLS"
    HACKNEY_PEER_CADDY_H2C "http://127.0.0.1:$CADDY_H2C"
    HACKNEY_PEER_NGHTTPD_TLS "https://localhost:$NGHTTPD_TLS"
    HACKNEY_PEER_NGHTTPD_H2C "http://127.0.0.1:$NGHTTPD_H2C"
    HACKNEY_PEER_NGTCP2_H3 "https://localhost:$NGTCP2_QUIC"
  )
  # static files on every nginx port: HACKNEY_PEER_FILE_<NAME>_{PATH,SIZE,SHA256}
  local names=() sum file key
  while read -r sum file; do
    key=${file%.bin}; key=${key^^}; names+=("${file%.bin}")
    kv+=("HACKNEY_PEER_FILE_${key}_PATH" "/$file" "HACKNEY_PEER_FILE_${key}_SIZE" "$(stat -c %s "$HTML/$file")"
         "HACKNEY_PEER_FILE_${key}_SHA256" "$sum")
  done < "$HTML/SHA256SUMS"
  kv+=(HACKNEY_PEER_FILES "${names[*]}")

  local i sep=""
  {
    echo "# generated by scripts/peers.sh up — source it: . $S/env"
    for ((i = 0; i < ${#kv[@]}; i += 2)); do printf "export %s='%s'\n" "${kv[i]}" "${kv[i+1]}"; done
  } > "$S/env.tmp"
  {
    echo "{"
    for ((i = 0; i < ${#kv[@]}; i += 2)); do printf '%s  "%s": "%s"' "$sep" "${kv[i]}" "${kv[i+1]}"; sep=$',\n'; done
    printf '\n}\n'
  } > "$S/env.json.tmp"
  mv "$S/env.tmp" "$S/env"; mv "$S/env.json.tmp" "$S/env.json"
}

# ======================================================================= commands

cmd_up() {
  mkdir -p "$PIDDIR" "$RUN" "$LOGS" "$PKI" "$HTML"
  install_packages
  local t; t=$(ms)
  prepare_pki
  prepare_files
  : > "$S/unavailable"
  local peer failed=()
  for peer in "${PEERS[@]}"; do
    if skipped "$peer"; then log "$peer skipped (HACKNEY_PEERS_SKIP)"; continue; fi
    if [ ! -x "${BIN[$peer]}" ]; then
      echo "$peer: ${BIN[$peer]} not installed (Debian packages: ${PKGS[$peer]})" >> "$S/unavailable"
      warn "$peer unavailable: ${BIN[$peer]} not installed"
      continue
    fi
    start_peer "$peer" || failed+=("$peer")
  done
  write_env
  log "start phase took $(( $(ms) - t )) ms; env: $S/env, $S/env.json"
  if [ ${#failed[@]} -gt 0 ]; then echo "peers: failed to start: ${failed[*]} (logs in $LOGS)" >&2; return 1; fi
  log "up: $(. "$S/env"; echo "$HACKNEY_PEERS_UP")"
}

cmd_down() {  # down [peer...]: all peers by default
  local peer u targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=("${PEERS[@]}")
  for peer in "${targets[@]}"; do
    [[ " ${PEERS[*]} " == *" $peer "* ]] || die "unknown peer '$peer' (known: ${PEERS[*]})"
    for u in $(units_of "$peer"); do stop_unit "$u"; done
  done
  [ ! -f "$S/env" ] || write_env
  log "down"
}

cmd_running() {  # the names of the peers whose processes are all alive, one line
  local peer up=()
  for peer in "${PEERS[@]}"; do if peer_running "$peer"; then up+=("$peer"); fi; done
  echo "${up[*]}"
}

cmd_status() {
  local peer u line
  for peer in "${PEERS[@]}"; do
    line=""
    for u in $(units_of "$peer"); do
      if unit_alive "$u"; then line+=" $u=pid:$(pid_of "$u")"; else line+=" $u=stopped"; fi
    done
    printf '%-11s%s\n' "$peer" "$line"
  done
}

# ---- check: one line per endpoint; running peers must answer, absent ones are reported, not failed
CHECK_FAIL=0
# probe <peer> <label> <want prefix of "code/http_version"> curl-args...
probe() {
  local peer=$1 label=$2 expect=$3; shift 3
  if ! peer_running "$peer"; then
    local why; why=$(grep "^$peer:" "$S/unavailable" 2>/dev/null | head -1 || true)
    printf '%-5s %-34s %s\n' skip "$label" "${why:-$peer not running}"; return 0
  fi
  local got; got=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}/%{http_version}' "$@" 2>/dev/null || true)
  if [[ $got == "$expect"* ]]; then printf '%-5s %-34s %s\n' ok "$label" "$got"
  else printf '%-5s %-34s got %s, want %s\n' FAIL "$label" "$got" "$expect"; CHECK_FAIL=1; fi
}
# probe_cmd <peer> <label> <grep pattern> command...: for non-curl clients (HTTP/3, server push)
probe_cmd() {
  local peer=$1 label=$2 pattern=$3; shift 3
  if ! peer_running "$peer"; then printf '%-5s %-34s %s\n' skip "$label" "$peer not running"; return 0; fi
  if ! command -v "$1" >/dev/null; then printf '%-5s %-34s %s\n' skip "$label" "$1 not installed"; return 0; fi
  if timeout 10 "$@" 2>&1 | grep -q "$pattern"; then printf '%-5s %-34s %s\n' ok "$label" "$pattern"
  else printf '%-5s %-34s %s\n' FAIL "$label" "no '$pattern'"; CHECK_FAIL=1; fi
}

cmd_check() {
  command -v curl >/dev/null || die "curl is needed for check (apt-get install curl)"
  local CA=$PKI/ca.pem H1=http://127.0.0.1:$NGX_H1
  probe httpbin   "httpbin GET /get"                200/1.1 "http://127.0.0.1:$HTTPBIN/get"
  probe httpbin   "httpbin [::1]"                   200     "http://[::1]:$HTTPBIN/get"
  probe httpbin   "httpbin unix socket"             200     --unix-socket "$RUN/httpbin.sock" http://localhost/get
  probe nginx     "nginx h1 keep-alive"             200/1.1 "$H1/1k.bin"
  probe nginx     "nginx h2c prior knowledge"       200/2   --http2-prior-knowledge "http://127.0.0.1:$NGX_H2C/hello"
  probe nginx     "nginx TLS h2 (ALPN)"             200/2   --cacert "$CA" "https://localhost:$NGX_TLS/hello"
  probe nginx     "nginx TLS h1-only"               200/1.1 --http2 --cacert "$CA" "https://localhost:$NGX_TLS_H1/hello"
  probe nginx     "nginx mTLS without cert"         400     --cacert "$CA" "https://localhost:$NGX_MTLS/hello"
  probe nginx     "nginx mTLS with cert"            200/2   --cacert "$CA" --cert "$PKI/client.pem" --key "$PKI/client-key.pem" "https://localhost:$NGX_MTLS/hello"
  probe nginx     "nginx upload sink"               200     --data-binary "@$HTML/64k.bin" "$H1/upload"
  probe nginx     "nginx -> httpbin"                200     "$H1/httpbin/get"
  probe squid     "squid open GET"                  200     -x "http://127.0.0.1:$SQUID_OPEN" "$H1/hello"
  probe squid     "squid auth, no creds"            407     -x "http://127.0.0.1:$SQUID_AUTH" "$H1/hello"
  probe squid     "squid auth CONNECT"              200/2   -x "http://$PROXY_USER:$PROXY_PASS@127.0.0.1:$SQUID_AUTH" --cacert "$CA" "https://localhost:$NGX_TLS/hello"
  probe tinyproxy "tinyproxy open GET"              200     -x "http://127.0.0.1:$TINY_OPEN" "$H1/hello"
  probe tinyproxy "tinyproxy auth, no creds"        407     -x "http://127.0.0.1:$TINY_AUTH" "$H1/hello"
  probe tinyproxy "tinyproxy auth CONNECT"          200/2   -x "http://$PROXY_USER:$PROXY_PASS@127.0.0.1:$TINY_AUTH" --cacert "$CA" "https://localhost:$NGX_TLS/hello"
  probe dante     "dante SOCKS5"                    200     --socks5 "127.0.0.1:$DANTE" "$H1/hello"
  probe dante     "dante SOCKS5h + TLS"             200/2   --socks5-hostname "127.0.0.1:$DANTE" --cacert "$CA" "https://localhost:$NGX_TLS/hello"
  probe microsocks "microsocks open"                200     --socks5 "127.0.0.1:$MSOCKS_OPEN" "$H1/hello"
  probe microsocks "microsocks auth, no creds"      000     --socks5 "127.0.0.1:$MSOCKS_AUTH" "$H1/hello"
  probe microsocks "microsocks auth"                200     -x "socks5h://$SOCKS_USER:$SOCKS_PASS@127.0.0.1:$MSOCKS_AUTH" "$H1/hello"
  probe caddy     "caddy TLS h2 (advertises h3)"    200/2   --cacert "$CA" "https://localhost:$CADDY_TLS/hello"
  probe caddy     "caddy h2c Upgrade"               200/2   --http2 "http://127.0.0.1:$CADDY_H2C/"
  probe_cmd caddy "caddy HTTP/3 (gtlsclient)"       'hello HTTP/3.0' \
    gtlsclient --exit-on-all-streams-close --no-quic-dump localhost "$CADDY_TLS" "https://localhost:$CADDY_TLS/hello"
  probe nghttpd   "nghttpd TLS h2"                  200/2   --cacert "$CA" "https://localhost:$NGHTTPD_TLS/index.html"
  probe_cmd nghttpd "nghttpd server push (nghttp)"  '/style.css' nghttp -ns "https://127.0.0.1:$NGHTTPD_TLS/index.html"
  probe_cmd ngtcp2 "ngtcp2 HTTP/3 (gtlsclient)"     ':status: 200' \
    gtlsclient --exit-on-all-streams-close --no-quic-dump localhost "$NGTCP2_QUIC" "https://localhost:$NGTCP2_QUIC/hello"
  return $CHECK_FAIL
}

case ${1:-} in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  restart) cmd_down; cmd_up ;;
  running) cmd_running ;;
  check) cmd_check ;;
  status) cmd_status ;;
  env) cat "$S/env" ;;
  *) echo "usage: $0 up|down [peer...]|restart|check|status|running|env   (see docs/interop.md)" >&2; exit 2 ;;
esac
