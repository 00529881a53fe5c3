-- The credit ledger is append-only (SPEC §6.3): amounts, kinds, owners and times never change.
-- Only reference columns may be cleared, which is what ON DELETE SET NULL does when a job or a
-- purchase row goes away.
CREATE FUNCTION credit_ledger_append_only() RETURNS trigger AS $$
BEGIN
  IF NEW.user_id IS DISTINCT FROM OLD.user_id
     OR NEW.kind IS DISTINCT FROM OLD.kind
     OR NEW.delta IS DISTINCT FROM OLD.delta
     OR NEW.created_at IS DISTINCT FROM OLD.created_at
     OR (NEW.job_id IS NOT NULL AND NEW.job_id IS DISTINCT FROM OLD.job_id)
     OR (NEW.purchase_id IS NOT NULL AND NEW.purchase_id IS DISTINCT FROM OLD.purchase_id)
     OR NEW.stripe_event_id IS DISTINCT FROM OLD.stripe_event_id
     OR NEW.support_user_id IS DISTINCT FROM OLD.support_user_id
     OR NEW.note IS DISTINCT FROM OLD.note THEN
    RAISE EXCEPTION 'credit_ledger is append-only';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE ON credit_ledger
  FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();
