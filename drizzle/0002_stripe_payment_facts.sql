CREATE TABLE "stripe_payment_facts" (
	"payment_intent_id" text PRIMARY KEY NOT NULL,
	"charge_id" text,
	"amount_refunded_cents" integer DEFAULT 0 NOT NULL,
	"dispute_status" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
