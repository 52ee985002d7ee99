#!/usr/bin/env bash
# gen-test-certs.sh — (re)generate the committed test PKI in test/fixtures/certs/.
#
# Everything here is a throwaway test identity: the private keys are committed on purpose and
# must never be trusted outside this repository's tests. Validity is 20 years so the committed
# files do not expire under the tests (the "expired" certificate is expired on purpose).
#
#   ca.pem / ca-key.pem                test root CA ("effect-hackney test CA")
#   server.pem / server-key.pem        issued by the CA, SAN DNS:localhost, IP:127.0.0.1, IP:::1
#   server-chain.pem                   server.pem followed by ca.pem
#   wrong-host.pem / wrong-host-key.pem   issued by the CA for DNS:wrong.test only (hostname mismatch)
#   self-signed.pem / self-signed-key.pem self-signed, same SANs as server.pem, NOT issued by the CA
#   expired.pem / expired-key.pem      issued by the CA for localhost, valid 2000-01-01..2001-01-01
#   client.pem / client-key.pem        issued by the CA, EKU clientAuth (mTLS)
#
# Usage: bash scripts/gen-test-certs.sh [out_dir]     (default: test/fixtures/certs)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/test/fixtures/certs}
days=7300   # 20 years
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

newkey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; }

# sign <name> <subject CN> <extensions file>: CSR for $out/<name>-key.pem, signed by the CA
sign() {
  openssl req -new -key "$out/$1-key.pem" -subj "/CN=$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" -CAcreateserial \
    -CAserial "$work/ca.srl" -days "$days" -sha256 -extfile "$3" -out "$out/$1.pem" 2>/dev/null
}

# ---- root CA
newkey "$out/ca-key.pem"
openssl req -x509 -new -key "$out/ca-key.pem" -sha256 -days "$days" -subj "/CN=effect-hackney test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" -out "$out/ca.pem"

# ---- extension profiles
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
  'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' \
  'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' > "$work/server.ext"
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
  'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:wrong.test' \
  'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' > "$work/wrong.ext"
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
  'extendedKeyUsage=clientAuth' 'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' > "$work/client.ext"

# ---- leaf certificates issued by the CA
newkey "$out/server-key.pem";     sign server localhost "$work/server.ext"
newkey "$out/wrong-host-key.pem"; sign wrong-host wrong.test "$work/wrong.ext"
newkey "$out/client-key.pem";     sign client "effect-hackney test client" "$work/client.ext"
cat "$out/server.pem" "$out/ca.pem" > "$out/server-chain.pem"

# ---- self-signed server certificate (same names, unknown issuer)
newkey "$out/self-signed-key.pem"
openssl req -x509 -new -key "$out/self-signed-key.pem" -sha256 -days "$days" -subj "/CN=localhost" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" -out "$out/self-signed.pem"

# ---- expired server certificate: `openssl ca` is the only openssl 3.0 command that takes explicit dates
newkey "$out/expired-key.pem"
openssl req -new -key "$out/expired-key.pem" -subj "/CN=localhost" -out "$work/expired.csr"
mkdir -p "$work/ca"; : > "$work/ca/index.txt"; echo 1000 > "$work/ca/serial"
cat > "$work/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
dir = $work/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
[ ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
CNF
openssl ca -batch -notext -config "$work/ca.cnf" -extensions ext -cert "$out/ca.pem" -keyfile "$out/ca-key.pem" \
  -startdate 20000101000000Z -enddate 20010101000000Z -in "$work/expired.csr" -out "$out/expired.pem" 2>/dev/null

# Throwaway keys, readable by any test runner.
chmod 644 "$out"/*.pem

# ---- self-check
openssl verify -CAfile "$out/ca.pem" "$out/server.pem" "$out/wrong-host.pem" "$out/client.pem" >/dev/null
if openssl verify -CAfile "$out/ca.pem" "$out/self-signed.pem" >/dev/null 2>&1; then
  echo "gen-test-certs: self-signed.pem unexpectedly verifies against the CA" >&2; exit 1
fi
if openssl verify -CAfile "$out/ca.pem" "$out/expired.pem" >/dev/null 2>&1; then
  echo "gen-test-certs: expired.pem unexpectedly verifies" >&2; exit 1
fi
echo "gen-test-certs: wrote $(ls "$out"/*.pem | wc -l) files to $out"
