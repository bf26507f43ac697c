-- Skills and priorities (issue 14 item 2): what a line's calls need from routing. Written only
-- through the admin API (`/api/admin/phone-lines`), which validates them.

-- Skill name → the lowest level (1..5) an agent needs, as JSON; '{}' needs none.
ALTER TABLE phone_lines ADD COLUMN required_skills_json   TEXT    NOT NULL DEFAULT '{}';
-- 0..9: a call of a higher priority is served before every call of a lower one.
ALTER TABLE phone_lines ADD COLUMN priority               INTEGER NOT NULL DEFAULT 0;
-- Seconds a call needing skills waits for a skilled agent before anyone may take it; 0 = never.
ALTER TABLE phone_lines ADD COLUMN skill_relax_after_secs INTEGER NOT NULL DEFAULT 60;
