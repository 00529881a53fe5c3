CREATE TABLE "erased_subjects" (
	"subject_hash" text PRIMARY KEY NOT NULL,
	"erased_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "erased_subjects_erased_at_idx" ON "erased_subjects" USING btree ("erased_at");