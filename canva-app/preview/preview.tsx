// The local preview page (SPEC §3.1): the real panel, in Canva's test providers, beside a
// simulated design that shows what the app asked the editor to do.
import "./sdk-environment";
import "@canva/app-ui-kit/styles.css";
import { TestAppI18nProvider } from "@canva/app-i18n-kit";
import { TestAppUiProvider } from "@canva/app-ui-kit";
import { createRoot } from "react-dom/client";
import { ApiProvider } from "../src/api/api-context";
import { createApiClient } from "../src/api/client";
import { App } from "../src/app";
import { getCanvaUserToken } from "../src/canva/token";
import { DesignArea } from "./design-area";

const api = createApiClient({ baseUrl: BACKEND_URL, getToken: getCanvaUserToken });

createRoot(document.getElementById("panel") as HTMLElement).render(
  <TestAppI18nProvider>
    <TestAppUiProvider>
      <ApiProvider value={api}>
        <App />
      </ApiProvider>
    </TestAppUiProvider>
  </TestAppI18nProvider>,
);

createRoot(document.getElementById("design") as HTMLElement).render(
  <TestAppI18nProvider>
    <TestAppUiProvider>
      <DesignArea />
    </TestAppUiProvider>
  </TestAppI18nProvider>,
);
