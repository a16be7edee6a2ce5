"""Named constants of the speak-up cryptography, each with its source and, where it costs time, the
cost measured on the 2-core development machine (``benchmarks/speakup/CRYPTO.md``).

libsodium means the libsodium bundled in the PyNaCl 1.6.2 wheel; its documentation is
https://doc.libsodium.org (pages named below).
"""

from __future__ import annotations

from typing import Final

import nacl.bindings as sodium

# ---------------------------------------------------------------------------------------------
# Crockford base32 (https://www.crockford.com/base32.html): 32 symbols, no I, L, O or U. On input
# I and L are read as 1 and O as 0; hyphens and spaces are ignored; case is ignored.
CROCKFORD_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CROCKFORD_CONFUSABLES: Final = {"I": "1", "L": "1", "O": "0"}
CROCKFORD_SEPARATORS: Final = frozenset(" -\t")
BITS_PER_SYMBOL: Final = 5
DISPLAY_GROUP: Final = 4  # symbols per group when shown: ABCD-EFGH-...

# ---------------------------------------------------------------------------------------------
# Receipts. 20 symbols x 5 bits = 100 bits from the operating system's CSPRNG (``secrets``).
# Speak-up reference, section (b)1: "Receipt of at least 100 bits"; GlobaLeaks' 16 digits give
# about 53 bits.
RECEIPT_SYMBOLS: Final = 20
RECEIPT_BITS: Final = RECEIPT_SYMBOLS * BITS_PER_SYMBOL

# Lookup hash: keyed BLAKE2b (libsodium "Generic hashing", crypto_generichash), 256-bit output.
# The key is the pepper, held outside the database. libsodium accepts keys of 16 to 64 bytes; we
# require at least 32 (256 bits, the recommended crypto_generichash_KEYBYTES).
PEPPER_MIN_BYTES: Final = 32
PEPPER_MAX_BYTES: Final = 64  # crypto_generichash_KEYBYTES_MAX
LOOKUP_HASH_BYTES: Final = 32
# BLAKE2b personalisation strings (at most 16 bytes, RFC 7693 section 2.8) separate the uses of
# the same primitive, so a lookup hash can never equal a derived key.
PERSON_RECEIPT_LOOKUP: Final = b"candour:rcpt-id"
PERSON_RECEIPT_KEY: Final = b"candour:rcpt-key"
PERSON_RECOVERY_KEY: Final = b"candour:recovery"
PERSON_RECOVERY_CHECK: Final = b"candour:rk-check"

# ---------------------------------------------------------------------------------------------
# Symmetric keys: 256-bit, from libsodium's randombytes (nacl.utils.random).
KEY_BYTES: Final = sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES  # 32

# Field encryption: XChaCha20-Poly1305-IETF (libsodium "XChaCha20-Poly1305-IETF construction";
# draft-irtf-cfrg-xchacha-03). Its 192-bit nonce is random per message, safe for any number of
# messages under one key.
AEAD_NONCE_BYTES: Final = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24
AEAD_TAG_BYTES: Final = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES  # 16
# Every serialised ciphertext starts with a format version byte, authenticated with the data, so
# a future format can be introduced without guessing.
FORMAT_VERSION: Final = 1

# Associated data: a fixed label, then each part as a 2-byte big-endian length and its UTF-8 bytes
# (so that no two (case, field) pairs share an encoding, whatever characters they contain).
AD_LABEL: Final = b"candour/speakup"
AD_PART_MAX_BYTES: Final = 255

# Sealed boxes (libsodium "Sealed boxes", crypto_box_seal): X25519 + XSalsa20-Poly1305 with an
# ephemeral sender key; 48 bytes of overhead. What is sealed is a version byte, a purpose byte,
# the 32-byte key and the case id, so a sealed key cannot be opened as another kind of key or for
# another case.
SEALED_BOX_OVERHEAD: Final = sodium.crypto_box_SEALBYTES  # 48
X25519_KEY_BYTES: Final = sodium.crypto_box_PUBLICKEYBYTES  # 32
PURPOSE_CASE_KEY: Final = 0x43  # "C"
PURPOSE_IDENTITY_KEY: Final = 0x49  # "I"

# Attachments: libsodium "Encrypted streams and file encryption" (crypto_secretstream_xchacha20-
# poly1305). Each file gets its own random key, wrapped under the case key; 64 KiB chunks as in
# libsodium's file-encryption example; each chunk carries 17 bytes (tag byte + Poly1305 MAC).
STREAM_HEADER_BYTES: Final = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES  # 24
STREAM_CHUNK_OVERHEAD: Final = sodium.crypto_secretstream_xchacha20poly1305_ABYTES  # 17
STREAM_CHUNK_BYTES: Final = 64 * 1024
STREAM_TAG_MESSAGE: Final = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
STREAM_TAG_FINAL: Final = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL

# ---------------------------------------------------------------------------------------------
# Guardian password -> key-wrapping key: Argon2id (libsodium "Password hashing", crypto_pwhash,
# RFC 9106). libsodium's INTERACTIVE profile: 64 MiB, 2 passes. Measured 48-62 ms per call on the
# 2-core machine (benchmarks/speakup/CRYPTO.md; the reference doc estimated about 90 ms). Run once
# per guardian sign-in and on password change, never per request. OWASP's Password Storage Cheat
# Sheet asks for at least 19 MiB with 2 passes; this is over three times the memory. GlobaLeaks'
# setting (128 MiB) took 1.04 s per call on a 2-core machine (reference doc, section 1).
GUARDIAN_ARGON2_OPSLIMIT: Final = sodium.crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE  # 2
GUARDIAN_ARGON2_MEMLIMIT: Final = sodium.crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE  # 64 MiB
ARGON2_SALT_BYTES: Final = sodium.crypto_pwhash_SALTBYTES  # 16
# Parameters read back from a stored wrapping must lie in these bounds (a corrupted or hostile row
# must not make a sign-in allocate gigabytes).
ARGON2_OPSLIMIT_RANGE: Final = (sodium.crypto_pwhash_argon2id_OPSLIMIT_MIN, 10)
ARGON2_MEMLIMIT_RANGE: Final = (8 * 1024 * 1024, 1024 * 1024 * 1024)

# Recovery key: 256 random bits plus a 4-bit check, shown as 52 Crockford symbols in 13 groups.
# It is random, so it needs no stretching: the wrapping key is BLAKE2b of it (personalised).
RECOVERY_KEY_BYTES: Final = 32
RECOVERY_CHECK_BITS: Final = 4
RECOVERY_KEY_SYMBOLS: Final = (RECOVERY_KEY_BYTES * 8 + RECOVERY_CHECK_BITS) // BITS_PER_SYMBOL

# Labels inside the associated data of wrapped guardian keys and session locks.
WRAP_BY_PASSWORD: Final = "guardian-key:password"  # noqa: S105 - a label, not a password
WRAP_BY_RECOVERY_KEY: Final = "guardian-key:recovery-key"
WRAP_FOR_SESSION: Final = "guardian-key:session"

# For comparison only (not used): a "light" Argon2id of the receipt, OWASP's minimum of 19 MiB
# with 2 passes, measured 9.7-10.6 ms per call here. See receipts.py for why the receipt is not
# stretched.
LIGHT_ARGON2_MEMLIMIT: Final = 19 * 1024 * 1024
LIGHT_ARGON2_OPSLIMIT: Final = 2
