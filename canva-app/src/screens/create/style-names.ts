// Translatable names of the catalogue's styles (the catalogue in @headshot/shared is the one
// source of which styles exist and their colours; Canva translates only message descriptors).
import type { StyleId } from "@headshot/shared";
import { defineMessages } from "react-intl";
import type { MessageDescriptor } from "react-intl";

export const STYLE_NAMES: Record<StyleId, MessageDescriptor> = defineMessages({
  "studio-grey": { defaultMessage: "Studio grey", description: "Headshot style: mid-grey studio backdrop" },
  "high-key-white": {
    defaultMessage: "High-key white",
    description: "Headshot style: bright white backdrop",
  },
  "low-key-dark": { defaultMessage: "Low-key dark", description: "Headshot style: dark charcoal backdrop" },
  "warm-beige": { defaultMessage: "Warm beige", description: "Headshot style: warm beige backdrop" },
  "corporate-navy": { defaultMessage: "Corporate navy", description: "Headshot style: navy backdrop" },
  "classic-bw": { defaultMessage: "Classic black and white", description: "Headshot style: monochrome" },
});
