#!/usr/bin/env bash
# Generates the certificates the TLS tests use, with openssl, into DIR (created; existing files are replaced).
# Nothing here is checked in: every run makes new keys. Usage: scripts/test-certs.sh DIR
#
#   ca.pem, ca.key                 the test CA (trusted by the test clients)
#   server.pem, server.key         signed by the CA for localhost and 127.0.0.1
#   server-chain.pem               server.pem followed by the CA (a certificate chain file)
#   server2.pem, server2.key       the same names, another key and serial (certificate reload)
#   expired.pem, expired.key       signed by the CA, notAfter in the past
#   client.pem, client.key         a client certificate signed by the CA (clientAuth)
#   other-ca.pem, other-ca.key     an unrelated CA (a client trusting it must refuse the server)
set -euo pipefail
dir=${1:?usage: scripts/test-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null; }

# ca NAME: a self-signed CA valid for 30 days.
ca() {
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 30 -subj "/CN=eventgrpc test $1" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2> /dev/null
}

# leaf NAME DAYS USAGE: a certificate signed by ca.pem for localhost/127.0.0.1, valid DAYS days (negative: expired).
leaf() {
    local name=$1 days=$2 usage=$3
    key "$name.key"
    openssl req -new -key "$name.key" -out "$name.csr" -subj "/CN=localhost" 2> /dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n%s\n' "$usage" \
        "subjectAltName=DNS:localhost,IP:127.0.0.1" > "$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
        -days "$days" -extfile "$name.ext" -out "$name.pem" 2> /dev/null
    rm -f "$name.csr" "$name.ext"
}

ca ca
ca other-ca
leaf server 30 serverAuth
leaf server2 30 serverAuth
leaf expired -1 serverAuth
leaf client 30 clientAuth
cat server.pem ca.pem > server-chain.pem
chmod 600 ./*.key
echo "test-certs: CA, server, server2, expired, client and other-ca certificates in $dir"
