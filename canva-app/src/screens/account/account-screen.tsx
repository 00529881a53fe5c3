// The Account tab: credits (not in Canva Premium mode, where no credit system may be shown)
// and the user's data.
import { Rows } from "@canva/app-ui-kit";
import type { MeResponse } from "@headshot/shared";
import { CreditsSection } from "./credits-section";
import { PrivacySection } from "./privacy-section";

export function AccountScreen({ me, onErased }: { me: MeResponse; onErased: () => void }) {
  return (
    <Rows spacing="3u">
      {me.billing.mode === "credits" && <CreditsSection me={me} />}
      <PrivacySection me={me} onErased={onErased} />
    </Rows>
  );
}
