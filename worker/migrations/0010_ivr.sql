-- IVR menus per phone line (issue 14 item 1; crates/tsunagu-ivr): the menu JSON as the admin API
-- validated it (PUT /api/admin/ivr-menus/<number>). A menu goes with its line.
CREATE TABLE line_ivr_menus (
    e164       TEXT    PRIMARY KEY REFERENCES phone_lines(e164) ON DELETE CASCADE,
    tenant_id  TEXT    NOT NULL REFERENCES tenants(id),
    menu_json  TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
