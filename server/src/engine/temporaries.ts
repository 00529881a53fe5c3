// Module-level float temporaries for synchronous functions only (nothing outlives the call):
// the matte's and the colour step's working planes, allocated once per thread.

const temps = new Map<string, Float32Array>();

export function tempF32(key: string, length: number): Float32Array {
  let a = temps.get(key);
  if (!a || a.length < length) temps.set(key, (a = new Float32Array(length)));
  return a;
}
