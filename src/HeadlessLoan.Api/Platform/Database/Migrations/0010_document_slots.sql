-- Each upload takes one of its application's slots before its OCR call is paid for, in one conditional UPDATE: uploads
-- arriving together can never cost more OCR calls than the application has slots. A failed OCR gives its slot back.

ALTER TABLE applications ADD COLUMN document_slots_taken INT NOT NULL DEFAULT 0;

UPDATE applications a
   SET document_slots_taken = (SELECT COUNT(*) FROM application_documents d WHERE d.application_id = a.id);
