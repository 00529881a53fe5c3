// The studio style catalogue: one list both the panel (names, swatches) and the engine
// (backdrop, grade) read, so a style exists in exactly one place.

export const STYLE_IDS = [
  "studio-grey",
  "high-key-white",
  "low-key-dark",
  "warm-beige",
  "corporate-navy",
  "classic-bw",
] as const;

export type StyleId = (typeof STYLE_IDS)[number];

/** sRGB colour as 0..255 channels. */
export type Rgb = readonly [number, number, number];

export interface StyleBackdrop {
  /** Colour at the centre of the backdrop, behind the head. */
  readonly center: Rgb;
  /** Colour at the corners; a radial gradient joins the two like a lit studio paper. */
  readonly edge: Rgb;
}

export interface StyleGrade {
  /** Multiplies exposure of the subject (1 = unchanged). */
  readonly exposure: number;
  /** Contrast around mid-grey (1 = unchanged). */
  readonly contrast: number;
  /** Saturation of the subject (1 = unchanged, 0 = black and white). */
  readonly saturation: number;
}

export interface Style {
  readonly id: StyleId;
  readonly name: string;
  readonly description: string;
  readonly backdrop: StyleBackdrop;
  readonly grade: StyleGrade;
  /** The generative engine's scene for this style: backdrop and light (SPEC §7.3). */
  readonly prompt: string;
}

export const STYLES: readonly Style[] = [
  {
    id: "studio-grey",
    name: "Studio grey",
    description: "Classic mid-grey paper backdrop with soft light.",
    backdrop: { center: [150, 152, 156], edge: [92, 94, 98] },
    grade: { exposure: 1.03, contrast: 1.05, saturation: 1 },
    prompt:
      "a seamless mid-grey studio paper backdrop, soft key light from the front left with a gentle fill, subtle rim light",
  },
  {
    id: "high-key-white",
    name: "High-key white",
    description: "Bright, airy white backdrop for a clean, modern look.",
    backdrop: { center: [250, 250, 250], edge: [226, 227, 229] },
    grade: { exposure: 1.08, contrast: 0.98, saturation: 0.98 },
    prompt: "a bright seamless white studio backdrop, high-key even lighting, soft shadows, airy and clean",
  },
  {
    id: "low-key-dark",
    name: "Low-key dark",
    description: "Dramatic charcoal backdrop with deeper contrast.",
    backdrop: { center: [58, 60, 64], edge: [18, 19, 21] },
    grade: { exposure: 1, contrast: 1.12, saturation: 0.96 },
    prompt:
      "a dark charcoal studio backdrop, dramatic low-key lighting with one soft key light and deep shadows",
  },
  {
    id: "warm-beige",
    name: "Warm beige",
    description: "Friendly warm beige backdrop.",
    backdrop: { center: [222, 204, 178], edge: [176, 156, 130] },
    grade: { exposure: 1.04, contrast: 1.02, saturation: 1.02 },
    prompt: "a warm beige studio backdrop, soft warm window-like light, friendly and approachable",
  },
  {
    id: "corporate-navy",
    name: "Corporate navy",
    description: "Deep navy backdrop for a confident, professional profile.",
    backdrop: { center: [46, 70, 112], edge: [18, 30, 54] },
    grade: { exposure: 1.03, contrast: 1.06, saturation: 1 },
    prompt: "a deep navy blue studio backdrop, crisp professional lighting with a soft rim light",
  },
  {
    id: "classic-bw",
    name: "Classic black and white",
    description: "Timeless monochrome portrait on a graduated grey backdrop.",
    backdrop: { center: [170, 170, 170], edge: [70, 70, 70] },
    grade: { exposure: 1.02, contrast: 1.15, saturation: 0 },
    prompt:
      "a graduated grey studio backdrop, classic black and white portrait photography with rich contrast",
  },
];

export function styleById(id: StyleId): Style {
  const style = STYLES.find((s) => s.id === id);
  if (!style) throw new Error(`unknown style ${id}`);
  return style;
}

/**
 * What the generative engine asks for per attire choice (SPEC §4: `own | business |
 * smart_casual`); the identity of the person is always kept.
 */
export const ATTIRE_PROMPTS = {
  own: "keep the clothes the person is wearing, tidied and well pressed",
  business: "dress the person in a tailored dark business suit with a crisp shirt",
  smart_casual: "dress the person in smart casual clothes: a well-fitted knit or open-collar shirt",
} as const;

/** The whole generative prompt of one style and attire: the same person, a new scene. */
export function generativePrompt(style: Style, attire: keyof typeof ATTIRE_PROMPTS): string {
  return [
    "A professional head-and-shoulders studio headshot of the same person as in the photo,",
    "keeping their face, identity, skin tone, hair and expression exactly;",
    `${ATTIRE_PROMPTS[attire]};`,
    `${style.prompt}; sharp focus on the eyes, natural skin texture, photorealistic.`,
  ].join(" ");
}

/** Output aspect ratios and their pixel sizes (SPEC §7.2 step 3). */
export const ASPECTS = {
  "1:1": { width: 1024, height: 1024 },
  "4:5": { width: 1024, height: 1280 },
} as const;

export type Aspect = keyof typeof ASPECTS;
export const ASPECT_IDS = Object.keys(ASPECTS) as Aspect[];
