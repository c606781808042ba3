#!/bin/sh
# Make the PEM fixtures of tests/unit/test_jose.c with the openssl CLI.
# Fresh keys every run; the files are kept in the tree.
set -eu
cd "$(dirname "$0")"
openssl genrsa -traditional -out rsa-trad.pem 2048 2>/dev/null
openssl rsa -in rsa-trad.pem -RSAPublicKey_out -out rsa-pkcs1-pub.pem 2>/dev/null
openssl rsa -in rsa-trad.pem -pubout -out rsa-spki.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out ec-trad.pem
openssl ec -in ec-trad.pem -pubout -out ec-spki.pem 2>/dev/null
openssl ecparam -name secp384r1 -genkey -noout -param_enc explicit -out ec-explicit.pem
openssl ecparam -name secp256k1 -genkey -noout -out ec-k256.pem
openssl genpkey -algorithm ED25519 -out ed25519.pem
openssl genpkey -algorithm X25519 -out x25519.pem
openssl genrsa -traditional -out rsa1024.pem 1024 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:secret -in ed25519.pem -out ed25519-enc.pem
