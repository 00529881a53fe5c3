// The panel: who the user is (GET /v1/me), consent first, then three tabs — Create, History,
// Account. An erased account (deleted here or in another panel) shows what happened and offers
// to start again, which is a new consent: the server creates no account without one. The balance is re-read when the panel regains focus, so credits bought in the browser
// show up on return (at most once per FOCUS_REFRESH_MS: focus also returns on every click from the
// design back into the panel).
import { Box, LoadingIndicator, Rows, Tab, TabList, TabPanel, TabPanels, Tabs } from "@canva/app-ui-kit";
import { CURRENT_POLICY_VERSION, type EngineOffer, type MeResponse } from "@headshot/shared";
import { useCallback, useEffect, useRef, useState } from "react";
import { useIntl } from "react-intl";
import { useApi } from "./api/api-context";
import { ErrorAlert } from "./errors/error-alert";
import { isErasedError } from "./errors/error-messages";
import { AccountScreen } from "./screens/account/account-screen";
import { ConsentScreen } from "./screens/consent/consent-screen";
import { CreateFlow } from "./screens/create/create-flow";
import type { Sleep } from "./screens/generating/poll-job";
import { HistoryScreen } from "./screens/history/history-screen";

type MeState =
  | { status: "loading" }
  | { status: "error"; error: unknown }
  | { status: "starting_afresh" }
  | { status: "ready"; me: MeResponse };
type TabId = "create" | "history" | "account";

/** Focus within this long of the last read (or during one) does not read again. */
export const FOCUS_REFRESH_MS = 10_000;

export function App({ wait }: { wait?: Sleep }) {
  const intl = useIntl();
  const api = useApi();
  const [me, setMe] = useState<MeState>({ status: "loading" });
  const [tab, setTab] = useState<TabId>("create");
  const [historyVisit, setHistoryVisit] = useState(0);

  const lastRead = useRef<{ at: number; pending: boolean }>({ at: 0, pending: false });
  // A fresh start after an erasure has no /v1/me to read: its consent screen says where the photo
  // goes on the engines last seen (none, if the panel opened on an erased account).
  const lastEngines = useRef<readonly EngineOffer[]>([]);

  const refresh = useCallback(async () => {
    lastRead.current = { at: Date.now(), pending: true };
    try {
      const read = await api.me();
      lastEngines.current = read.engines;
      setMe({ status: "ready", me: read });
    } catch (error) {
      // A failed re-read keeps what is on screen (the consent form of a fresh start included).
      setMe((current) =>
        current.status === "ready" || current.status === "starting_afresh"
          ? current
          : { status: "error", error },
      );
    } finally {
      lastRead.current = { at: Date.now(), pending: false };
    }
  }, [api]);

  useEffect(() => {
    void refresh();
    const onFocus = () => {
      const { at, pending } = lastRead.current;
      if (!pending && Date.now() - at >= FOCUS_REFRESH_MS) void refresh();
    };
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [refresh]);

  if (me.status === "loading") {
    return (
      <Box padding="2u" display="flex" justifyContent="center">
        <LoadingIndicator />
      </Box>
    );
  }
  if (me.status === "error") {
    return (
      <Box padding="2u">
        <ErrorAlert
          error={me.error}
          actions={{
            retry: () => {
              setMe({ status: "loading" });
              void refresh();
            },
            ...(isErasedError(me.error) && { start_over: () => setMe({ status: "starting_afresh" }) }),
          }}
        />
      </Box>
    );
  }
  if (me.status === "starting_afresh") {
    return (
      <Box padding="2u">
        <ConsentScreen
          policyVersion={CURRENT_POLICY_VERSION}
          engines={lastEngines.current}
          onConsented={() => void refresh()}
        />
      </Box>
    );
  }
  const consented = me.me.consent.given && me.me.consent.policyVersion === me.me.consent.currentPolicyVersion;
  if (!consented) {
    return (
      <Box padding="2u">
        <ConsentScreen
          policyVersion={me.me.consent.currentPolicyVersion}
          engines={me.me.engines}
          onConsented={() => void refresh()}
        />
      </Box>
    );
  }

  const selectTab = (id: string) => {
    if (id === "history" && tab !== "history") setHistoryVisit((n) => n + 1);
    setTab(id as TabId);
  };
  const label = {
    create: intl.formatMessage({ defaultMessage: "Create", description: "Tab: make headshots" }),
    history: intl.formatMessage({ defaultMessage: "History", description: "Tab: earlier headshots" }),
    account: intl.formatMessage({ defaultMessage: "Account", description: "Tab: credits and privacy" }),
  };
  return (
    <Box paddingX="2u" paddingBottom="2u">
      {/* Controlled tabs: App UI Kit reports clicks through each Tab's onClick, not onSelect. */}
      <Tabs activeId={tab}>
        <Rows spacing="2u">
          <TabList>
            <Tab id="create" onClick={selectTab}>
              {label.create}
            </Tab>
            <Tab id="history" onClick={selectTab}>
              {label.history}
            </Tab>
            <Tab id="account" onClick={selectTab}>
              {label.account}
            </Tab>
          </TabList>
          <TabPanels>
            <TabPanel id="create">
              <CreateFlow
                me={me.me}
                onBalanceChanged={() => void refresh()}
                onBuyCredits={() => setTab("account")}
                onConsentRequired={() => void refresh()}
                {...(wait && { wait })}
              />
            </TabPanel>
            {/* App UI Kit's TabPanel keeps a visited panel's content mounted: a new key on every
                visit remounts the history, so it shows the headshots made since. */}
            <TabPanel id="history">
              <HistoryScreen key={historyVisit} />
            </TabPanel>
            <TabPanel id="account">
              <AccountScreen me={me.me} onErased={() => void refresh()} />
            </TabPanel>
          </TabPanels>
        </Rows>
      </Tabs>
    </Box>
  );
}
