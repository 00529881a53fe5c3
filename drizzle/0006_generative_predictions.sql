CREATE TYPE "public"."prediction_status" AS ENUM('pending', 'starting', 'processing', 'succeeded', 'failed', 'canceled');--> statement-breakpoint
CREATE TABLE "engine_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"prediction_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid NOT NULL,
	"style" text NOT NULL,
	"status" "prediction_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"attempt_id" uuid,
	"provider_id" text,
	"missing_reason" text,
	"predict_seconds" real DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"polled_at" timestamp with time zone,
	"not_before" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "attire" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "credits" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "engine_deliveries" ADD CONSTRAINT "engine_deliveries_prediction_id_predictions_id_fk" FOREIGN KEY ("prediction_id") REFERENCES "public"."predictions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_job_style_uq" ON "predictions" USING btree ("job_id","style");--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_attempt_uq" ON "predictions" USING btree ("attempt_id");--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_provider_uq" ON "predictions" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "predictions_open_idx" ON "predictions" USING btree ("sent_at") WHERE "predictions"."status" in ('pending', 'starting', 'processing');