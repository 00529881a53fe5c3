// The Create tab: photo → styles → generating → results, as one small state union. Charging and
// Canva Premium's tracking session happen here, where Generate is pressed. A photo the studio
// engine finds cropped too close is kept, so AI studio (where offered) can start from it at once.
import type { Job, MeResponse } from "@headshot/shared";
import { useEffect, useRef, useState } from "react";
import { useApi } from "../../api/api-context";
import { ApiError } from "../../api/api-error";
import { newIdempotencyKey } from "../../api/idempotency-key";
import { startPremiumGeneration } from "../../canva/payments";
import type { PremiumSession } from "../../canva/payments";
import { isConsentError } from "../../errors/error-messages";
import { GeneratingScreen } from "../generating/generating-screen";
import type { Sleep } from "../generating/poll-job";
import { ResultsScreen } from "../results/results-screen";
import type { Photo } from "./photo";
import { DEFAULT_CHOICE, offerOf } from "./generation-choice";
import type { GenerationChoice } from "./generation-choice";
import { PhotoInputScreen } from "./photo-input-screen";
import { StylesScreen } from "./styles-screen";
import { TryAiStudio } from "./try-ai-studio";

type Step =
  /** `croppedPhoto`: the photo the studio engine found cropped too close, which AI studio can use. */
  | { step: "input"; error?: unknown; croppedPhoto?: Photo }
  | { step: "styles"; photo: Photo; submitting: boolean; error?: unknown; canceled?: boolean }
  | { step: "generating"; photo: Photo; job: Job; canceling: boolean }
  | { step: "results"; photo: Photo; job: Job };

/** One submit intent (this photo, this choice) keeps its Idempotency-Key across retries. */
interface SubmitIntent {
  photo: Photo;
  choiceKey: string;
  idempotencyKey: string;
}

const choiceKey = (choice: GenerationChoice) =>
  JSON.stringify([choice.styles, choice.aspect, choice.engine, choice.attire]);

/**
 * Whether the server definitely answered and did not take the request, so a retry is a new
 * intent: a 4xx other than 408 (timeout), 409 (same key still in flight) and 429 (not processed).
 * Network failures and 5xx may hide a charge that happened: those keep the key.
 */
function definitelyRejected(error: unknown): boolean {
  const status = error instanceof ApiError ? error.details.status : undefined;
  return status !== undefined && status >= 400 && status < 500 && ![408, 409, 429].includes(status);
}

export function CreateFlow({
  me,
  onBalanceChanged,
  onBuyCredits,
  onConsentRequired,
  wait,
}: {
  me: MeResponse;
  /** Generating charges a credit and a failure refunds it: the app re-reads the balance. */
  onBalanceChanged: () => void;
  onBuyCredits: () => void;
  /** The server has no valid consent on record: the app re-reads /v1/me and shows the consent gate. */
  onConsentRequired?: () => void;
  wait?: Sleep;
}) {
  const api = useApi();
  const [state, setState] = useState<Step>({ step: "input" });
  const [choice, setChoice] = useState<GenerationChoice>(DEFAULT_CHOICE);
  const [premium, setPremium] = useState<PremiumSession | null>(null);
  const premiumMode = me.billing.mode === "canva_premium";
  const aiStudio = offerOf(me.engines, "generative");
  const intent = useRef<SubmitIntent | null>(null);

  // The current photo's preview URL is revoked when the flow goes away (e.g. the consent gate).
  const previewUrl = (state.step === "input" ? state.croppedPhoto : state.photo)?.previewUrl;
  useEffect(() => {
    if (!previewUrl) return;
    return () => URL.revokeObjectURL(previewUrl);
  }, [previewUrl]);

  // A photo's preview URL is revoked by the effect above once no step shows it any more.
  const choosePhoto = (photo: Photo) => setState({ step: "styles", photo, submitting: false });
  const newPhoto = (error?: unknown) => setState({ step: "input", error });
  const startOver = (error: unknown) => {
    if (isConsentError(error) && onConsentRequired) onConsentRequired();
    newPhoto();
  };
  const closePremium = () => {
    void premium?.close();
    setPremium(null);
  };

  const generate = async (photo: Photo, choice: GenerationChoice) => {
    setState({ step: "styles", photo, submitting: true });
    const key = choiceKey(choice);
    if (intent.current?.photo !== photo || intent.current.choiceKey !== key) {
      intent.current = { photo, choiceKey: key, idempotencyKey: newIdempotencyKey() };
    }
    const { idempotencyKey } = intent.current;
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
        engine: choice.engine,
        attire: choice.attire,
        idempotencyKey,
        premiumUsageId: session?.usageId,
      });
      intent.current = null; // accepted (202): the next Generate is a new request
      onBalanceChanged();
      setState({ step: "generating", photo, job, canceling: false });
    } catch (error) {
      void session?.close();
      if (definitelyRejected(error)) intent.current = null;
      setState({ step: "styles", photo, submitting: false, error });
    }
  };

  /** The same photo again on the generative engine, with the outfit last chosen (business by default). */
  const tryAiStudio = (photo: Photo) => {
    const next: GenerationChoice = { ...choice, engine: "generative" };
    setChoice(next);
    void generate(photo, next);
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
      if (job.error.reason === "SUBJECT_CROPPED" && job.engine === "studio" && aiStudio) {
        setState({ step: "input", error: job.error, croppedPhoto: photo });
      } else if (photoProblem) newPhoto(job.error);
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
    case "input": {
      const { croppedPhoto } = state;
      return (
        <PhotoInputScreen
          onPhoto={choosePhoto}
          initialError={state.error}
          alternative={
            croppedPhoto &&
            aiStudio && (
              <TryAiStudio
                credits={premiumMode ? null : aiStudio.credits}
                onTry={() => tryAiStudio(croppedPhoto)}
              />
            )
          }
        />
      );
    }
    case "styles": {
      const { photo, error } = state;
      return (
        <StylesScreen
          photo={photo}
          offers={me.engines}
          choice={choice}
          onChange={setChoice}
          credits={premiumMode ? null : me.credits.balance}
          submitting={state.submitting}
          error={state.error}
          canceled={state.canceled}
          errorActions={{
            retry: () => void generate(photo, choice),
            choose_photo: () => newPhoto(),
            // Canva Premium apps offer no credit system at all.
            ...(!premiumMode && { buy_credits: onBuyCredits }),
            start_over: () => startOver(error),
          }}
          onGenerate={() => void generate(photo, choice)}
          onChangePhoto={() => newPhoto()}
        />
      );
    }
    case "generating": {
      const { photo, job } = state;
      return (
        <GeneratingScreen
          job={job}
          // 10 s: the wait the panel said before the server listed its engines.
          typicalSeconds={offerOf(me.engines, job.engine)?.typicalSeconds ?? 10}
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
          showCredits={!premiumMode}
          onGenerateAgain={() => setState({ step: "styles", photo: state.photo, submitting: false })}
          onNewPhoto={() => newPhoto()}
        />
      );
    default:
      return null;
  }
}
