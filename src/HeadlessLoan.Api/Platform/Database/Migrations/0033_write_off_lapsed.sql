-- A proposed write-off lapses when its loan is no longer an overdue 损失 loan (repaid, reclassified) before anyone
-- decided it: it leaves the approvers' queue and the loan free for a fresh proposal.

ALTER TABLE loan_write_offs DROP CONSTRAINT loan_write_off_status;
ALTER TABLE loan_write_offs ADD CONSTRAINT loan_write_off_status CHECK (status IN ('proposed', 'written_off', 'rejected', 'withdrawn', 'lapsed'));
