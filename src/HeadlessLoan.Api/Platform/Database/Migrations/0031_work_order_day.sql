-- The tier of people per product (Features/Reminders, Features/Collections, docs/collections.md): the day after the
-- oldest unpaid due date a loan still overdue gets a collection work order; 0 for none. Every stored policy keeps the
-- D+7 it had.

ALTER TABLE reminder_policies ADD COLUMN work_order_day INT NOT NULL DEFAULT 7 AFTER late_days;
