// A price in credits, as the engine choice and the Generate button show it ("3 credits").
import { defineMessages } from "react-intl";

export const { price: PRICE } = defineMessages({
  price: {
    defaultMessage: "{credits, plural, one {# credit} other {# credits}}",
    description: "Price of one set of headshots, in Headshot Studio credits",
  },
});
