// The evaluation set: real photos nobody tuned the engine on, with where each comes from and its
// licence. Photos whose licence allows it live in eval/photos/ (origins in eval/photos/LICENSES.md);
// the rest are taken from the package that ships them when the report runs. `crop` (photo pixels)
// and `enlarge` make the set's own variants: one person out of a group, a tighter crop, a small
// photo enlarged.

export interface EvalPhoto {
  id: string;
  source: { repo: string } | { npm: string; path: string };
  crop?: { left: number; top: number; width: number; height: number };
  enlarge?: number;
  /** What it exercises (crop, pose, hair, light, skin tone…). */
  covers: string[];
  /** Where the photo comes from, and under what licence. */
  origin: string;
  /** A refusal the rules call for (SPEC §7.2.1), where the photo cannot make a headshot. */
  expect?: "SUBJECT_CROPPED" | "MULTIPLE_FACES" | "NO_FACE";
}

const faceApi = (n: number) => ({ npm: "@vladmandic/face-api@1.7.15", path: `package/demo/sample${n}.jpg` });
const FACE_API = (n: number) =>
  `npm @vladmandic/face-api 1.7.15, demo/sample${n}.jpg: party photos taken by the package's author ("Photos shown below are taken by me"); MIT`;
const uswds = { npm: "@uswds/uswds@3.14.0", path: "package/dist/img/hero.jpg" };
const USWDS =
  "npm @uswds/uswds 3.14.0, dist/img/hero.jpg: a US naturalization ceremony; work of the US government, public domain / CC0 (LICENSE.md)";
const fixture = (name: string) => ({ repo: `../test/fixtures/${name}` });

export const PHOTOS: EvalPhoto[] = [
  // Party snapshots: one person cut out of a group, as people crop their own photos.
  {
    id: "party-clown-waist-up",
    source: faceApi(1),
    crop: { left: 260, top: 180, width: 600, height: 1000 },
    covers: ["waist-up", "dim party light", "face paint", "neighbours cut by the sides"],
    origin: FACE_API(1),
  },
  {
    id: "party-dark-hair-dark-room",
    source: faceApi(1),
    crop: { left: 720, top: 250, width: 540, height: 1030 },
    covers: ["dark hair on a dark background", "head turned down", "olive skin"],
    origin: FACE_API(1),
  },
  {
    id: "party-nurse-tilted-long-hair",
    source: faceApi(1),
    crop: { left: 1180, top: 140, width: 700, height: 1100 },
    covers: ["strong head tilt", "long red-blond hair", "laughing"],
    origin: FACE_API(1),
  },
  {
    id: "sofa-long-hair-looking-down",
    source: faceApi(2),
    crop: { left: 1160, top: 60, width: 720, height: 1000 },
    covers: ["long hair", "looking down", "cool window light with red cushions"],
    origin: FACE_API(2),
  },
  {
    id: "bar-curly-blonde",
    source: faceApi(3),
    crop: { left: 380, top: 200, width: 640, height: 900 },
    covers: ["curly platinum hair", "warm/cool mixed light", "hand raised"],
    origin: FACE_API(3),
  },
  {
    id: "bar-curly-face-crop",
    source: faceApi(3),
    crop: { left: 520, top: 200, width: 460, height: 520 },
    covers: ["face-only crop: the photo ends under the chin"],
    origin: FACE_API(3),
    expect: "SUBJECT_CROPPED",
  },
  {
    id: "bar-dark-hair-tilted",
    source: faceApi(3),
    crop: { left: 1360, top: 200, width: 560, height: 900 },
    covers: ["long dark hair", "tilted head", "neighbour at the side"],
    origin: FACE_API(3),
  },
  {
    id: "purple-tilted-brown-skin",
    source: faceApi(4),
    crop: { left: 540, top: 20, width: 520, height: 1000 },
    covers: ["medium-brown skin", "head tilted ~29°", "purple light", "a neighbour's arm"],
    origin: FACE_API(4),
  },
  {
    id: "purple-platinum-on-lavender",
    source: faceApi(4),
    crop: { left: 1240, top: 80, width: 620, height: 1000 },
    covers: ["light hair on a light wall", "purple light", "laughing"],
    origin: FACE_API(4),
  },
  {
    id: "purple-curly-arm-raised",
    source: faceApi(4),
    crop: { left: 40, top: 60, width: 600, height: 1000 },
    covers: ["long curly dark hair", "arm raised over the head", "tilted head"],
    origin: FACE_API(4),
  },
  {
    id: "stairs-red-top",
    source: faceApi(5),
    crop: { left: 1300, top: 260, width: 560, height: 800 },
    covers: ["long dark hair", "warm hazy light", "coloured top"],
    origin: FACE_API(5),
  },
  {
    id: "stairs-top-small",
    source: faceApi(5),
    crop: { left: 640, top: 20, width: 440, height: 700 },
    enlarge: 1.5,
    covers: ["East Asian woman", "enlarged small crop", "full-length people behind"],
    origin: FACE_API(5),
  },
  {
    id: "blinds-red-eye",
    source: faceApi(6),
    crop: { left: 1420, top: 140, width: 420, height: 960 },
    covers: ["red-eye from the flash", "bright window blinds", "neighbour's shoulder"],
    origin: FACE_API(6),
  },
  {
    id: "blinds-brown-skin-tilted",
    source: faceApi(6),
    crop: { left: 990, top: 140, width: 560, height: 1100 },
    covers: ["medium-brown skin", "tilted head", "ombré hair", "neighbours on both sides"],
    origin: FACE_API(6),
  },
  {
    id: "blinds-long-hair-group-edge",
    source: faceApi(6),
    crop: { left: 100, top: 340, width: 560, height: 1180 },
    covers: ["East Asian woman", "long hair over the shoulders", "full-length group photo cropped"],
    origin: FACE_API(6),
  },
  // A public ceremony: several skin tones, small faces enlarged.
  {
    id: "oath-dark-skin-woman",
    source: uswds,
    crop: { left: 860, top: 190, width: 300, height: 630 },
    enlarge: 1.6,
    covers: ["dark-brown skin", "hair up", "raised hand beside the face", "enlarged"],
    origin: USWDS,
  },
  {
    id: "oath-man-blue-shirt",
    source: uswds,
    crop: { left: 0, top: 140, width: 330, height: 680 },
    enlarge: 1.5,
    covers: ["medium-brown skin", "man", "tie", "raised hand", "enlarged"],
    origin: USWDS,
  },
  {
    id: "oath-man-red-tie",
    source: uswds,
    crop: { left: 1375, top: 130, width: 300, height: 690 },
    enlarge: 1.5,
    covers: ["East Asian man", "suit", "dark trees behind", "enlarged"],
    origin: USWDS,
  },
  {
    id: "oath-woman-glasses",
    source: uswds,
    crop: { left: 1126, top: 200, width: 290, height: 620 },
    enlarge: 1.6,
    covers: ["glasses", "patterned dress", "raised hand", "enlarged"],
    origin: USWDS,
  },
  // Single portraits.
  {
    id: "navy-cap-glasses-blue-backdrop",
    source: { repo: "photos/grace-hopper.jpg" },
    covers: ["glasses", "cap", "grey hair", "strongly coloured (blue) backdrop"],
    origin:
      "Debian python-matplotlib-data 3.6.3, sample_data/grace_hopper.jpg: the US Navy's official portrait of Grace Hopper, a work of the US government, public domain",
  },
  {
    id: "man-suit-sunglasses",
    source: { npm: "@vladmandic/human@1.2.1", path: "package/assets/sample-me.jpg" },
    covers: ["man", "head-and-shoulders", "sunglasses on the head", "light background"],
    origin:
      "npm @vladmandic/human 1.2.1, assets/sample-me.jpg: the package author's photo of himself, in an MIT package (no licence stated for the photo alone: not committed)",
  },
  {
    id: "headscarf-vintage",
    source: { repo: "photos/headscarf-vintage.webp" },
    covers: ["dark skin (monochrome)", "headscarf", "waist-up", "painted backdrop"],
    origin:
      "Debian wordpress-theme-twentytwentyfive 6.8.12, assets/images/agenda-img-4.webp: 'African Woman' by Pascal Sébah and Jean Pascal Sébah, 'Free public domain CC0 image' (readme.txt)",
  },
  {
    id: "elderly-hat-vintage",
    source: { repo: "photos/elderly-hat-vintage.webp" },
    covers: ["hat", "elderly", "close head-and-shoulders", "grainy monochrome"],
    origin:
      "Debian wordpress-theme-twentytwentyfive 6.8.12, assets/images/hero-podcast.webp: Paul Strand, 'Portrait - Washington Square' (1916), 'Free public domain CC0 image' (readme.txt)",
  },
  // Tight crops made from the fixtures.
  {
    id: "astronaut-profile-crop",
    source: fixture("astronaut.png"),
    crop: { left: 120, top: 20, width: 240, height: 300 },
    enlarge: 2,
    covers: ["profile-picture crop: head and the top of the shoulders", "enlarged"],
    origin: "the astronaut fixture (NASA, public domain), cropped",
  },
  {
    id: "astronaut-chin-crop",
    source: fixture("astronaut.png"),
    crop: { left: 140, top: 40, width: 200, height: 200 },
    enlarge: 2.2,
    covers: ["face-only crop: the chin on the bottom edge"],
    origin: "the astronaut fixture (NASA, public domain), cropped",
    expect: "SUBJECT_CROPPED",
  },
  {
    id: "sample1-top-edge-above-hair",
    source: fixture("one_face_sample1_crop.jpg"),
    crop: { left: 0, top: 120, width: 700, height: 880 },
    covers: ["the photo's top edge just above the hair bow"],
    origin: "the sample1 fixture (npm @vladmandic/face-api, MIT), cropped",
  },
  {
    id: "sample1-shoulder-cut-at-side",
    source: fixture("one_face_sample1_crop.jpg"),
    crop: { left: 200, top: 0, width: 500, height: 1000 },
    covers: ["the photo's side edge through a shoulder"],
    origin: "the sample1 fixture (npm @vladmandic/face-api, MIT), cropped",
  },
];
