#!/usr/bin/env bash
# Verifies a liuhen log with nothing but curl, openssl and the shell (coreutils od/head/tail/base64).
#
#   verify-with-openssl.sh BASE_URL KEYS_FILE
#
# It fetches the checkpoint, checks its Ed25519 and SM2 signatures against the pinned verifier
# keys, fetches every entry bundle, hashes every entry (RFC 6962 leaf), compares the leaf hashes
# with the level-0 tiles, recomputes the RFC 6962 root and compares it with the checkpoint.
# Exit 0 only when everything verifies. (Meant for logs of up to a few thousand entries.)
set -euo pipefail
url=${1:?base URL}
keys=${2:?keys file}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
hex2bin() { local h; h=$(cat); printf "$(printf '%s' "$h" | sed 's/../\\x&/g')"; }
bin2hex() { od -An -v -tx1 | tr -d ' \n'; }
sha256hex() { openssl dgst -sha256 -r | cut -d' ' -f1; }

curl -fsS "$url/log/checkpoint" -o "$work/checkpoint"
# Note text = everything up to the blank line; signature lines after it.
awk 'BEGIN{t=1} t&&/^$/{t=0; next} t{print}' "$work/checkpoint" > "$work/text"
awk 'BEGIN{t=1} t&&/^$/{t=0; next} !t{print}' "$work/checkpoint" > "$work/sigs"
origin=$(sed -n 1p "$work/text")
size=$(sed -n 2p "$work/text")
root_b64=$(sed -n 3p "$work/text")
[ "$(wc -l < "$work/text")" -eq 3 ] || fail "checkpoint body must have exactly 3 lines"
echo "checkpoint: origin=$origin size=$size"

verified_ed=0; verified_sm2=0
while read -r vkey; do
  [ -z "$vkey" ] && continue
  name=${vkey%%+*}; rest=${vkey#*+}; keyid=${rest%%+*}; kb64=${rest#*+}
  [ "$name" = "$origin" ] || continue
  printf '%s' "$kb64" | base64 -d > "$work/typedkey"
  type=$(head -c1 "$work/typedkey" | bin2hex)
  # Key ID = SHA-256(name || 0x0A || typed key)[:4]
  calc=$( { printf '%s\n' "$name"; cat "$work/typedkey"; } | sha256hex | cut -c1-8)
  [ "$calc" = "$keyid" ] || fail "key ID of $vkey does not match its key"
  sigline=$(grep -F -- "— $name " "$work/sigs" | while read -r _ _ s; do
      if [ "$(printf '%s' "$s" | base64 -d | head -c4 | bin2hex)" = "$keyid" ]; then echo "$s"; fi; done | head -n1)
  [ -n "$sigline" ] || fail "no signature by key $keyid"
  printf '%s' "$sigline" | base64 -d | tail -c +5 > "$work/sig"
  if [ "$type" = "01" ]; then
    # Ed25519: SubjectPublicKeyInfo = 302a300506032b6570032100 || key
    { printf '302a300506032b6570032100' | hex2bin; tail -c +2 "$work/typedkey"; } > "$work/ed.der"
    openssl pkey -pubin -inform DER -in "$work/ed.der" -out "$work/ed.pem"
    openssl pkeyutl -verify -pubin -inkey "$work/ed.pem" -rawin -in "$work/text" -sigfile "$work/sig" >/dev/null \
      || fail "Ed25519 signature does not verify"
    echo "Ed25519 signature ($keyid): verified by openssl"
    verified_ed=1
  elif [ "$type" = "ff" ]; then
    ident=$(tail -c +2 "$work/typedkey" | head -c 17)
    [ "$ident" = "liuhen/sm2-sm3/v1" ] || continue
    # SM2: SubjectPublicKeyInfo with id-ecPublicKey and the SM2 curve OID 1.2.156.10197.1.301
    { printf '3059301306072a8648ce3d020106082a811ccf5501822d034200' | hex2bin; tail -c 65 "$work/typedkey"; } > "$work/sm2.der"
    openssl pkey -pubin -inform DER -in "$work/sm2.der" -out "$work/sm2.pem"
    openssl dgst -sm3 -verify "$work/sm2.pem" -sigopt distid:1234567812345678 -signature "$work/sig" "$work/text" >/dev/null \
      || fail "SM2 signature does not verify"
    echo "SM2/SM3 signature ($keyid): verified by openssl"
    verified_sm2=1
  fi
done < "$keys"
[ $verified_ed = 1 ] || fail "no Ed25519 signature verified"
[ $verified_sm2 = 1 ] || fail "no SM2 signature verified"

# Re-hash every entry, bundle by bundle.
n=0; bundle=0
while [ $n -lt "$size" ]; do
  width=$(( size - bundle * 256 )); [ $width -gt 256 ] && width=256
  idx=$(printf '%03d' "$bundle")
  [ "$bundle" -ge 1000 ] && fail "this script handles logs of fewer than 256000 entries"
  path="tile/entries/$idx"; tpath="tile/0/$idx"
  [ $width -lt 256 ] && { path="$path.p/$width"; tpath="$tpath.p/$width"; }
  curl -fsS --compressed "$url/log/$path" -o "$work/bundle"
  curl -fsS "$url/log/$tpath" -o "$work/tile0"
  total=$(wc -c < "$work/bundle"); pos=0; : > "$work/leaves"
  for ((i = 0; i < width; i++)); do
    [ $pos -lt "$total" ] || fail "bundle $path ends early"
    read -r hi lo < <(od -An -tu1 -j $pos -N2 "$work/bundle")
    len=$(( hi * 256 + lo ))
    h=$( { printf '\000'; tail -c +$(( pos + 3 )) "$work/bundle" | head -c $len; } | sha256hex)
    echo "$h" > "$work/leaf.$n"; printf '%s' "$h" >> "$work/leaves"
    pos=$(( pos + 2 + len )); n=$(( n + 1 ))
  done
  [ $pos -eq "$total" ] || fail "bundle $path has trailing bytes"
  [ "$(bin2hex < "$work/tile0")" = "$(cat "$work/leaves")" ] || fail "$tpath does not match the entries"
  bundle=$(( bundle + 1 ))
done

# RFC 6962: MTH(D[s:e]) = H(0x01 || MTH(D[s:s+k]) || MTH(D[s+k:e])), k the largest power of 2 < n.
mth() {
  local s=$1 e=$2; local n=$(( e - s ))
  if [ $n -eq 1 ]; then cat "$work/leaf.$s"; return; fi
  local k=1; while [ $(( k * 2 )) -lt $n ]; do k=$(( k * 2 )); done
  local l r; l=$(mth "$s" $(( s + k ))); r=$(mth $(( s + k )) "$e")
  printf '01%s%s' "$l" "$r" | hex2bin | sha256hex
}
if [ "$size" -eq 0 ]; then root=$(printf '' | sha256hex); else root=$(mth 0 "$size"); fi
want=$(printf '%s' "$root_b64" | base64 -d | bin2hex)
[ "$root" = "$want" ] || fail "recomputed root $root does not match the checkpoint's $want"
echo "root of $size entries recomputed with openssl: $root"
echo "VERIFIED"
