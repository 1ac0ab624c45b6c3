#!/usr/bin/env bash
# Regenerates the demo/test keys in this folder (openssl only). Safe to run again: every output is
# replaced as a consistent set. The CA private keys live only in a temporary folder and are thrown
# away, because nothing needs them after the certificates are issued.
# THESE KEYS ARE PUBLIC. They exist for demos and tests; never use them for real mail.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

days=3650

# One random password for every .p12 here. openssl reads the first line of the file; the Java
# loader trims the trailing newline.
openssl rand -hex 24 > signer.p12.password
pass="file:$work/signer.p12.password"

cat > ca.ext <<'X'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
X

signer_ext() { # $1 = email address, $2 = extendedKeyUsage line (may be empty)
  cat <<X
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectAltName = email:$1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
$2
X
}

# `openssl ca` (not `req -x509` / `x509 -req`) for the CAs, because OpenSSL 3.0 can set explicit
# validity dates only there. The CAs are valid from 2020-01-01, so `verify --at` a past moment
# (e.g. within the expired signer's 2020 validity) still finds a complete chain.
ca_start=20200101000000Z
ca_end=$(date -u -d "+$days days" +%Y%m%d%H%M%SZ)
mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
cat > ca.cnf <<X
[ ca ]
default_ca = demo
[ demo ]
database = $work/ca-db/index.txt
serial = $work/ca-db/serial
new_certs_dir = $work/ca-db
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
preserve = yes
[ anything ]
commonName = supplied
organizationName = optional
emailAddress = optional
X
cat > root.ext <<'X'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
X

# Root CA (self-signed).
openssl req -new -newkey rsa:2048 -nodes -keyout ca.key -out ca.csr \
  -subj "/O=Example Demo/CN=Example Demo Root CA (NOT FOR PRODUCTION)" 2>/dev/null
openssl ca -batch -config ca.cnf -selfsign -keyfile ca.key -startdate "$ca_start" -enddate "$ca_end" \
  -notext -extfile root.ext -in ca.csr -out ca.pem 2>/dev/null

# Intermediate CA, signed by the root.
openssl req -new -newkey rsa:2048 -nodes -keyout intermediate.key -out intermediate.csr \
  -subj "/O=Example Demo/CN=Example Demo SMIME Intermediate CA (NOT FOR PRODUCTION)" 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -startdate "$ca_start" -enddate "$ca_end" \
  -notext -extfile ca.ext -in intermediate.csr -out intermediate.pem 2>/dev/null

# issue NAME EMAIL CN EKU-LINE: a leaf key + certificate from the intermediate, bundled as NAME.p12.
issue() {
  local name=$1 email=$2 cn=$3 eku=$4
  openssl req -new -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
    -subj "/O=Example Demo/CN=$cn/emailAddress=$email" 2>/dev/null
  signer_ext "$email" "$eku" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA intermediate.pem -CAkey intermediate.key -CAcreateserial \
    -out "$name.pem" -days "$days" -sha256 -extfile "$name.ext" 2>/dev/null
}

bundle() { # NAME: key + cert + intermediate into NAME.p12 (openssl's default modern algorithms)
  openssl pkcs12 -export -inkey "$1.key" -in "$1.pem" -certfile intermediate.pem \
    -name "$1" -passout "$pass" -out "$1.p12"
}

issue signer news@example.org "Example Press Office" "extendedKeyUsage = emailProtection"
bundle signer
issue other-signer other@example.net "Example Other Sender" "extendedKeyUsage = emailProtection"
bundle other-signer
issue noeku-signer news@example.org "Example Press Office (no EKU)" "extendedKeyUsage = clientAuth"
bundle noeku-signer

# Expired signer (explicit dates, so `ca` again).
openssl req -new -newkey rsa:2048 -nodes -keyout expired-signer.key -out expired-signer.csr \
  -subj "/O=Example Demo/CN=Example Press Office (expired)/emailAddress=news@example.org" 2>/dev/null
signer_ext news@example.org "extendedKeyUsage = emailProtection" > expired-signer.ext
openssl ca -batch -config ca.cnf -cert intermediate.pem -keyfile intermediate.key \
  -startdate 20200101000000Z -enddate 20210101000000Z -notext \
  -extfile expired-signer.ext -in expired-signer.csr -out expired-signer.pem 2>/dev/null
bundle expired-signer

# DKIM key (PKCS#8) and the TXT record to publish at demo._domainkey.example.org.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out dkim-private.pem 2>/dev/null
p="$(openssl pkey -in dkim-private.pem -pubout -outform DER 2>/dev/null | openssl base64 -A)"
printf 'v=DKIM1; k=rsa; p=%s' "$p" > dkim.txt

# Second DKIM key, Ed25519 (RFC 8463), published at demo-ed25519._domainkey.example.org: the DNS
# p= is the raw 32-byte public key, i.e. the last 32 bytes of the DER SubjectPublicKeyInfo.
openssl genpkey -algorithm ed25519 -out dkim-ed25519-private.pem 2>/dev/null
p="$(openssl pkey -in dkim-ed25519-private.pem -pubout -outform DER 2>/dev/null | tail -c 32 | openssl base64 -A)"
printf 'v=DKIM1; k=ed25519; p=%s' "$p" > dkim-ed25519.txt

# Sanity checks before anything replaces the committed set.
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose smimesign signer.pem >/dev/null
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose smimesign other-signer.pem >/dev/null
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose smimesign -attime 1590969600 expired-signer.pem >/dev/null

cp ca.pem intermediate.pem signer.p12 other-signer.p12 noeku-signer.p12 expired-signer.p12 \
  signer.p12.password dkim-private.pem dkim.txt dkim-ed25519-private.pem dkim-ed25519.txt "$here/"
echo "keys regenerated in $here"
