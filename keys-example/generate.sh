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

# Root CA (self-signed).
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days "$days" -sha256 \
  -subj "/O=Example Demo/CN=Example Demo Root CA (NOT FOR PRODUCTION)" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" 2>/dev/null

# Intermediate CA, signed by the root.
openssl req -new -newkey rsa:2048 -nodes -keyout intermediate.key -out intermediate.csr \
  -subj "/O=Example Demo/CN=Example Demo SMIME Intermediate CA (NOT FOR PRODUCTION)" 2>/dev/null
openssl x509 -req -in intermediate.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -out intermediate.pem -days "$days" -sha256 -extfile ca.ext 2>/dev/null

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

# Expired signer: OpenSSL 3.0's `x509 -req` cannot set explicit dates, `ca` can.
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
[ anything ]
commonName = supplied
organizationName = optional
emailAddress = optional
X
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

# Sanity checks before anything replaces the committed set.
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose smimesign signer.pem >/dev/null
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose smimesign other-signer.pem >/dev/null

cp ca.pem intermediate.pem signer.p12 other-signer.p12 noeku-signer.p12 expired-signer.p12 \
  signer.p12.password dkim-private.pem dkim.txt "$here/"
echo "keys regenerated in $here"
