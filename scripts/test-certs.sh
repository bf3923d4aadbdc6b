#!/usr/bin/env bash
# Test certificates for the TLS tests, made with openssl into DIR (nothing of this is checked in).
#
# Usage: scripts/test-certs.sh DIR
#
# Writes (PEM; keys are unencrypted RSA 2048, mode 600):
#   ca.pem, ca.key                the test CA ("Event-gRPC test CA"); trust ca.pem to accept the certificates below
#   server.pem, server.key        a server certificate for localhost, 127.0.0.1 and ::1, signed by the test CA, valid
#                                 30 days (RabbitMQ's and ClickHouse's TLS listeners, the gateway's gRPC port)
#   server-chain.pem              server.pem followed by ca.pem (for servers that want the chain in one file)
#   server2.pem, server2.key      the same names as server.pem, another key and serial (certificate reload)
#   expired.pem, expired.key      the same names, signed by the test CA, but valid only in January 2020
#   wrong-host.pem, wrong-host.key  signed by the test CA for the name wrong-host.invalid only (hostname checks)
#   client.pem, client.key        a client certificate (CN eventgrpc-test-client, clientAuth) signed by the test CA
#   other-ca.pem, other-ca.key    an unrelated CA that signed none of the above (the "wrong CA" case)
# and prints DIR. Running it again keeps the files while server.pem stays valid for another day, so concurrent
# users of one DIR see stable files; otherwise everything is made anew.
set -euo pipefail

DIR=${1:?usage: scripts/test-certs.sh DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)

if [[ -f "$DIR/complete" ]] && openssl x509 -in "$DIR/server.pem" -noout -checkend 86400 > /dev/null 2>&1; then
    echo "$DIR"
    exit 0
fi

work=$(mktemp -d "$DIR/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -f "$DIR/complete"

key() { openssl genrsa -out "$work/$1.key" 2048 2> /dev/null; }

# ca NAME SUBJECT: a self-signed CA valid ten years.
ca() {
    key "$1"
    openssl req -x509 -new -key "$work/$1.key" -sha256 -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$work/$1.pem" 2> /dev/null
}

# leaf NAME SUBJECT EXTENSIONS [START END]: a certificate signed by the test CA; with START and END (YYMMDDHHMMSSZ)
# it is valid only then (openssl ca takes explicit dates, openssl x509 -req does not).
leaf() {
    local name=$1 subject=$2 extensions=$3
    key "$name"
    openssl req -new -key "$work/$name.key" -subj "/CN=$subject" -out "$work/$name.csr" 2> /dev/null
    printf '%s\n' "$extensions" > "$work/$name.ext"
    if [[ $# -eq 5 ]]; then
        mkdir -p "$work/ca-db"
        : > "$work/ca-db/index.txt"
        cat > "$work/ca-db/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $work/ca-db/index.txt
new_certs_dir = $work/ca-db
serial = $work/ca-db/serial
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
EOF
        openssl rand -hex 16 > "$work/ca-db/serial"
        openssl ca -batch -config "$work/ca-db/ca.cnf" -cert "$work/ca.pem" -keyfile "$work/ca.key" \
            -startdate "$4" -enddate "$5" -extfile "$work/$name.ext" -notext \
            -in "$work/$name.csr" -out "$work/$name.pem" 2> /dev/null
    else
        openssl x509 -req -in "$work/$name.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
            -sha256 -days 30 -extfile "$work/$name.ext" -out "$work/$name.pem" 2> /dev/null
    fi
    rm -f "$work/$name.csr" "$work/$name.ext"
}

server_names="subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature,keyEncipherment"

ca ca "Event-gRPC test CA"
ca other-ca "Event-gRPC unrelated test CA"
leaf server localhost "$server_names"
leaf server2 localhost "$server_names"
leaf expired localhost "$server_names" 200101000000Z 200131000000Z
leaf wrong-host wrong-host.invalid "subjectAltName=DNS:wrong-host.invalid
extendedKeyUsage=serverAuth"
leaf client eventgrpc-test-client "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
cat "$work/server.pem" "$work/ca.pem" > "$work/server-chain.pem"

chmod 600 "$work"/*.key
chmod 644 "$work"/*.pem
for file in "$work"/*.pem "$work"/*.key; do
    mv -f "$file" "$DIR/"
done
touch "$DIR/complete"
echo "$DIR"
