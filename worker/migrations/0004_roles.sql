-- Roles: how far a tenant's supervisors read the call log and KPIs ('teams': the conversations of
-- their own teams' agents and customers; 'tenant': everything). Admins always read everything.
ALTER TABLE tenants ADD COLUMN supervisor_reach TEXT NOT NULL DEFAULT 'teams'
    CHECK (supervisor_reach IN ('teams', 'tenant'));
