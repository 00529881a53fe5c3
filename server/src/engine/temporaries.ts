// Module-level temporaries: the matte's and the colour step's working planes, allocated once per
// thread and grown as needed, so a photo leaves no garbage of that size behind. Nothing may hold
// one across an await (another job's step would reuse it); the one value that outlives its call
// is the face's skin (`colour/face-skin.ts`), used up synchronously before the next job's.

const floats = new Map<string, Float32Array>();
const ints = new Map<string, Int32Array>();

export function tempF32(key: string, length: number): Float32Array {
  let a = floats.get(key);
  if (!a || a.length < length) floats.set(key, (a = new Float32Array(length)));
  return a;
}

export function tempI32(key: string, length: number): Int32Array {
  let a = ints.get(key);
  if (!a || a.length < length) ints.set(key, (a = new Int32Array(length)));
  return a;
}
