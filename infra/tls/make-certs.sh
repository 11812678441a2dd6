#!/usr/bin/env bash
# Makes a local certificate authority, a broker (server) certificate and a client certificate
# for tests and local stacks — never for production, where the city's PKI issues them.
#
#   infra/tls/make-certs.sh OUT_DIR [SERVER_NAME ...]
#
# OUT_DIR gets ca.crt, ca.key, server.crt, server.key (the broker's), proxy.crt, proxy.key
# (nginx's), client.crt, client.key; keys mode 0600. The server and proxy certificates are valid
# for localhost, 127.0.0.1, ::1, "mosquitto" and every SERVER_NAME given; the client certificate's
# CN is ingest@svc. EC P-256, 825 days.
#
# Mosquitto opens server.key after dropping to its own user, so the key must belong to that user:
# BROKER_OWNER=UID:GID or a user name (1883:1883 for the compose stack's eclipse-mosquitto, see
# infra/README.md); unset, when run as root, the local `mosquitto` user if there is one. Without
# root the keys stay yours (for a broker that runs as you). nginx reads proxy.key as root before it
# drops privileges. OUT_DIR itself is made readable (0755): certificates are public, keys are not.
set -euo pipefail
out=${1:?usage: make-certs.sh OUT_DIR [SERVER_NAME ...]}
shift
mkdir -p "$out"
cd "$out"
umask 077

san="DNS:localhost,DNS:mosquitto,IP:127.0.0.1,IP:::1"
for name in "$@"; do san+=",DNS:$name"; done

key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days 825 -subj "/O=Freiplatz/CN=Freiplatz test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt

issue() { # name subject extensions
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

issue server "/O=Freiplatz/CN=mosquitto" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth
subjectAltName=$san"
issue proxy "/O=Freiplatz/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth
subjectAltName=$san"
issue client "/O=Freiplatz/CN=ingest@svc" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=clientAuth"
rm -f ca.srl
chmod 0644 ca.crt server.crt proxy.crt client.crt
chmod 0755 .

owner=${BROKER_OWNER:-}
if [ -z "$owner" ] && [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then owner=mosquitto; fi
if [ -n "$owner" ] && [ "$owner" != none ]; then
  case $owner in
    *:*) chown "$owner" server.key ;;
    *) chown "$(id -u "$owner"):$(id -g "$owner")" server.key ;;
  esac
fi
echo "certificates written to $(pwd)"
