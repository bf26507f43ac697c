-- Business hours per line (issue 13 item 1, issue 14): a line may keep hours of its own (the routing
-- settings' `hours` shape, as JSON); NULL answers by the tenant's hours. Written only through
-- `/api/admin/phone-lines`, which validates it.
ALTER TABLE phone_lines ADD COLUMN hours_json TEXT;
