// Values exchanged by sio-client.mjs and the servers (ref-sio-server.mjs, and the C++ test's
// contract server, which builds fixedPayload() itself: keep both in step).

const bytes = (n, f) => Buffer.from(Array.from({ length: n }, (_, i) => f(i) & 0xff));

// Event arguments without binary: nesting, numbers, unicode, null, booleans, empties.
export const jsonSample = () => [
  {
    int: 42, neg: -7, big: 9007199254740991, frac: 3.25, tiny: 1e-7, zero: 0,
    s: "héllo wörld € 😀 \u2028 \"quoted\" \\ / \n\t",
    t: true, f: false, z: null,
    arr: [1, "two", null, [3, [4, { five: 5 }]], false],
    obj: { deep: { deeper: { deepest: "x" } }, empty: {}, list: [] },
    "key with spaces é": "v",
  },
  "a string",
  123.5,
  null,
  true,
  [],
];

// Binary at depth and several attachments (including an empty one and a 70000-byte one).
export const binarySample = () => [
  { name: "bin", a: { b: [1, bytes(16, (i) => i)] }, c: bytes(0, () => 0) },
  bytes(70000, (i) => i * 7),
  "text between",
  [bytes(3, (i) => 255 - i), { d: bytes(1, () => 0x80) }],
];

// What the server emits as "payload" when asked with "please-emit".
export const fixedPayload = () => [
  { n: 42, f: -3.5, s: "héllo €😀", t: true, fa: false, z: null, arr: [1, "two", null, [3]], obj: { deep: { er: "x" } } },
  { bin: bytes(16, (i) => i), list: [Buffer.from([255, 0, 127]), "x", Buffer.alloc(0)] },
  bytes(300, (i) => i),
];
