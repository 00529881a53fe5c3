CREATE INDEX IF NOT EXISTS "outputs_job_expires_idx" ON "outputs" USING btree ("job_id","expires_at");--> statement-breakpoint
DROP INDEX IF EXISTS "outputs_job_idx";
