// Proof of work for the speak-up forms (candour.web.speakup.proofofwork, SHA-256 hashcash).
//
// A form marked data-proof-of-work carries a challenge from the server (input pow_challenge).
// Find a number N such that SHA-256(challenge + ":" + N) starts with `bits` zero bits (the
// challenge's second field) and send N in pow_solution. The search starts when the page loads,
// so it is usually done before the person presses the button; if not, the button waits for it.
// Without this script the form still works: the server then waits a few seconds instead.
"use strict";

(function () {
  const K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const INITIAL = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const SLICE = 20000; // tries between yields to the page, so it stays responsive

  // One SHA-256 compression of the 16 words w[0..15] with `state`, written to `out`.
  function compress(state, w, out) {
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15], b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = state[0], b = state[1], c = state[2], d = state[3];
    let e = state[4], f = state[5], g = state[6], h = state[7];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    out[0] = (state[0] + a) | 0; out[1] = (state[1] + b) | 0;
    out[2] = (state[2] + c) | 0; out[3] = (state[3] + d) | 0;
    out[4] = (state[4] + e) | 0; out[5] = (state[5] + f) | 0;
    out[6] = (state[6] + g) | 0; out[7] = (state[7] + h) | 0;
    return out;
  }

  function wordsOf(bytes, offset, w) {
    for (let i = 0; i < 16; i++) {
      const j = offset + 4 * i;
      w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
  }

  // The state after every whole 64-byte block of `prefix`, and the bytes left over.
  function midstate(prefix) {
    const w = new Int32Array(64);
    let state = INITIAL;
    const whole = prefix.length - (prefix.length % 64);
    for (let offset = 0; offset < whole; offset += 64) {
      wordsOf(prefix, offset, w);
      const next = new Int32Array(8);
      compress(state, w, next);
      state = next;
    }
    return { state: state, rest: prefix.slice(whole), length: prefix.length };
  }

  // A function giving the first 32 bits of SHA-256(prefix + digits), for the prefix's midstate.
  // Its buffers are made once: each try only writes the digits and the length.
  function hasher(mid) {
    const tail = new Uint8Array(128);
    const w = new Int32Array(64);
    const s1 = new Int32Array(8);
    const s2 = new Int32Array(8);
    tail.set(mid.rest);
    return function (digits) {
      const used = mid.rest.length + digits.length;
      const size = used <= 55 ? 64 : 128;
      tail.fill(0, mid.rest.length);
      for (let i = 0; i < digits.length; i++) tail[mid.rest.length + i] = digits.charCodeAt(i);
      tail[used] = 0x80;
      const bitLength = (mid.length + digits.length) * 8;
      tail[size - 2] = (bitLength >>> 8) & 0xff;
      tail[size - 1] = bitLength & 0xff;
      wordsOf(tail, 0, w);
      compress(mid.state, w, s1);
      if (size === 64) return s1[0] >>> 0;
      wordsOf(tail, 64, w);
      compress(s1, w, s2);
      return s2[0] >>> 0;
    };
  }

  function solve(challenge, bits) {
    const prefix = new Uint8Array(challenge.length + 1);
    for (let i = 0; i < challenge.length; i++) prefix[i] = challenge.charCodeAt(i);
    prefix[challenge.length] = 0x3a; // ":"
    const firstWord = hasher(midstate(prefix));
    const limit = bits >= 32 ? 0 : 2 ** (32 - bits);
    let number = 0;
    return new Promise(function (resolve) {
      function slice() {
        for (let i = 0; i < SLICE; i++, number++) {
          if (firstWord(String(number)) < limit) {
            resolve(String(number));
            return;
          }
        }
        setTimeout(slice, 0);
      }
      slice();
    });
  }

  function prepare(form) {
    const challenge = form.querySelector("input[name=pow_challenge]");
    const solution = form.querySelector("input[name=pow_solution]");
    if (!challenge || !solution || !challenge.value) return;
    const bits = parseInt(challenge.value.split("-")[1], 10);
    const found = solve(challenge.value, bits).then(function (number) {
      solution.value = number;
    });
    const status = form.querySelector("[data-proof-of-work-status]");
    let sending = false;
    form.addEventListener("submit", function (event) {
      if (solution.value) return; // ready: send as usual
      event.preventDefault();
      if (sending) return;
      sending = true;
      if (status) status.textContent = "Sending: this can take a few seconds.";
      found.then(function () {
        form.submit();
      });
    });
  }

  document.querySelectorAll("form[data-proof-of-work]").forEach(prepare);
})();
