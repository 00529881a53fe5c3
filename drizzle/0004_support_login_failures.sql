CREATE TABLE "support_login_failures" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "support_login_failures_last_idx" ON "support_login_failures" USING btree ("last_failure_at");