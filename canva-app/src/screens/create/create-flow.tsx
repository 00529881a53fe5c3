// The Create tab: photo → styles → generating → results, as one small state union. Charging and
// Canva Premium's tracking session happen here, where Generate is pressed.
import type { Job, MeResponse } from "@headshot/shared";
import { useState } from "react";
import { useApi } from "../../api/api-context";
import { ApiError } from "../../api/api-error";
import { startPremiumGeneration } from "../../canva/payments";
import type { PremiumSession } from "../../canva/payments";
import { GeneratingScreen } from "../generating/generating-screen";
import type { Sleep } from "../generating/poll-job";
import { ResultsScreen } from "../results/results-screen";
import type { Photo } from "./photo";
import { PhotoInputScreen } from "./photo-input-screen";
import { DEFAULT_CHOICE, StylesScreen } from "./styles-screen";
import type { StyleChoice } from "./styles-screen";

type Step =
  | { step: "input"; error?: unknown }
  | { step: "styles"; photo: Photo; submitting: boolean; error?: unknown; canceled?: boolean }
  | { step: "generating"; photo: Photo; job: Job; canceling: boolean }
  | { step: "results"; photo: Photo; job: Job };

export function CreateFlow({
  me,
  onBalanceChanged,
  onBuyCredits,
  wait,
}: {
  me: MeResponse;
  /** Generating charges a credit and a failure refunds it: the app re-reads the balance. */
  onBalanceChanged: () => void;
  onBuyCredits: () => void;
  wait?: Sleep;
}) {
  const api = useApi();
  const [state, setState] = useState<Step>({ step: "input" });
  const [choice, setChoice] = useState<StyleChoice>(DEFAULT_CHOICE);
  const [premium, setPremium] = useState<PremiumSession | null>(null);
  const premiumMode = me.billing.mode === "canva_premium";

  const choosePhoto = (photo: Photo) => {
    if ("photo" in state && state.photo !== photo) URL.revokeObjectURL(state.photo.previewUrl);
    setState({ step: "styles", photo, submitting: false });
  };
  const newPhoto = (error?: unknown) => {
    if ("photo" in state) URL.revokeObjectURL(state.photo.previewUrl);
    setState({ step: "input", error });
  };
  const closePremium = () => {
    void premium?.close();
    setPremium(null);
  };

  const generate = async (photo: Photo) => {
    setState({ step: "styles", photo, submitting: true });
    let session: PremiumSession | null = null;
    try {
      if (premiumMode) {
        session = await startPremiumGeneration();
        if (!session)
          throw new ApiError("FORBIDDEN", "Premium access declined", { reason: "PREMIUM_ACTION_REQUIRED" });
        setPremium(session);
      }
      const job = await api.createHeadshots({
        photo: photo.blob,
        fileName: photo.fileName,
        styles: choice.styles,
        aspects: [choice.aspect],
        idempotencyKey: crypto.randomUUID(),
        premiumUsageId: session?.usageId,
      });
      onBalanceChanged();
      setState({ step: "generating", photo, job, canceling: false });
    } catch (error) {
      void session?.close();
      setState({ step: "styles", photo, submitting: false, error });
    }
  };

  const jobEnded = (photo: Photo, job: Job) => {
    closePremium();
    if (job.status === "succeeded") {
      setState({ step: "results", photo, job });
      return;
    }
    onBalanceChanged();
    if (job.status === "failed" && job.error) {
      // A photo problem found by the engine (no face, several faces…) sends the user back to
      // pick another photo; anything else lets them retry the same one.
      const photoProblem = job.error.code === "UNPROCESSABLE" || job.error.code === "UNSUPPORTED_MEDIA_TYPE";
      if (photoProblem) newPhoto(job.error);
      else setState({ step: "styles", photo, submitting: false, error: job.error });
      return;
    }
    setState({ step: "styles", photo, submitting: false, canceled: job.status === "canceled" });
  };

  const cancel = async (photo: Photo, job: Job) => {
    setState({ step: "generating", photo, job, canceling: true });
    try {
      jobEnded(photo, await api.cancelJob(job.id));
    } catch (error) {
      setState({ step: "styles", photo, submitting: false, error });
    }
  };

  switch (state.step) {
    case "input":
      return <PhotoInputScreen onPhoto={choosePhoto} initialError={state.error} />;
    case "styles": {
      const { photo } = state;
      return (
        <StylesScreen
          photo={photo}
          choice={choice}
          onChange={setChoice}
          credits={premiumMode ? null : me.credits.balance}
          submitting={state.submitting}
          error={state.error}
          canceled={state.canceled}
          errorActions={{
            retry: () => void generate(photo),
            choose_photo: () => newPhoto(),
            buy_credits: onBuyCredits,
            start_over: () => newPhoto(),
          }}
          onGenerate={() => void generate(photo)}
          onChangePhoto={() => newPhoto()}
        />
      );
    }
    case "generating": {
      const { photo, job } = state;
      return (
        <GeneratingScreen
          job={job}
          canceling={state.canceling}
          onUpdate={(update) =>
            setState((s) => (s.step === "generating" && s.job.id === update.id ? { ...s, job: update } : s))
          }
          onEnd={(ended) => jobEnded(photo, ended)}
          onPollError={(error) => {
            closePremium();
            setState({ step: "styles", photo, submitting: false, error });
          }}
          onCancel={() => void cancel(photo, job)}
          {...(wait && { wait })}
        />
      );
    }
    case "results":
      return (
        <ResultsScreen
          job={state.job}
          aspect={choice.aspect}
          photo={state.photo}
          onGenerateAgain={() => setState({ step: "styles", photo: state.photo, submitting: false })}
          onNewPhoto={() => newPhoto()}
        />
      );
    default:
      return null;
  }
}
