-- Customer attributes (issue 14 item 1): a small map of the CRM's own labels (`{"plan": "gold"}`)
-- that an IVR menu's `branch_attribute` branches on. A JSON object of text → text, written only
-- through the admin API and the CSV import, which validate it (tsunagu_core::attributes: at most
-- 20 keys of 1–32 characters, values of 1–64, no control characters). Every existing customer has
-- none.
ALTER TABLE customers ADD COLUMN attributes_json TEXT NOT NULL DEFAULT '{}';
