// Entry of the Canva bundle: wires the design-editor intent to the app inside Canva's providers.
import "@canva/app-ui-kit/styles.css";
import { AppI18nProvider } from "@canva/app-i18n-kit";
import { AppUiProvider } from "@canva/app-ui-kit";
import { prepareDesignEditor } from "@canva/intents/design";
import { createRoot } from "react-dom/client";
import { ApiProvider } from "./api/api-context";
import { createApiClient } from "./api/client";
import { App } from "./app";
import { getCanvaUserToken } from "./canva/token";

const api = createApiClient({ baseUrl: BACKEND_URL, getToken: getCanvaUserToken });

prepareDesignEditor({
  render: async () => {
    const root = createRoot(document.getElementById("root") as HTMLElement);
    root.render(
      <AppI18nProvider>
        <AppUiProvider>
          <ApiProvider value={api}>
            <App />
          </ApiProvider>
        </AppUiProvider>
      </AppI18nProvider>,
    );
  },
});
